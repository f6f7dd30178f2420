// nn/ops.hpp — the math of every op on the tape: forward, backward (VJP) and tangent (JVP) kernels, side by side.
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

#include "nn/tensor.hpp"

namespace nn {

// Backward kernels take `da`, `db` as pointers: nullptr means "this input needs no gradient".
// They always accumulate (+=), so a variable used twice gets the sum of both contributions.
//
// Tangent kernels (forward mode) push K directions at once. A tangent is stacked: for a value [R, N] it is
// [K·R, N], rows [k·R, (k+1)·R) being the derivative of the value along direction k. They take `ta`, `tb` as
// pointers (nullptr: that input does not depend on the seeded leaves, its tangent is 0) and overwrite `ty`.
// Notation: ȧ is the tangent of a (a dot over the name), dy the gradient (adjoint) of y.

namespace detail {
// For each direction k and element i of a [R, N] value: ty[ki] = f(ki, i), with ki = k·R·N + i the same element
// in block k of the stacked tangents (ta, tb, ty) and i its index in the value (a, b, y).
template <class T, class F>
void per_block(std::size_t K, std::size_t rows, std::size_t cols, Tensor<T>& ty, F f) {
    reshape_to(ty, K * rows, cols);
    const std::size_t n = rows * cols;
    T* out = ty.data();
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t i = 0; i < n; ++i) out[k * n + i] = f(k * n + i, i);
}
}  // namespace detail

// ---- matmul: y = a·b;  da += dy·bᵀ,  db += aᵀ·dy;  ẏ = ȧ·b + a·ḃ   (BLAS gemm with transpose flags, no copies)
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
template <class T>
void matmul_tangent(const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>* ta, const Tensor<T>* tb,
                    std::size_t K, Tensor<T>& ty) {
    const std::size_t B = a.shape(0), M = a.shape(1), N = b.shape(1);
    reshape_to(ty, K * B, N);                                                // [K·B, N]
    if (ta) xt::blas::gemm(*ta, b, ty, false, false);                        // [K·B, M]·[M, N]: all K at once
    else ty.fill(T(0));
    if (!tb) return;
    Tensor<T> tb_k({M, N}), part({B, N});                                    // one direction of ḃ at a time
    for (std::size_t k = 0; k < K; ++k) {
        std::copy(tb->data() + k * M * N, tb->data() + (k + 1) * M * N, tb_k.data());
        xt::blas::gemm(a, tb_k, part, false, false);                         // [B, M]·[M, N]
        T* out = ty.data() + k * B * N;
        for (std::size_t i = 0; i < B * N; ++i) out[i] += part.data()[i];
    }
}

// ---- add_bias: y = a + b (b is one row, broadcast over the batch);  da += dy,  db += Σ_rows dy;  ẏ = ȧ + ḃ
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
template <class T>
void add_bias_tangent(const Tensor<T>& a, const Tensor<T>* ta, const Tensor<T>* tb, std::size_t K, Tensor<T>& ty) {
    const std::size_t B = a.shape(0), N = a.shape(1);
    detail::per_block(K, B, N, ty, [&](std::size_t ki, std::size_t i) {
        const std::size_t k = ki / (B * N);                                  // direction k; bias row k of ḃ
        return (ta ? ta->data()[ki] : T(0)) + (tb ? tb->data()[k * N + i % N] : T(0));
    });
}

// ---- add: y = a + b;  da += dy,  db += dy;  ẏ = ȧ + ḃ
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
template <class T>
void add_tangent(const Tensor<T>& a, const Tensor<T>* ta, const Tensor<T>* tb, std::size_t K, Tensor<T>& ty) {
    detail::per_block(K, a.shape(0), a.shape(1), ty, [&](std::size_t ki, std::size_t) {
        return (ta ? ta->data()[ki] : T(0)) + (tb ? tb->data()[ki] : T(0));
    });
}

// ---- sub: y = a - b;  da += dy,  db -= dy;  ẏ = ȧ - ḃ
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
template <class T>
void sub_tangent(const Tensor<T>& a, const Tensor<T>* ta, const Tensor<T>* tb, std::size_t K, Tensor<T>& ty) {
    detail::per_block(K, a.shape(0), a.shape(1), ty, [&](std::size_t ki, std::size_t) {
        return (ta ? ta->data()[ki] : T(0)) - (tb ? tb->data()[ki] : T(0));
    });
}

// ---- mul (elementwise): y = a * b;  da += dy * b,  db += dy * a;  ẏ = ȧ * b + a * ḃ
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
template <class T>
void mul_tangent(const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>* ta, const Tensor<T>* tb, std::size_t K,
                 Tensor<T>& ty) {
    detail::per_block(K, a.shape(0), a.shape(1), ty, [&](std::size_t ki, std::size_t i) {
        return (ta ? ta->data()[ki] * b.data()[i] : T(0)) + (tb ? a.data()[i] * tb->data()[ki] : T(0));
    });
}

