// nn/tape.hpp — the tape: every op records a node; backward(output, seed) walks the nodes in reverse (VJP),
// forward_tangents(output) walks them forward (JVP). The tape owns values, gradients and tangents; the math is nn/ops/.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "nn/op.hpp"
#include "nn/tensor.hpp"

namespace nn {

// To add an op (say `exp`), write three things; the compiler and the tests hold you to each:
//   1. its definition, nn/ops/exp.hpp (copy nn/ops/tanh.hpp): its enumerator `Exp,` on the file's first line after
//      the header comment, then `template <> struct OpDef<Op::Exp>` with its name, arity, check, value, reverse and
//      forward kernels under one comment line with the math;
//   2. its registration line, `#include "nn/ops/exp.hpp"  // Exp: e^a` at the end of the list nn/ops.hpp. That one
//      line puts Exp in enum class Op (nn/op.hpp reads the list for the enumerators) and its row in the tape's table
//      (nn/tape.cpp reads it for the definitions). A listed file without its OpDef does not compile, nor does an
//      unlisted one wherever it is included (no Op::Exp). Record it with tape.apply(Op::Exp, a); a member recorder
//      like relu() below is a one-line convenience, not needed;
//   3. its finite-difference test, a case in all_op_cases() (tests/test_gradcheck.cpp): it then gets the FD check
//      of its reverse and of its forward kernel, and the test "every op has a case" fails until you add it.

// A variable is an integer id into the tape. The struct only keeps ids from mixing with plain ints.
struct Var {
    int id = -1;
};

// One record on the tape: which op, which inputs, and what the backward pass will need.
struct Node {
    Op op = Op::Leaf;
    int a = -1, b = -1;        // input ids (-1: unused)
    double c = 0;              // the constant of Scale, the slope of LeakyRelu
    bool requires_grad = false;
};

template <class T>
class Tape {
public:
    using Matrix = Tensor<T>;

    // ---- leaves
    // A leaf holding `value`. Parameters and inputs whose gradient we want pass requires_grad = true.
    Var leaf(Matrix value, bool requires_grad = true);
    // A leaf of the given shape whose value the caller fills in place through value(v): no copy.
    Var leaf(std::size_t rows, std::size_t cols, bool requires_grad = true);

    // ---- ops (each records one node and computes its value right away)
    // Any op: checks the inputs' shapes (the op's check, e.g. "add: shapes differ (got [3, 4] and [3, 5])"),
    // records the node and computes its value. b is the second input of an op of two; c the constant of scale and
    // the slope of leaky_relu.
    Var apply(Op op, Var a, Var b = {}, T c = T(0));
    // The same, one line each (softmax_cross_entropy also keeps the labels).
    Var matmul(Var a, Var b) { return apply(Op::MatMul, a, b); }             // [B, K]·[K, N] -> [B, N]
    Var add_bias(Var a, Var bias) { return apply(Op::AddBias, a, bias); }    // [B, N] + [1, N] -> [B, N]
    Var add(Var a, Var b) { return apply(Op::Add, a, b); }                   // same shapes
    Var sub(Var a, Var b) { return apply(Op::Sub, a, b); }
    Var mul(Var a, Var b) { return apply(Op::Mul, a, b); }
    Var scale(Var a, T c) { return apply(Op::Scale, a, {}, c); }
    Var relu(Var a) { return apply(Op::Relu, a); }
    Var sigmoid(Var a) { return apply(Op::Sigmoid, a); }
    Var tanh(Var a) { return apply(Op::Tanh, a); }
    Var leaky_relu(Var a, T slope) { return apply(Op::LeakyRelu, a, {}, slope); }   // slope for a <= 0
    Var gelu(Var a) { return apply(Op::Gelu, a); }                           // exact: a·Φ(a)
    Var softmax(Var a) { return apply(Op::Softmax, a); }                     // row-wise
    Var log_softmax(Var a) { return apply(Op::LogSoftmax, a); }              // row-wise
    Var softmax_cross_entropy(Var logits, const std::vector<int>& labels);  // -> [1, 1]
    Var mse(Var a, Var b) { return apply(Op::Mse, a, b); }                   // -> [1, 1]
    Var sum(Var a) { return apply(Op::Sum, a); }                             // -> [1, 1]
    Var mean(Var a) { return apply(Op::Mean, a); }                           // -> [1, 1]

    // ---- reverse mode
    // Adds seed·∂output/∂v to grad(v) of every leaf v that requires a gradient. Intermediate
    // gradients are recomputed from zero on each call; leaf gradients accumulate until zero_grad().
    // Nothing is freed: the same tape can be walked again with another seed.
    void backward(Var output, const Matrix& seed);
    void backward(Var output);                // output must be [1, 1]; seed 1
    void zero_grad();                         // every gradient on the tape back to 0
    void zero_grad(Var v);                    // one node's gradient back to 0
    // Switch a leaf's gradient on or off. Ops recorded afterwards take their flag from it (an op needs a gradient
    // when an input does); ops already recorded keep theirs. Switching off is complete at once: later walks skip
    // the leaf. Switching back ON is not: a node recorded while the leaf was off, with no other input needing a
    // gradient, was recorded as needing none, and backward never walks it, so the leaf's gradient misses every
    // path through such nodes (a partial gradient, no error). Record the forward pass again after re-enabling.
    // To freeze for a scope, prefer FrozenLeaves below (test_tape.cpp shows both cases).
    void set_requires_grad(Var leaf, bool requires_grad);

