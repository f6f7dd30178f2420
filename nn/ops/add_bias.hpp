// nn/ops/add_bias.hpp — a + b with b one row broadcast over the batch: value, reverse (VJP) and forward (JVP) kernels.
// The layer's bias; registered by its line in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
AddBias,
#elif !defined(NN_OPS_ADD_BIAS_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_ADD_BIAS_HPP

#include <xtensor/xnoalias.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// add_bias: y = a + b (b is one row, broadcast over the batch);  da += dy,  db += Σ_rows dy;  ẏ = ȧ + ḃ
template <>
struct OpDef<Op::AddBias> {
    static constexpr const char* name = "add_bias";
    static constexpr int arity = 2;
    template <class T>
    static void check(const OpArgs<T>& in) {
        detail::require(in.b.shape(0) == 1 && in.b.shape(1) == in.a.shape(1), name, in.a, &in.b,
                        "bias must be [1, N] for a [B, N] input");
    }
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        const std::size_t B = in.a.shape(0), N = in.a.shape(1);
        reshape_to(y, B, N);                                                 // [B, N]
        for (std::size_t r = 0; r < B; ++r)
            for (std::size_t c = 0; c < N; ++c) y(r, c) = in.a(r, c) + in.b(0, c);
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
        if (da) xt::noalias(*da) += dy;                                      // [B, N]
        if (db)
            for (std::size_t r = 0; r < dy.shape(0); ++r)
                for (std::size_t c = 0; c < dy.shape(1); ++c) (*db)(0, c) += dy(r, c);  // [1, N]
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>* tb,
                        std::size_t K, Tensor<T>& ty) {
        const std::size_t B = in.a.shape(0), N = in.a.shape(1);
        detail::per_block(K, B, N, ty, [&](std::size_t ki, std::size_t i) {
            const std::size_t k = ki / (B * N);                              // direction k; bias row k of ḃ
            return (ta ? ta->data()[ki] : T(0)) + (tb ? tb->data()[k * N + i % N] : T(0));
        });
    }
};

}  // namespace nn

#endif  // NN_OPS_ADD_BIAS_HPP
