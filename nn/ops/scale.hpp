// nn/ops/scale.hpp — c * a with c a constant of the node: value, reverse (VJP) and forward (JVP) kernels.
// Registered by its line in nn/ops.hpp; the constant is the node's `c` (Tape::scale, Tape::apply).
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Scale,
#elif !defined(NN_OPS_SCALE_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_SCALE_HPP

#include <xtensor/xnoalias.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// scale by a constant: y = c * a;  da += c * dy;  ẏ = c * ȧ
template <>
struct OpDef<Op::Scale> {
    static constexpr const char* name = "scale";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape, any c
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        xt::noalias(y) = in.c * in.a;
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (da) xt::noalias(*da) += in.c * dy;
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>*, std::size_t,
                        Tensor<T>& ty) {
        reshape_to(ty, ta->shape(0), ta->shape(1));
        xt::noalias(ty) = in.c * (*ta);                                      // [K·R, N]
    }
};

}  // namespace nn

#endif  // NN_OPS_SCALE_HPP
