// nn/rules.hpp — backward rules as data: a RuleSet replaces the reverse kernel (VJP) of chosen ops for one backward
// walk of the tape (Tape::backward(output, seed, rules)). Forward kernels and recorded values are untouched.
#pragma once

#include <array>
#include <cstddef>

#include "nn/op.hpp"
#include "nn/ops/args.hpp"

namespace nn {

// What a rule sees of one node: what its own reverse kernel sees (the inputs, the constant, the value) and, when
// the walk has a reference pass, the reference values of the node's first input and of the node itself. A reference
// pass is a second forward of the same ops recorded earlier on the same tape (DeepLIFT's baseline image): node i's
// reference is node i − shift, and the tape checks that the two nodes are the same op on the same shapes.
template <class T>
struct RuleArgs {
    const OpArgs<T>& in;                 // in.a, in.b: the inputs' values; in.c the node's constant
    const Tensor<T>& y;                  // the node's value
    const Tensor<T>* ref_a;              // the reference pass's value of input a (nullptr: no reference pass)
    const Tensor<T>* ref_y;              // the reference pass's value of this node (nullptr likewise)
    T param;                             // the rule's own constant (LRP's ε; 0 if it has none)
};

// A rule is a reverse kernel that reads more: like every reverse kernel it adds (+=) to da and db, and skips an input
// whose pointer is nullptr (it needs no gradient). What it adds need not be a derivative: that is the point.
template <class T>
using RuleKernel = void (*)(const RuleArgs<T>& r, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db);

template <class T>
struct Rule {
    const char* name = nullptr;          // "lrp-epsilon"; printed in errors
    RuleKernel<T> reverse = nullptr;     // nullptr: the op's own reverse kernel, the chain rule
    T param = T(0);
    bool needs_reference = false;        // the walk refuses to start without a reference pass
};

// At most one rule per op; an op without one keeps its chain rule. The empty set is the plain backward pass.
// The rules of each method are defined beside the ops they modify (nn/ops/relu_rules.hpp, nn/ops/dense_rules.hpp).
template <class T>
class RuleSet {
public:
    RuleSet& set(Op op, Rule<T> rule) {
        rules_.at(static_cast<std::size_t>(op)) = rule;
        return *this;
    }
    const Rule<T>* find(Op op) const {
        const Rule<T>& r = rules_.at(static_cast<std::size_t>(op));
        return r.reverse ? &r : nullptr;
    }
    // Node i's reference values are those of node i − shift (0: no reference pass).
    RuleSet& with_reference(std::size_t shift) {
        shift_ = shift;
        return *this;
    }
    std::size_t reference_shift() const { return shift_; }

private:
    std::array<Rule<T>, kOpCount> rules_{};
    std::size_t shift_ = 0;
};

}  // namespace nn
