// nn/ops/tanh.hpp — the hyperbolic tangent elementwise: value, reverse (VJP) and forward (JVP) kernels.
// Registered by its line in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Tanh,
#elif !defined(NN_OPS_TANH_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_TANH_HPP

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// tanh: y = tanh(a);  da += dy * (1 - y²);  ẏ = ȧ * (1 - y²)
// The value reads a clamped to [-20, 20]: tanh(±20) is ±1 in double already, and xsimd's tanh of a huge argument
// (beyond ~9e18) converts it to an integer inside exp, which is undefined behaviour. A NaN input stays NaN.
// The clamp is two xt::where, which keep xsimd's fast path (xt::clip has none: 7x slower).
template <>
struct OpDef<Op::Tanh> {
    static constexpr const char* name = "tanh";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        xt::noalias(y) = xt::tanh(xt::where(in.a > T(20), T(20), xt::where(in.a < T(-20), T(-20), in.a)));
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (da) xt::noalias(*da) += dy * (T(1) - y * y);
    }
    template <class T>
    static void forward(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
            return ta->data()[ki] * (T(1) - y.data()[i] * y.data()[i]);
        });
    }
};

}  // namespace nn

#endif  // NN_OPS_TANH_HPP
