// nn/ops/gelu.hpp — the exact GELU elementwise, a·Φ(a) with Φ the standard normal CDF (PyTorch's nn.GELU() with
// approximate='none', not the tanh form): value, reverse (VJP) and forward (JVP) kernels. Registered in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Gelu,
#elif !defined(NN_OPS_GELU_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_GELU_HPP

#include <cmath>
#include <cstddef>

#include "nn/ops/args.hpp"

namespace nn {

namespace detail {
// Φ(a) = ½(1 + erf(a/√2)) and φ(a) = e^(-a²/2)/√(2π): the normal CDF and density.
template <class T>
T normal_cdf(T a) {
    return T(0.5) * (T(1) + std::erf(a * T(0.70710678118654752440)));
}
template <class T>
T normal_pdf(T a) {
    return T(0.39894228040143267794) * std::exp(T(-0.5) * a * a);
}
// dy/da of GELU: Φ(a) + a·φ(a).
template <class T>
T gelu_slope(T a) {
    return normal_cdf(a) + a * normal_pdf(a);
}
}  // namespace detail

// gelu: y = a·Φ(a);  da += dy * (Φ(a) + a·φ(a));  ẏ = ȧ * (Φ(a) + a·φ(a))
template <>
struct OpDef<Op::Gelu> {
    static constexpr const char* name = "gelu";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        const T* a = in.a.data();
        T* out = y.data();
        for (std::size_t i = 0; i < in.a.size(); ++i) out[i] = a[i] * detail::normal_cdf(a[i]);
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (!da) return;
        const T* a = in.a.data();
        const T* g = dy.data();
        T* out = da->data();
        for (std::size_t i = 0; i < in.a.size(); ++i) out[i] += g[i] * detail::gelu_slope(a[i]);
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
            return ta->data()[ki] * detail::gelu_slope(in.a.data()[i]);
        });
    }
};

}  // namespace nn

#endif  // NN_OPS_GELU_HPP
