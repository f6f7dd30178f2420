// nn/gemm_portable.hpp — the matrix product C = α·op(A)·op(B) + β·C in plain C++ loops, cache-blocked, no BLAS.
// What the WebAssembly build multiplies with (nn/gemm.hpp chooses it under -Dblas=false); tests/test_gemm.cpp holds it to BLAS.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace nn {

// Block sizes: a [kBlockK, kBlockN] panel of op(B) (128 KB in float) stays in the L2 cache while every
// [kBlockM, kBlockK] panel of op(A) (32 KB) streams past it; one row of the C block (1 KB) stays in L1.
constexpr std::size_t kGemmBlockM = 64, kGemmBlockK = 128, kGemmBlockN = 256;

// C [M, N] = α·op(A)·op(B) + β·C, all row-major and contiguous; op(A) is [M, K], op(B) is [K, N].
// op(X) = X, or Xᵀ when its flag is set (X is then stored as [K, M] or [N, K]). β = 0 ignores what C held, as BLAS does.
// Each block of op(A) and op(B) is first copied, transposed if need be, into a row-major panel, so the inner loop is
// always the same one: C row i += a(i, k) · B row k, over contiguous memory (the compiler vectorizes it).
template <class T>
void gemm_portable(const T* A, const T* B, T* C, std::size_t M, std::size_t N, std::size_t K, bool transpose_a,
                   bool transpose_b, T alpha, T beta) {
    if (beta == T(0)) std::fill(C, C + M * N, T(0));
    else if (beta != T(1)) for (std::size_t i = 0; i < M * N; ++i) C[i] *= beta;
    if (alpha == T(0) || K == 0) return;
    auto a_at = [&](std::size_t i, std::size_t k) { return transpose_a ? A[k * M + i] : A[i * K + k]; };  // op(A)(i, k)
    auto b_at = [&](std::size_t k, std::size_t j) { return transpose_b ? B[j * K + k] : B[k * N + j]; };  // op(B)(k, j)

    std::vector<T> a_panel(kGemmBlockM * kGemmBlockK), b_panel(kGemmBlockK * kGemmBlockN);
    for (std::size_t j0 = 0; j0 < N; j0 += kGemmBlockN) {
        const std::size_t nb = std::min(kGemmBlockN, N - j0);
        for (std::size_t k0 = 0; k0 < K; k0 += kGemmBlockK) {
            const std::size_t kb = std::min(kGemmBlockK, K - k0);
            for (std::size_t k = 0; k < kb; ++k)                                 // op(B)[k0.., j0..] -> [kb, nb]
                for (std::size_t j = 0; j < nb; ++j) b_panel[k * nb + j] = b_at(k0 + k, j0 + j);
            for (std::size_t i0 = 0; i0 < M; i0 += kGemmBlockM) {
                const std::size_t mb = std::min(kGemmBlockM, M - i0);
                for (std::size_t i = 0; i < mb; ++i)                             // α·op(A)[i0.., k0..] -> [mb, kb]
                    for (std::size_t k = 0; k < kb; ++k) a_panel[i * kb + k] = alpha * a_at(i0 + i, k0 + k);
                for (std::size_t i = 0; i < mb; ++i) {
                    T* c = C + (i0 + i) * N + j0;                                // C row i0 + i, columns j0..
                    for (std::size_t k = 0; k < kb; ++k) {
                        const T a = a_panel[i * kb + k];
                        const T* b = b_panel.data() + k * nb;
                        for (std::size_t j = 0; j < nb; ++j) c[j] += a * b[j];
                    }
                }
            }
        }
    }
}

}  // namespace nn
