// nn/ops/log_softmax.hpp — row-wise log of the softmax: value, reverse (VJP) and forward (JVP) kernels under the math.
// Registered by its line in nn/ops.hpp; stable for logits of any size.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
LogSoftmax,
#elif !defined(NN_OPS_LOG_SOFTMAX_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_LOG_SOFTMAX_HPP

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/ops/args.hpp"

namespace nn {

// log_softmax (row-wise): y = a - max - log Σ exp(a - max);  with p = exp(y):
//      da_c += Σ_i (p_i dy_c - p_c dy_i);  ẏ_c = Σ_i p_i (ȧ_c - ȧ_i)
// Again written without Σ_i p_i = 1 (the usual da = dy - p Σ dy forms 1 - p_c by subtraction).
template <>
struct OpDef<Op::LogSoftmax> {
    static constexpr const char* name = "log_softmax";
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
            for (std::size_t c = 0; c < N; ++c) s += std::exp(a(r, c) - m);
            const T lse = m + std::log(s);
            for (std::size_t c = 0; c < N; ++c) y(r, c) = a(r, c) - lse;
        }
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (!da) return;
        const std::size_t N = y.shape(1);
        std::vector<T> p(N);                                                 // this row's softmax
        for (std::size_t r = 0; r < y.shape(0); ++r) {
            for (std::size_t i = 0; i < N; ++i) p[i] = std::exp(y(r, i));
            for (std::size_t c = 0; c < N; ++c) {
                T s = 0;                                                     // Σ_i (p_i dy_c - p_c dy_i)
                for (std::size_t i = 0; i < N; ++i) s += p[i] * dy(r, c) - p[c] * dy(r, i);
                (*da)(r, c) += s;
            }
        }
    }
    template <class T>
    static void forward(const OpArgs<T>&, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        const Tensor<T>& t = *ta;
        const std::size_t B = y.shape(0), N = y.shape(1);
        reshape_to(ty, K * B, N);                                            // [K·B, N]
        std::vector<T> p(N);                                                 // one row's softmax
        for (std::size_t r = 0; r < B; ++r) {
            for (std::size_t i = 0; i < N; ++i) p[i] = std::exp(y(r, i));
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t c = 0; c < N; ++c) {
                    T s = 0;
                    for (std::size_t i = 0; i < N; ++i) s += p[i] * (t(k * B + r, c) - t(k * B + r, i));
                    ty(k * B + r, c) = s;
                }
        }
    }
};

}  // namespace nn

#endif  // NN_OPS_LOG_SOFTMAX_HPP
