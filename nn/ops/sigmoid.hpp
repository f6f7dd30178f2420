// nn/ops/sigmoid.hpp — the logistic function elementwise: value, reverse (VJP) and forward (JVP) kernels.
// Registered by its line in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Sigmoid,
#elif !defined(NN_OPS_SIGMOID_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_SIGMOID_HPP

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// sigmoid: y = 1 / (1 + e^-a);  da += dy * y * (1 - y);  ẏ = ȧ * y * (1 - y)
// The value reads a clamped to [-700, 700] (e^700 is finite in double): xsimd's exp of a huge argument converts it to an
// integer, which is undefined behaviour (see tanh.hpp). Below -700 the true value is under 1e-304 anyway.
template <>
struct OpDef<Op::Sigmoid> {
    static constexpr const char* name = "sigmoid";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        const auto a = xt::where(in.a > T(700), T(700), xt::where(in.a < T(-700), T(-700), in.a));   // lazy, over in.a
        xt::noalias(y) = T(1) / (T(1) + xt::exp(-a));
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (da) xt::noalias(*da) += dy * y * (T(1) - y);
    }
    template <class T>
    static void forward(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
            return ta->data()[ki] * y.data()[i] * (T(1) - y.data()[i]);
        });
    }
};

}  // namespace nn

#endif  // NN_OPS_SIGMOID_HPP
