// nn/ops/softmax_cross_entropy.hpp — the classification loss on logits with integer labels, mean over the batch.
// Value, reverse (VJP) and forward (JVP) kernels; registered by its line in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
SoftmaxCrossEntropy,
#elif !defined(NN_OPS_SOFTMAX_CROSS_ENTROPY_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_SOFTMAX_CROSS_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <string>

#include "nn/ops/args.hpp"

namespace nn {

// softmax cross-entropy with integer labels, mean over the batch:
//      L = -(1/B) Σ_n log softmax(a)[n, label_n];  da += dL/B * (softmax(a) - onehot(label));
//      L̇ = (1/B) Σ_n Σ_c (softmax(a) - onehot(label))[n, c] · ȧ[n, c]   (one number per direction: [K, 1])
// `in.saved` keeps softmax(a) for the other two kernels. Stable for logits of any size (max is subtracted first).
template <>
struct OpDef<Op::SoftmaxCrossEntropy> {
    static constexpr const char* name = "softmax_cross_entropy";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>& in) {
        detail::require(in.labels.size() == in.a.shape(0), name, in.a, "need one label per row");
        for (int k : in.labels)
            if (k < 0 || static_cast<std::size_t>(k) >= in.a.shape(1))
                throw std::invalid_argument("softmax_cross_entropy: label " + std::to_string(k) +
                                            " is outside [0, " + std::to_string(in.a.shape(1)) + ")");
    }
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        const Tensor<T>& a = in.a;
        Tensor<T>& p = in.saved;
        const std::size_t B = a.shape(0), N = a.shape(1);
        reshape_to(p, B, N);                                                 // [B, N]
        reshape_to(y, 1, 1);                                                 // [1, 1]
        double loss = 0;
        for (std::size_t r = 0; r < B; ++r) {
            T m = a(r, 0);
            for (std::size_t c = 1; c < N; ++c) m = std::max(m, a(r, c));
            T s = 0;
            for (std::size_t c = 0; c < N; ++c) s += (p(r, c) = std::exp(a(r, c) - m));
            for (std::size_t c = 0; c < N; ++c) p(r, c) /= s;
            const auto k = static_cast<std::size_t>(in.labels[r]);
            loss -= static_cast<double>(a(r, k) - m - std::log(s));         // -log p[r, k], computed stably
        }
        y(0, 0) = static_cast<T>(loss / static_cast<double>(B));
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (!da) return;
        const Tensor<T>& p = in.saved;
        const std::size_t B = p.shape(0), N = p.shape(1);
        const T g = dy(0, 0) / static_cast<T>(B);
        for (std::size_t r = 0; r < B; ++r) {
            const auto k = static_cast<std::size_t>(in.labels[r]);
            for (std::size_t c = 0; c < N; ++c) (*da)(r, c) += g * (p(r, c) - (c == k ? T(1) : T(0)));
        }
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        const Tensor<T>& p = in.saved;
        const Tensor<T>& t = *ta;
        const std::size_t B = p.shape(0), N = p.shape(1);
        reshape_to(ty, K, 1);                                                // [K, 1]
        for (std::size_t k = 0; k < K; ++k) {
            double s = 0;
            for (std::size_t r = 0; r < B; ++r) {
                const auto label = static_cast<std::size_t>(in.labels[r]);
                for (std::size_t c = 0; c < N; ++c)
                    s += static_cast<double>((p(r, c) - (c == label ? T(1) : T(0))) * t(k * B + r, c));
            }
            ty(k, 0) = static_cast<T>(s / static_cast<double>(B));
        }
    }
};

}  // namespace nn

#endif  // NN_OPS_SOFTMAX_CROSS_ENTROPY_HPP
