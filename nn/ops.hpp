// nn/ops.hpp — the math of every op on the tape: a forward kernel and its backward kernel, side by side.
// Plain functions on 2-D xtensor matrices; the tape (nn/tape.hpp) decides when to call them. No graph here.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor-blas/xblas.hpp>

namespace nn {

// Every value on the tape is a row-major matrix: a batch is [B, N], a bias is [1, N], a scalar is [1, 1].
template <class T>
using Tensor = xt::xtensor<T, 2>;

// Resize y to [rows, cols]; keeps the buffer when the size is unchanged (buffers are reused step to step).
template <class T>
void reshape_to(Tensor<T>& y, std::size_t rows, std::size_t cols) {
    if (y.shape(0) != rows || y.shape(1) != cols) y.resize({rows, cols});
}

// Backward kernels take `da`, `db` as pointers: nullptr means "this input needs no gradient".
// They always accumulate (+=), so a variable used twice gets the sum of both contributions.

// ---- matmul: y = a·b;  da += dy·bᵀ,  db += aᵀ·dy   (BLAS gemm with transpose flags, no copies)
template <class T>
void matmul_forward(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& y) {
    reshape_to(y, a.shape(0), b.shape(1));                                   // [B, N]
    xt::blas::gemm(a, b, y, false, false);                                   // [B, K]·[K, N]
}
template <class T>
void matmul_backward(const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& dy,
                     Tensor<T>* da, Tensor<T>* db) {
    if (da) xt::blas::gemm(dy, b, *da, false, true, T(1), T(1));             // [B, N]·[K, N]ᵀ -> [B, K]
    if (db) xt::blas::gemm(a, dy, *db, true, false, T(1), T(1));             // [B, K]ᵀ·[B, N] -> [K, N]
}

// ---- add_bias: y = a + b (b is one row, broadcast over the batch);  da += dy,  db += Σ_rows dy
template <class T>
void add_bias_forward(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& y) {
    const std::size_t B = a.shape(0), N = a.shape(1);
    reshape_to(y, B, N);                                                     // [B, N]
    for (std::size_t r = 0; r < B; ++r)
        for (std::size_t c = 0; c < N; ++c) y(r, c) = a(r, c) + b(0, c);
}
template <class T>
void add_bias_backward(const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
    if (da) xt::noalias(*da) += dy;                                          // [B, N]
    if (db)
        for (std::size_t r = 0; r < dy.shape(0); ++r)
            for (std::size_t c = 0; c < dy.shape(1); ++c) (*db)(0, c) += dy(r, c);  // [1, N]
}

// ---- add: y = a + b;  da += dy,  db += dy
template <class T>
void add_forward(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = a + b;
}
template <class T>
void add_backward(const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
    if (da) xt::noalias(*da) += dy;
    if (db) xt::noalias(*db) += dy;
}

// ---- sub: y = a - b;  da += dy,  db -= dy
template <class T>
void sub_forward(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = a - b;
}
template <class T>
void sub_backward(const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
    if (da) xt::noalias(*da) += dy;
    if (db) xt::noalias(*db) -= dy;
}

// ---- mul (elementwise): y = a * b;  da += dy * b,  db += dy * a
template <class T>
void mul_forward(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = a * b;
}
template <class T>
void mul_backward(const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& dy,
                  Tensor<T>* da, Tensor<T>* db) {
    if (da) xt::noalias(*da) += dy * b;
    if (db) xt::noalias(*db) += dy * a;
}

// ---- scale by a constant: y = c * a;  da += c * dy
template <class T>
void scale_forward(const Tensor<T>& a, T c, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = c * a;
}
template <class T>
void scale_backward(T c, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += c * dy;
}

// ---- relu: y = max(a, 0);  da += dy * [a > 0]   (the kink at 0 takes gradient 0)
template <class T>
void relu_forward(const Tensor<T>& a, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = xt::where(a > T(0), a, T(0));
}
template <class T>
void relu_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += xt::where(y > T(0), dy, T(0));
}

// ---- sigmoid: y = 1 / (1 + e^-a);  da += dy * y * (1 - y)
template <class T>
void sigmoid_forward(const Tensor<T>& a, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = T(1) / (T(1) + xt::exp(-a));
}
template <class T>
void sigmoid_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += dy * y * (T(1) - y);
}

// ---- tanh: y = tanh(a);  da += dy * (1 - y²)
template <class T>
void tanh_forward(const Tensor<T>& a, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = xt::tanh(a);
}
template <class T>
void tanh_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += dy * (T(1) - y * y);
}

