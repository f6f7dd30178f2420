// nn/ops/matmul.hpp — the matrix product a·b: value, reverse (VJP) and forward (JVP) kernels under one line of math.
// Every product through nn::gemm (nn/gemm.hpp: BLAS, or the portable loops) with transpose flags, no copies;
// registered by its line in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
MatMul,
#elif !defined(NN_OPS_MATMUL_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_MATMUL_HPP

#include <algorithm>

#include "nn/gemm.hpp"
#include "nn/ops/args.hpp"

namespace nn {

// matmul: y = a·b;  da += dy·bᵀ,  db += aᵀ·dy;  ẏ = ȧ·b + a·ḃ
template <>
struct OpDef<Op::MatMul> {
    static constexpr const char* name = "matmul";
    static constexpr int arity = 2;
    template <class T>
    static void check(const OpArgs<T>& in) {
        detail::require(in.a.shape(1) == in.b.shape(0), name, in.a, &in.b, "inner sizes differ");
    }
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.b.shape(1));                         // [B, N]
        nn::gemm(in.a, in.b, y, false, false);                               // [B, K]·[K, N]
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
        const Tensor<T>& a = in.a;                                           // [B, K]
        const Tensor<T>& b = in.b;                                           // [K, N]
        if (da) nn::gemm(dy, b, *da, false, true, T(1), T(1));               // [B, N]·[K, N]ᵀ -> [B, K]
        if (db) nn::gemm(a, dy, *db, true, false, T(1), T(1));               // [B, K]ᵀ·[B, N] -> [K, N]
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>* tb,
                        std::size_t K, Tensor<T>& ty) {
        const Tensor<T>& a = in.a;                                           // [B, M]
        const Tensor<T>& b = in.b;                                           // [M, N]
        const std::size_t B = a.shape(0), M = a.shape(1), N = b.shape(1);
        reshape_to(ty, K * B, N);                                            // [K·B, N]
        if (ta) nn::gemm(*ta, b, ty, false, false);                          // [K·B, M]·[M, N]: all K at once
        else ty.fill(T(0));
        if (!tb) return;
        Tensor<T> tb_k({M, N}), part({B, N});                                // one direction of ḃ at a time
        for (std::size_t k = 0; k < K; ++k) {
            std::copy(tb->data() + k * M * N, tb->data() + (k + 1) * M * N, tb_k.data());
            nn::gemm(a, tb_k, part, false, false);                           // [B, M]·[M, N]
            T* out = ty.data() + k * B * N;
            for (std::size_t i = 0; i < B * N; ++i) out[i] += part.data()[i];
        }
    }
};

}  // namespace nn

#endif  // NN_OPS_MATMUL_HPP
