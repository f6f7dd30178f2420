// tests/test_gemm.cpp — the two implementations of the engine's matrix product (nn/gemm.hpp) give the same numbers:
// the portable blocked loops against OpenBLAS on random shapes, all four transpose cases, edge and empty shapes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include <xtensor-blas/xblas.hpp>

#include "nn/gemm.hpp"

namespace {

template <class T>
nn::Tensor<T> random_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(-1, 1);
    nn::Tensor<T> m({rows, cols});
    for (auto& v : m) v = static_cast<T>(u(rng));
    return m;
}

struct Case {
    std::size_t M, N, K;
    bool ta, tb;
    double alpha, beta;
};

std::string describe(const Case& c) {
    return std::to_string(c.M) + "x" + std::to_string(c.K) + (c.ta ? "ᵀ" : "") + " · " + std::to_string(c.K) + "x" +
           std::to_string(c.N) + (c.tb ? "ᵀ" : "") + ", α = " + std::to_string(c.alpha) + ", β = " +
           std::to_string(c.beta);
}

// The largest |C_portable − C_blas| relative to the size the sum can have: |α|·Σ_k |op(A)(i,k)|·|op(B)(k,j)| + |β|·|C(i,j)|
// (what rounding in either summation order is proportional to), over every element.
template <class T>
double relative_difference(const Case& c, bool portable_ta, bool portable_tb, std::mt19937_64& rng) {
    const nn::Tensor<T> A = c.ta ? random_matrix<T>(c.K, c.M, rng) : random_matrix<T>(c.M, c.K, rng);
    const nn::Tensor<T> B = c.tb ? random_matrix<T>(c.N, c.K, rng) : random_matrix<T>(c.K, c.N, rng);
    const nn::Tensor<T> C0 = random_matrix<T>(c.M, c.N, rng);
    nn::Tensor<T> blas = C0, portable = C0;
    const T alpha = static_cast<T>(c.alpha), beta = static_cast<T>(c.beta);
    if (c.M > 0 && c.N > 0 && c.K > 0) xt::blas::gemm(A, B, blas, c.ta, c.tb, alpha, beta);
    else for (auto& v : blas) v *= beta;                      // what BLAS means by an empty sum (it refuses K = 0)
    nn::gemm_portable(A.data(), B.data(), portable.data(), c.M, c.N, c.K, portable_ta, portable_tb, alpha, beta);
    // The scale for every element at once, in double: |α|·|op(A)|·|op(B)| + |β|·|C0| (one BLAS product of the
    // absolute values; an element-by-element triple loop took minutes in the -O0 ASan build).
    auto absolute = [](const nn::Tensor<T>& m) {
        nn::Tensor<double> out(m.shape());
        for (std::size_t i = 0; i < m.size(); ++i) out.data()[i] = std::abs(static_cast<double>(m.data()[i]));
        return out;
    };
    nn::Tensor<double> scale = absolute(C0);                                      // [M, N]
    for (auto& v : scale) v *= std::abs(c.beta);
    if (c.M > 0 && c.N > 0 && c.K > 0)
        xt::blas::gemm(absolute(A), absolute(B), scale, c.ta, c.tb, std::abs(c.alpha), 1.0);
    double worst = 0;
    for (std::size_t i = 0; i < c.M; ++i)
        for (std::size_t j = 0; j < c.N; ++j) {
            const double d = std::abs(static_cast<double>(portable(i, j)) - static_cast<double>(blas(i, j)));
            worst = std::max(worst, d / std::max(scale(i, j), std::numeric_limits<double>::min()));
        }
    return worst;
}

