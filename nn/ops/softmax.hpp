// nn/ops/softmax.hpp — row-wise softmax: value, reverse (VJP) and forward (JVP) kernels under the math.
// Registered by its line in nn/ops.hpp; the loss on logits is softmax_cross_entropy.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Softmax,
#elif !defined(NN_OPS_SOFTMAX_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_SOFTMAX_HPP

#include <algorithm>
#include <cmath>

#include "nn/ops/args.hpp"

namespace nn {

// softmax (row-wise): y = exp(a - max) / Σ exp(a - max);  da_c += y_c Σ_i y_i (dy_c - dy_i);
//      ẏ_c = y_c Σ_i y_i (ȧ_c - ȧ_i)   (the Jacobian diag(y) - y·yᵀ is symmetric: the same formula both ways)
// Written without Σ_i y_i = 1, which the usual y ⊙ (dy - Σ dy ⊙ y) uses: that form computes 1 - y_c by
// subtraction, and for a confident row (1 - y_c ~ 1e-6 in float) it keeps only the first digit. Here the term
// i = c is exactly 0, so a one-hot dy leaves y_c Σ_{i≠c} y_i: a sum of small, accurate numbers. O(N²) per row.
template <>
struct OpDef<Op::Softmax> {
    static constexpr const char* name = "softmax";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        const Tensor<T>& a = in.a;
        const std::size_t B = a.shape(0), N = a.shape(1);
        reshape_to(y, B, N);                                                 // [B, N]
        for (std::size_t r = 0; r < B; ++r) {
            T m = a(r, 0);
            for (std::size_t c = 1; c < N; ++c) m = std::max(m, a(r, c));
            T s = 0;
            for (std::size_t c = 0; c < N; ++c) s += (y(r, c) = std::exp(a(r, c) - m));
            for (std::size_t c = 0; c < N; ++c) y(r, c) /= s;
        }
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (!da) return;
        const std::size_t N = y.shape(1);
        for (std::size_t r = 0; r < y.shape(0); ++r)
            for (std::size_t c = 0; c < N; ++c) {
                T s = 0;                                                     // Σ_i y_i (dy_c - dy_i): no 1 - y_c
                for (std::size_t i = 0; i < N; ++i) s += y(r, i) * (dy(r, c) - dy(r, i));
                (*da)(r, c) += y(r, c) * s;
            }
    }
    template <class T>
    static void forward(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        const Tensor<T>& t = *ta;
        const std::size_t B = y.shape(0), N = y.shape(1);
        reshape_to(ty, K * B, N);                                            // [K·B, N]
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t r = 0; r < B; ++r)
                for (std::size_t c = 0; c < N; ++c) {
                    T s = 0;
                    for (std::size_t i = 0; i < N; ++i) s += y(r, i) * (t(k * B + r, c) - t(k * B + r, i));
                    ty(k * B + r, c) = y(r, c) * s;
                }
    }
};

}  // namespace nn

#endif  // NN_OPS_SOFTMAX_HPP
