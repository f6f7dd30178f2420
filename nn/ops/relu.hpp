// nn/ops/relu.hpp — max(a, 0) elementwise: value, reverse (VJP) and forward (JVP) kernels under one line of math.
// Registered by its line in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Relu,
#elif !defined(NN_OPS_RELU_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_RELU_HPP

#include <xtensor/xnoalias.hpp>
#include <xtensor/xoperation.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// relu: y = max(a, 0);  da += dy * [a > 0];  ẏ = ȧ * [a > 0]   (the kink at 0 takes derivative 0)
template <>
struct OpDef<Op::Relu> {
    static constexpr const char* name = "relu";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        xt::noalias(y) = xt::where(in.a > T(0), in.a, T(0));
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (da) xt::noalias(*da) += xt::where(y > T(0), dy, T(0));
    }
    template <class T>
    static void forward(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        detail::per_block(K, y.shape(0), y.shape(1), ty,
                          [&](std::size_t ki, std::size_t i) { return y.data()[i] > T(0) ? ta->data()[ki] : T(0); });
    }
};

}  // namespace nn

#endif  // NN_OPS_RELU_HPP
