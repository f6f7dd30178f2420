// bench/raw_blas_mlp.cpp — one training step of the ReLU MLP by hand: 5 gemms, plain loops for everything else.
// The fixed-network reference that bench_train times against the tape; no autodiff, no generality on purpose.
#include "bench/raw_blas_mlp.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

#include <xtensor-blas/xblas.hpp>

namespace bench {

namespace {
// Σ over the rows of d [B, N] -> g [1, N] (the bias gradient).
void sum_rows(const nn::Tensor<float>& d, nn::Tensor<float>& g) {
    nn::reshape_to(g, 1, d.shape(1));
    g.fill(0.f);
    for (std::size_t r = 0; r < d.shape(0); ++r)
        for (std::size_t c = 0; c < d.shape(1); ++c) g(0, c) += d(r, c);
}
// v = momentum·v + g;  w -= lr·v
void sgd_momentum(nn::Tensor<float>& w, nn::Tensor<float>& v, const nn::Tensor<float>& g, float lr, float momentum) {
    float* pw = w.data();
    float* pv = v.data();
    const float* pg = g.data();
    for (std::size_t i = 0; i < w.size(); ++i) {
        pv[i] = momentum * pv[i] + pg[i];
        pw[i] -= lr * pv[i];
    }
}
}  // namespace

RawBlasMlp::RawBlasMlp(Matrix W1_, Matrix b1_, Matrix W2_, Matrix b2_)
    : W1(std::move(W1_)), b1(std::move(b1_)), W2(std::move(W2_)), b2(std::move(b2_)) {
    vW1 = xt::zeros<float>(W1.shape());
    vb1 = xt::zeros<float>(b1.shape());
    vW2 = xt::zeros<float>(W2.shape());
    vb2 = xt::zeros<float>(b2.shape());
    nn::reshape_to(dW1, W1.shape(0), W1.shape(1));
    nn::reshape_to(dW2, W2.shape(0), W2.shape(1));
}

double RawBlasMlp::step(const Matrix& X, const std::vector<int>& labels, float lr, float momentum) {
    const std::size_t B = X.shape(0), Hn = W1.shape(1), C = W2.shape(1);
    nn::reshape_to(Z1, B, Hn);
    nn::reshape_to(H, B, Hn);
    nn::reshape_to(Z2, B, C);
    nn::reshape_to(dZ2, B, C);
    nn::reshape_to(dH, B, Hn);

    // ---- forward
    xt::blas::gemm(X, W1, Z1, false, false);                                // Z1 = X·W1        [B, H]
    for (std::size_t r = 0; r < B; ++r)
        for (std::size_t c = 0; c < Hn; ++c) {
            const float z = Z1(r, c) + b1(0, c);
            H(r, c) = z > 0.f ? z : 0.f;                                     // H = relu(Z1 + b1) [B, H]
        }
    xt::blas::gemm(H, W2, Z2, false, false);                                // Z2 = H·W2        [B, out]
    double loss = 0;
    for (std::size_t r = 0; r < B; ++r) {                                   // softmax + CE, row by row
        for (std::size_t c = 0; c < C; ++c) Z2(r, c) += b2(0, c);            // logits = H·W2 + b2
        float m = Z2(r, 0);
        for (std::size_t c = 1; c < C; ++c) m = std::max(m, Z2(r, c));
        float s = 0;
        for (std::size_t c = 0; c < C; ++c) s += std::exp(Z2(r, c) - m);
        const auto k = static_cast<std::size_t>(labels[r]);
        loss -= static_cast<double>(Z2(r, k) - m - std::log(s));            // -log p[r, label]
        for (std::size_t c = 0; c < C; ++c)                                  // dlogits = (p - onehot) / B
            dZ2(r, c) = (std::exp(Z2(r, c) - m) / s - (c == k ? 1.f : 0.f)) / static_cast<float>(B);
    }

    // ---- backward
    xt::blas::gemm(H, dZ2, dW2, true, false);                               // dW2 = Hᵀ·dZ2     [H, out]
    sum_rows(dZ2, db2);                                                     // db2 = Σ_rows dZ2 [1, out]
    xt::blas::gemm(dZ2, W2, dH, false, true);                               // dH = dZ2·W2ᵀ     [B, H]
    for (std::size_t i = 0; i < dH.size(); ++i)
        if (!(H.data()[i] > 0.f)) dH.data()[i] = 0.f;                        // dZ1 = dH·[Z1 > 0] (in place)
    xt::blas::gemm(X, dH, dW1, true, false);                                // dW1 = Xᵀ·dZ1     [in, H]
    sum_rows(dH, db1);                                                      // db1 = Σ_rows dZ1 [1, H]

    // ---- update
    sgd_momentum(W1, vW1, dW1, lr, momentum);
    sgd_momentum(b1, vb1, db1, lr, momentum);
    sgd_momentum(W2, vW2, dW2, lr, momentum);
    sgd_momentum(b2, vb2, db2, lr, momentum);
    return loss / static_cast<double>(B);
}

}  // namespace bench
