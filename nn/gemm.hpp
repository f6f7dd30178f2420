// nn/gemm.hpp — the engine's one matrix product, C = α·op(A)·op(B) + β·C with transpose flags: every product in nn/ calls it.
// Native builds hand it to BLAS (xtensor-blas, OpenBLAS); `meson setup -Dblas=false` and the WebAssembly build use nn/gemm_portable.hpp.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "nn/gemm_portable.hpp"
#include "nn/tensor.hpp"

#ifndef NNSENSE_BLAS
#define NNSENSE_BLAS 1   // meson sets it from the `blas` option; a build by hand gets BLAS unless it says otherwise
#endif
#if NNSENSE_BLAS
#include <xtensor-blas/xblas.hpp>
#endif

namespace nn {

// Which implementation gemm() calls in this build: "blas" or "portable".
constexpr const char* gemm_backend() { return NNSENSE_BLAS ? "blas" : "portable"; }

// C = α·op(A)·op(B) + β·C, op(X) = X or Xᵀ (the flags), the arguments in xt::blas::gemm's order. C must already
// be [M, N] (op(A) is [M, K], op(B) [K, N]); throws std::invalid_argument naming the shapes otherwise.
// β = 0 overwrites C whatever it held; K = 0 leaves β·C; an empty C is left alone.
template <class T>
void gemm(const Tensor<T>& A, const Tensor<T>& B, Tensor<T>& C, bool transpose_a = false, bool transpose_b = false,
          T alpha = T(1), T beta = T(0)) {
    const std::size_t M = transpose_a ? A.shape(1) : A.shape(0), K = transpose_a ? A.shape(0) : A.shape(1);
    const std::size_t KB = transpose_b ? B.shape(1) : B.shape(0), N = transpose_b ? B.shape(0) : B.shape(1);
    if (K != KB || C.shape(0) != M || C.shape(1) != N) {
        auto s = [](const Tensor<T>& m, bool t) {
            return "[" + std::to_string(m.shape(0)) + ", " + std::to_string(m.shape(1)) + "]" + (t ? "ᵀ" : "");
        };
        throw std::invalid_argument("gemm: " + s(A, transpose_a) + "·" + s(B, transpose_b) + " does not fit into " +
                                    s(C, false));
    }
    if (M == 0 || N == 0) return;
#if NNSENSE_BLAS
    if (K > 0) {                                     // BLAS refuses a leading dimension of 0
        xt::blas::gemm(A, B, C, transpose_a, transpose_b, alpha, beta);
        return;
    }
#endif
    gemm_portable(A.data(), B.data(), C.data(), M, N, K, transpose_a, transpose_b, alpha, beta);
}

}  // namespace nn