// ---- scale by a constant: y = c * a;  da += c * dy;  ẏ = c * ȧ
template <class T>
void scale_forward(const Tensor<T>& a, T c, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = c * a;
}
template <class T>
void scale_backward(T c, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += c * dy;
}
template <class T>
void scale_tangent(T c, const Tensor<T>& ta, Tensor<T>& ty) {
    reshape_to(ty, ta.shape(0), ta.shape(1));
    xt::noalias(ty) = c * ta;                                                // [K·R, N]
}

// ---- relu: y = max(a, 0);  da += dy * [a > 0];  ẏ = ȧ * [a > 0]   (the kink at 0 takes derivative 0)
template <class T>
void relu_forward(const Tensor<T>& a, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = xt::where(a > T(0), a, T(0));
}
template <class T>
void relu_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += xt::where(y > T(0), dy, T(0));
}
template <class T>
void relu_tangent(const Tensor<T>& y, const Tensor<T>& ta, std::size_t K, Tensor<T>& ty) {
    detail::per_block(K, y.shape(0), y.shape(1), ty,
                      [&](std::size_t ki, std::size_t i) { return y.data()[i] > T(0) ? ta.data()[ki] : T(0); });
}

// ---- sigmoid: y = 1 / (1 + e^-a);  da += dy * y * (1 - y);  ẏ = ȧ * y * (1 - y)
template <class T>
void sigmoid_forward(const Tensor<T>& a, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = T(1) / (T(1) + xt::exp(-a));
}
template <class T>
void sigmoid_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += dy * y * (T(1) - y);
}
template <class T>
void sigmoid_tangent(const Tensor<T>& y, const Tensor<T>& ta, std::size_t K, Tensor<T>& ty) {
    detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
        return ta.data()[ki] * y.data()[i] * (T(1) - y.data()[i]);
    });
}

// ---- tanh: y = tanh(a);  da += dy * (1 - y²);  ẏ = ȧ * (1 - y²)
template <class T>
void tanh_forward(const Tensor<T>& a, Tensor<T>& y) {
    reshape_to(y, a.shape(0), a.shape(1));
    xt::noalias(y) = xt::tanh(a);
}
template <class T>
void tanh_backward(const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) xt::noalias(*da) += dy * (T(1) - y * y);
}
template <class T>
void tanh_tangent(const Tensor<T>& y, const Tensor<T>& ta, std::size_t K, Tensor<T>& ty) {
    detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
        return ta.data()[ki] * (T(1) - y.data()[i] * y.data()[i]);
    });
}

// ---- softmax (row-wise): y = exp(a - max) / Σ exp(a - max);  da_c += y_c Σ_i y_i (dy_c - dy_i);
//      ẏ_c = y_c Σ_i y_i (ȧ_c - ȧ_i)   (the Jacobian diag(y) - y·yᵀ is symmetric: the same formula both ways)
// Written without Σ_i y_i = 1, which the usual y ⊙ (dy - Σ dy ⊙ y) uses: that form computes 1 - y_c by
// subtraction, and for a confident row (1 - y_c ~ 1e-6 in float) it keeps only the first digit. Here the term
// i = c is exactly 0, so a one-hot dy leaves y_c Σ_{i≠c} y_i: a sum of small, accurate numbers. O(N²) per row.
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
    const std::size_t N = y.shape(1);
    for (std::size_t r = 0; r < y.shape(0); ++r)
        for (std::size_t c = 0; c < N; ++c) {
            T s = 0;                                                         // Σ_i y_i (dy_c - dy_i): no 1 - y_c
            for (std::size_t i = 0; i < N; ++i) s += y(r, i) * (dy(r, c) - dy(r, i));
            (*da)(r, c) += y(r, c) * s;
        }
}
template <class T>
void softmax_tangent(const Tensor<T>& y, const Tensor<T>& ta, std::size_t K, Tensor<T>& ty) {
    const std::size_t B = y.shape(0), N = y.shape(1);
    reshape_to(ty, K * B, N);                                                // [K·B, N]
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t r = 0; r < B; ++r)
            for (std::size_t c = 0; c < N; ++c) {
                T s = 0;
                for (std::size_t i = 0; i < N; ++i) s += y(r, i) * (ta(k * B + r, c) - ta(k * B + r, i));
                ty(k * B + r, c) = y(r, c) * s;
            }
}

