// nn/ops/leaf.hpp — the leaf: an input or a parameter, whose value the caller gives (Tape::leaf).
// It has no inputs and nothing to compute; its row in the table exists so that the table covers the whole enum.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Leaf,
#elif !defined(NN_OPS_LEAF_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_LEAF_HPP

#include "nn/ops/args.hpp"

namespace nn {

// leaf: y given;  no inputs, so no gradient or tangent to pass on (the tape's walks skip leaves)
template <>
struct OpDef<Op::Leaf> {
    static constexpr const char* name = "leaf";
    static constexpr int arity = 0;
    template <class T>
    static void check(const OpArgs<T>&) {}
    template <class T>
    static void value(const OpArgs<T>&, Tensor<T>&) {}
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>&, const Tensor<T>&, Tensor<T>*, Tensor<T>*) {}
    template <class T>
    static void forward(const OpArgs<T>&, const Tensor<T>&, const Tensor<T>*, const Tensor<T>*, std::size_t,
                        Tensor<T>&) {}
};

}  // namespace nn

#endif  // NN_OPS_LEAF_HPP