// Shapes: random ones around and across the block sizes, the engine's own (a batch through 784-256-10), edge shapes.
std::vector<Case> cases() {
    std::vector<Case> out;
    std::mt19937_64 rng(23);
    std::uniform_int_distribution<std::size_t> size(1, 300);
    const double scalars[][2] = {{1, 0}, {1, 1}, {-0.5, 2}, {0.25, -1}};
    for (int r = 0; r < 24; ++r)
        for (bool ta : {false, true})
            for (bool tb : {false, true}) {
                const auto& s = scalars[r % 4];
                out.push_back({size(rng), size(rng), size(rng), ta, tb, s[0], s[1]});
            }
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            out.push_back({100, 256, 784, ta, tb, 1, 0});          // X·W1 of a batch of 100
            out.push_back({784, 256, 100, ta, tb, 1, 1});          // Xᵀ·dZ accumulated into dW1
            out.push_back({1, 300, 77, ta, tb, 1, 0});             // one row
            out.push_back({300, 1, 77, ta, tb, 1, 1});             // one column
            out.push_back({1, 1, 1, ta, tb, 2, 0});
            out.push_back({5, 7, 1, ta, tb, 1, 1});                // an outer product
            out.push_back({0, 7, 3, ta, tb, 1, 0});                // empty: no rows, no columns, no inner sum
            out.push_back({7, 0, 3, ta, tb, 1, 0});
            out.push_back({4, 6, 0, ta, tb, 1, 0.5});
        }
    return out;
}

}  // namespace

TEST_CASE("the portable product equals BLAS to 1e-6 (float) and 1e-12 (double) relative, every transpose case") {
    std::mt19937_64 rng(7);
    double worst_float = 0, worst_double = 0;
    for (const Case& c : cases()) {
        CAPTURE(describe(c));
        const double f = relative_difference<float>(c, c.ta, c.tb, rng);
        const double d = relative_difference<double>(c, c.ta, c.tb, rng);
        CHECK(f <= 1e-6);
        CHECK(d <= 1e-12);
        worst_float = std::max(worst_float, f);
        worst_double = std::max(worst_double, d);
    }
    MESSAGE("largest relative difference portable vs BLAS: float " << worst_float << ", double " << worst_double
            << " over " << cases().size() << " shapes");
}

TEST_CASE("the comparison fails for a wrong product: the portable side reading A untransposed") {
    std::mt19937_64 rng(3);
    const Case c{40, 30, 40, true, false, 1, 0};               // A square, so the wrong reading still fits
    CHECK(relative_difference<double>(c, false, false, rng) > 0.01);
    CHECK(relative_difference<double>(c, true, false, rng) <= 1e-12);
}

TEST_CASE("gemm in this build: β = 0 ignores what C held, K = 0 leaves β·C, wrong shapes are refused by name") {
    MESSAGE("nn::gemm backend in this build: " << std::string(nn::gemm_backend()));
    nn::Tensor<float> A = {{1, 2}, {3, 4}}, B = {{5, 6}, {7, 8}};
    nn::Tensor<float> C = {{NAN, NAN}, {NAN, NAN}};
    nn::gemm(A, B, C);
    CHECK(C == nn::Tensor<float>{{19, 22}, {43, 50}});
    nn::gemm(A, B, C, true, true, 1.0f, 1.0f);                 // C += Aᵀ·Bᵀ = (B·A)ᵀ
    CHECK(C == nn::Tensor<float>{{19 + 23, 22 + 31}, {43 + 34, 50 + 46}});
    nn::Tensor<float> empty_a({2, 0}), empty_b({0, 2}), D = {{1, 2}, {3, 4}};
    nn::gemm(empty_a, empty_b, D, false, false, 1.0f, 0.5f);
    CHECK(D == nn::Tensor<float>{{0.5, 1}, {1.5, 2}});
    nn::Tensor<float> wrong({3, 2});
    CHECK_THROWS_WITH_AS(nn::gemm(A, B, wrong), "gemm: [2, 2]·[2, 2] does not fit into [3, 2]", std::invalid_argument);
    CHECK_THROWS_WITH_AS(nn::gemm(A, wrong, C, false, false), "gemm: [2, 2]·[3, 2] does not fit into [2, 2]",
                         std::invalid_argument);
}