// ---- log_softmax (row-wise): y = a - max - log Σ exp(a - max);  with p = exp(y):
//      da_c += Σ_i (p_i dy_c - p_c dy_i);  ẏ_c = Σ_i p_i (ȧ_c - ȧ_i)
// Again written without Σ_i p_i = 1 (the usual da = dy - p Σ dy forms 1 - p_c by subtraction).
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
    const std::size_t N = y.shape(1);
    std::vector<T> p(N);                                                     // this row's softmax
    for (std::size_t r = 0; r < y.shape(0); ++r) {
        for (std::size_t i = 0; i < N; ++i) p[i] = std::exp(y(r, i));
        for (std::size_t c = 0; c < N; ++c) {
            T s = 0;                                                         // Σ_i (p_i dy_c - p_c dy_i)
            for (std::size_t i = 0; i < N; ++i) s += p[i] * dy(r, c) - p[c] * dy(r, i);
            (*da)(r, c) += s;
        }
    }
}
template <class T>
void log_softmax_tangent(const Tensor<T>& y, const Tensor<T>& ta, std::size_t K, Tensor<T>& ty) {
    const std::size_t B = y.shape(0), N = y.shape(1);
    reshape_to(ty, K * B, N);                                                // [K·B, N]
    std::vector<T> p(N);                                                     // one row's softmax
    for (std::size_t r = 0; r < B; ++r) {
        for (std::size_t i = 0; i < N; ++i) p[i] = std::exp(y(r, i));
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t c = 0; c < N; ++c) {
                T s = 0;
                for (std::size_t i = 0; i < N; ++i) s += p[i] * (ta(k * B + r, c) - ta(k * B + r, i));
                ty(k * B + r, c) = s;
            }
    }
}

// ---- softmax cross-entropy with integer labels, mean over the batch:
//      L = -(1/B) Σ_n log softmax(a)[n, label_n];  da += dL/B * (softmax(a) - onehot(label));
//      L̇ = (1/B) Σ_n Σ_c (softmax(a) - onehot(label))[n, c] · ȧ[n, c]   (one number per direction: [K, 1])
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
template <class T>
void softmax_cross_entropy_tangent(const Tensor<T>& p, const std::vector<int>& labels, const Tensor<T>& ta,
                                   std::size_t K, Tensor<T>& ty) {
    const std::size_t B = p.shape(0), N = p.shape(1);
    reshape_to(ty, K, 1);                                                    // [K, 1]
    for (std::size_t k = 0; k < K; ++k) {
        double s = 0;
        for (std::size_t r = 0; r < B; ++r) {
            const auto label = static_cast<std::size_t>(labels[r]);
            for (std::size_t c = 0; c < N; ++c)
                s += static_cast<double>((p(r, c) - (c == label ? T(1) : T(0))) * ta(k * B + r, c));
        }
        ty(k, 0) = static_cast<T>(s / static_cast<double>(B));
    }
}

// ---- mse: L = mean((a - b)²) over all elements;  da += dL * 2(a - b)/n,  db -= dL * 2(a - b)/n;
//      L̇ = Σ 2(a - b)(ȧ - ḃ)/n   (one number per direction: [K, 1])
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
template <class T>
void mse_tangent(const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>* ta, const Tensor<T>* tb, std::size_t K,
                 Tensor<T>& ty) {
    const std::size_t n = a.size();
    reshape_to(ty, K, 1);                                                    // [K, 1]
    for (std::size_t k = 0; k < K; ++k) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const T d = (ta ? ta->data()[k * n + i] : T(0)) - (tb ? tb->data()[k * n + i] : T(0));
            s += 2.0 * static_cast<double>(a.data()[i] - b.data()[i]) * static_cast<double>(d);
        }
        ty(k, 0) = static_cast<T>(s / static_cast<double>(n));
    }
}

// ---- sum of all elements: y = Σ a;  da += dy;  ẏ = Σ ȧ   (one number per direction: [K, 1])
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
template <class T>
void sum_tangent(const Tensor<T>& a, const Tensor<T>& ta, std::size_t K, Tensor<T>& ty) {
    const std::size_t n = a.size();
    reshape_to(ty, K, 1);                                                    // [K, 1]
    for (std::size_t k = 0; k < K; ++k) {
        double s = 0;                                                        // accumulate in double
        for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(ta.data()[k * n + i]);
        ty(k, 0) = static_cast<T>(s);
    }
}

// ---- mean of all elements: y = Σ a / n;  da += dy / n;  ẏ = Σ ȧ / n
template <class T>
void mean_forward(const Tensor<T>& a, Tensor<T>& y) {
    sum_forward(a, y);
    y(0, 0) /= static_cast<T>(a.size());
}
template <class T>
void mean_backward(const Tensor<T>& a, const Tensor<T>& dy, Tensor<T>* da) {
    if (da) *da += dy(0, 0) / static_cast<T>(a.size());
}
template <class T>
void mean_tangent(const Tensor<T>& a, const Tensor<T>& ta, std::size_t K, Tensor<T>& ty) {
    sum_tangent(a, ta, K, ty);
    ty /= static_cast<T>(a.size());
}

}  // namespace nn
