// nn/ops/leaky_relu.hpp — a for a > 0, c·a otherwise (c the slope, a constant of the node): value, reverse (VJP) and
// forward (JVP) kernels. Registered by its line in nn/ops.hpp; the slope is the node's `c`, like scale's.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
LeakyRelu,
#elif !defined(NN_OPS_LEAKY_RELU_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_LEAKY_RELU_HPP

#include <xtensor/xnoalias.hpp>
#include <xtensor/xoperation.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// leaky relu: y = a > 0 ? a : c·a;  da += dy * (a > 0 ? 1 : c);  ẏ = ȧ * (a > 0 ? 1 : c)   (the kink takes slope c)
template <>
struct OpDef<Op::LeakyRelu> {
    static constexpr const char* name = "leaky_relu";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape, any slope
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        xt::noalias(y) = xt::where(in.a > T(0), in.a, in.c * in.a);
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (da) xt::noalias(*da) += xt::where(in.a > T(0), dy, in.c * dy);   // a, not y: a slope c < 0 flips y's sign
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
            return in.a.data()[i] > T(0) ? ta->data()[ki] : in.c * ta->data()[ki];
        });
    }
};

}  // namespace nn

#endif  // NN_OPS_LEAKY_RELU_HPP
