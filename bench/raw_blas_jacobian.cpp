// bench/raw_blas_jacobian.cpp — one forward and C backward passes on BLAS; the dX gemm writes into J's slice for class i.
// Not used by the library: bench_jacobian times it to show what writing J in place (instead of copying) is worth.
#include "bench/raw_blas_jacobian.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <xtensor-blas/xblas.hpp>

namespace bench {

void raw_blas_jacobian(const nn::Tensor<float>& W1, const nn::Tensor<float>& b1, const nn::Tensor<float>& W2,
                       const nn::Tensor<float>& b2, const nn::Tensor<float>& X, xt::xtensor<float, 3>& J) {
    const std::size_t N = X.shape(0), D = W1.shape(0), H = W1.shape(1), C = W2.shape(1);
    if (X.shape(1) != D || J.shape(0) != N || J.shape(1) != C || J.shape(2) != D)
        throw std::invalid_argument("raw_blas_jacobian: shapes do not fit");
    nn::Tensor<float> A1({N, H}), P({N, C}), dZ2({N, C}), dH({N, H});      // [N, H], [N, C], [N, C], [N, H]
    xt::blas::gemm(X, W1, A1, false, false);                               // [N, D]·[D, H]
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t h = 0; h < H; ++h) A1(n, h) = std::max(A1(n, h) + b1(0, h), 0.f);   // relu(Z1)
    xt::blas::gemm(A1, W2, P, false, false);                               // [N, H]·[H, C]
    for (std::size_t n = 0; n < N; ++n) {                                  // softmax, row by row
        float m = P(n, 0) + b2(0, 0), s = 0;
        for (std::size_t c = 0; c < C; ++c) m = std::max(m, P(n, c) + b2(0, c));
        for (std::size_t c = 0; c < C; ++c) s += (P(n, c) = std::exp(P(n, c) + b2(0, c) - m));
        for (std::size_t c = 0; c < C; ++c) P(n, c) /= s;
    }
    for (std::size_t i = 0; i < C; ++i) {
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t c = 0; c < C; ++c)
                dZ2(n, c) = P(n, i) * ((c == i ? 1.f : 0.f) - P(n, c));    // ∂p_i/∂z_c = p_i (δ_ic − p_c)
        xt::blas::gemm(dZ2, W2, dH, false, true);                          // [N, C]·[H, C]ᵀ -> [N, H]
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t h = 0; h < H; ++h)
                if (A1(n, h) <= 0.f) dH(n, h) = 0.f;                       // through the relu: dZ1
        // dX = dZ1·W1ᵀ [N, D], row n at J[n, i, :]: leading dimension C·D.
        cxxblas::gemm<xt::blas_index_t>(cxxblas::StorageOrder::RowMajor, cxxblas::Transpose::NoTrans,
                                        cxxblas::Transpose::Trans, static_cast<xt::blas_index_t>(N),
                                        static_cast<xt::blas_index_t>(D), static_cast<xt::blas_index_t>(H), 1.f,
                                        dH.data(), static_cast<xt::blas_index_t>(H), W1.data(),
                                        static_cast<xt::blas_index_t>(H), 0.f, J.data() + i * D,
                                        static_cast<xt::blas_index_t>(C * D));
    }
}

}  // namespace bench