    // ---- forward mode (JVP): K directions at once
    // A tangent is stacked: for a value [R, N] it is [K·R, N], and rows [k·R, (k+1)·R) hold the derivative of
    // the value along direction k. So a matmul pushes all K directions through one gemm ([K·B, M]·[M, N]).
    // Usage: seed_tangent(leaf, K) returns the leaf's tangent, zeroed, to fill in place (any number of leaves;
    // unseeded leaves are constants); forward_tangents(output) computes the tangent of every node up to
    // `output`; tangent(v) reads one. The seeds stay until clear_tangents(); forward_tangents can be called
    // again after refilling them (the next block of directions), with no new forward pass.
    // Independent of requires_grad and of backward(): the two modes share only the recorded values.
    Matrix& seed_tangent(Var leaf, std::size_t directions);
    void forward_tangents(Var output);
    const Matrix& tangent(Var v) const;       // [K·R, N]; throws if v does not depend on a seeded leaf
    bool has_tangent(Var v) const;            // false: v does not depend on any seeded leaf (tangent 0)
    std::size_t directions() const { return directions_; }   // K of the current seeds (0: none)
    void clear_tangents();                    // forget every seed and tangent (buffers are kept)

    // ---- access
    // value(v) is writable so that optimizers update parameters and inputs are filled in place. Nothing is
    // recomputed when a value changes: nodes recorded before the write keep the values computed from the old one,
    // and a later backward mixes the two (kernels read the inputs' new values and the outputs' old ones), a wrong
    // gradient with no error. Write a value only before the nodes that read it are recorded (the training loop
    // rewinds, writes, records again); test_tape.cpp shows the mixed gradient.
    const Matrix& value(Var v) const { return values_.at(index(v)); }
    Matrix& value(Var v) { return values_.at(index(v)); }
    const Matrix& grad(Var v) const;
    const Node& node(Var v) const { return nodes_.at(index(v)); }
    std::size_t size() const { return used_; }

    // ---- reuse between training steps
    // mark() remembers the current length; rewind(m) forgets every node recorded after it but keeps
    // their buffers, so the next step's nodes reuse the memory instead of allocating again.
    std::size_t mark() const { return used_; }
    void rewind(std::size_t mark);
    void clear() { rewind(0); }

private:
    std::size_t index(Var v) const;
    Var record(Op op, int a, int b, bool requires_grad);
    Var record_op(Op op, Var a, Var b, T c, const std::vector<int>& labels);   // check, record, compute
    OpArgs<T> args(std::size_t i);            // node i as its kernels see it
    void forward(std::size_t i);              // compute values_[i] from its inputs
    void backward_node(std::size_t i);        // push grads_[i] to the node's inputs
    void tangent_node(std::size_t i);         // compute tangents_[i] from the inputs' tangents
    Matrix* grad_for(int id);                 // grads_[id] if it needs a gradient, else nullptr
    const Matrix* tangent_for(int id) const;  // tangents_[id] if it depends on a seed, else nullptr

    std::vector<Node> nodes_;
    std::vector<Matrix> values_;              // values_[i]: the value of node i
    std::vector<Matrix> grads_;               // grads_[i]: ∂(seeded output)/∂ node i
    std::vector<char> grad_set_;              // 1: grads_[i] belongs to node i (a reused slot's old buffer does not)
    std::vector<Matrix> saved_;               // saved_[i]: what node i keeps for backward (softmax of CE)
    std::vector<std::vector<int>> labels_;    // labels_[i]: the labels of a cross-entropy node
    std::vector<Matrix> tangents_;            // tangents_[i]: [K·R, N], the K directional derivatives of node i
    std::vector<char> tangent_state_;         // 0: no tangent (constant), 1: seeded leaf, 2: computed
    std::size_t directions_ = 0;              // K of the seeds
    std::size_t used_ = 0;                    // nodes_[0, used_) are live; the rest are spare buffers
};

// RAII freezing, in the spirit of torch.no_grad: while it lives, the given leaves have requires_grad = false;
// its destructor gives each leaf back the exact flag it had. Nodes recorded while it lives need no gradient
// through those leaves (e.g. no dW while taking ∂p/∂x). It never rewinds the tape.
template <class T>
class FrozenLeaves {
public:
    FrozenLeaves(Tape<T>& tape, std::vector<Var> leaves);
    ~FrozenLeaves();
    FrozenLeaves(const FrozenLeaves&) = delete;
    FrozenLeaves& operator=(const FrozenLeaves&) = delete;

private:
    Tape<T>& tape_;
    std::vector<Var> leaves_;
    std::vector<bool> was_;                   // each leaf's requires_grad before the freeze
};

// RAII: remembers the tape's length and rewinds to it at the end of the scope, so it forgets exactly the nodes
// recorded while it lived (their buffers are kept for the next time), never one recorded before it.
template <class T>
class RewindOnExit {
public:
    explicit RewindOnExit(Tape<T>& tape) : tape_(tape), mark_(tape.mark()) {}
    ~RewindOnExit() { tape_.rewind(mark_); }
    RewindOnExit(const RewindOnExit&) = delete;
    RewindOnExit& operator=(const RewindOnExit&) = delete;
    std::size_t mark() const { return mark_; }   // rewind(mark()) forgets this scope's nodes early

private:
    Tape<T>& tape_;
    std::size_t mark_;
};

// One line per node: id, op, shape, input ids.
template <class T>
std::ostream& operator<<(std::ostream& os, const Tape<T>& tape);

extern template class Tape<float>;
extern template class Tape<double>;
extern template class FrozenLeaves<float>;
extern template class FrozenLeaves<double>;

}  // namespace nn