// ---- softmax (row-wise): y = exp(a - max) / Σ exp(a - max);  da += y * (dy - Σ_row dy * y)
template <class T>
void softmax_forward(const Tensor<T>& a, Tensor<T>& y) {
    const std::size_t B = a.shape(0), N = a.shape(1);
    reshape_to(y, B, N);                                                     // [B, N]
    for (std::size_t r = 0; r < B; ++r) {
        T m = a(r, 0);
        for (std::size_t c = 1; c < N; ++c) m = std::max(m, a(r, c));
        T s = 0;
        for (std::size_t c = 0; c < N; ++c) s += (y(r, c) = std::exp(a(r, c) - m));
        for (std::size_t c = 0; c < N; ++c) y(r, c) /= s;
    }
}
template <class T>
void softmax_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (!da) return;
    for (std::size_t r = 0; r < y.shape(0); ++r) {
        T dot = 0;                                                           // Σ_c dy * y for this row
        for (std::size_t c = 0; c < y.shape(1); ++c) dot += dy(r, c) * y(r, c);
        for (std::size_t c = 0; c < y.shape(1); ++c) (*da)(r, c) += y(r, c) * (dy(r, c) - dot);
    }
}

// ---- log_softmax (row-wise): y = a - max - log Σ exp(a - max);  da += dy - exp(y) * Σ_row dy
template <class T>
void log_softmax_forward(const Tensor<T>& a, Tensor<T>& y) {
    const std::size_t B = a.shape(0), N = a.shape(1);
    reshape_to(y, B, N);                                                     // [B, N]
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
void log_softmax_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (!da) return;
    for (std::size_t r = 0; r < y.shape(0); ++r) {
        T total = 0;                                                         // Σ_c dy for this row
        for (std::size_t c = 0; c < y.shape(1); ++c) total += dy(r, c);
        for (std::size_t c = 0; c < y.shape(1); ++c)
            (*da)(r, c) += dy(r, c) - std::exp(y(r, c)) * total;
    }
}

// ---- softmax cross-entropy with integer labels, mean over the batch:
//      L = -(1/B) Σ_n log softmax(a)[n, label_n];  da += dL/B * (softmax(a) - onehot(label))
// `p` saves softmax(a) for the backward pass. Stable for logits of any size (max is subtracted first).
template <class T>
void softmax_cross_entropy_forward(const Tensor<T>& a, const std::vector<int>& labels,
                                   Tensor<T>& p, Tensor<T>& y) {
    const std::size_t B = a.shape(0), N = a.shape(1);
    reshape_to(p, B, N);                                                     // [B, N]
    reshape_to(y, 1, 1);                                                     // [1, 1]
    double loss = 0;
    for (std::size_t r = 0; r < B; ++r) {
        T m = a(r, 0);
        for (std::size_t c = 1; c < N; ++c) m = std::max(m, a(r, c));
        T s = 0;
        for (std::size_t c = 0; c < N; ++c) s += (p(r, c) = std::exp(a(r, c) - m));
        for (std::size_t c = 0; c < N; ++c) p(r, c) /= s;
        const auto k = static_cast<std::size_t>(labels[r]);
        loss -= static_cast<double>(a(r, k) - m - std::log(s));             // -log p[r, k], computed stably
    }
    y(0, 0) = static_cast<T>(loss / static_cast<double>(B));
}
template <class T>
void softmax_cross_entropy_backward(const Tensor<T>& p, const std::vector<int>& labels,
                                    const Tensor<T>& dy, Tensor<T>* da) {
    if (!da) return;
    const std::size_t B = p.shape(0), N = p.shape(1);
    const T g = dy(0, 0) / static_cast<T>(B);
    for (std::size_t r = 0; r < B; ++r) {
        const auto k = static_cast<std::size_t>(labels[r]);
        for (std::size_t c = 0; c < N; ++c) (*da)(r, c) += g * (p(r, c) - (c == k ? T(1) : T(0)));
    }
}

// ---- mse: L = mean((a - b)²) over all elements;  da += dL * 2(a - b)/n,  db -= dL * 2(a - b)/n
template <class T>
void mse_forward(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& y) {
    reshape_to(y, 1, 1);
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i]);
        s += d * d;
    }
    y(0, 0) = static_cast<T>(s / static_cast<double>(a.size()));
}
template <class T>
void mse_backward(const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& dy,
                  Tensor<T>* da, Tensor<T>* db) {
    const T g = T(2) * dy(0, 0) / static_cast<T>(a.size());
    if (da) xt::noalias(*da) += g * (a - b);
    if (db) xt::noalias(*db) -= g * (a - b);
}

// ---- sum of all elements: y = Σ a;  da += dy
template <class T>
void sum_forward(const Tensor<T>& a, Tensor<T>& y) {
    reshape_to(y, 1, 1);
    double s = 0;                                                            // accumulate in double
    for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a.data()[i]);
    y(0, 0) = static_cast<T>(s);
}
template <class T>
void sum_backward(const Tensor<T>& dy, Tensor<T>* da) {
    if (da) *da += dy(0, 0);
}

// ---- mean of all elements: y = Σ a / n;  da += dy / n
template <class T>
void mean_forward(const Tensor<T>& a, Tensor<T>& y) {
    sum_forward(a, y);
    y(0, 0) /= static_cast<T>(a.size());
}
template <class T>
void mean_backward(const Tensor<T>& a, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) *da += dy(0, 0) / static_cast<T>(a.size());
}

}  // namespace nn
