// docs/snippets/jacobian_rows.cpp — chapter 11: the full input Jacobian of a batch from one tape, and three checks.
// A tiny random 6-5-3 network stands in for the MNIST one; the same calls work on a trained 784-256-10 model.
#include <cmath>
#include <cstdio>
#include <random>

#include <xtensor/xview.hpp>

#include "nn/mlp.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "sensitivity/maps/jacobian.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::MLP<double> model(6, 5, 3, nn::Activation::Relu, 11);
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    Matrix x({4, 6});                                                  // [N = 4 images, D = 6 pixels]
    for (double& v : x) v = pixel(rng);
    int failures = 0;

    // One forward of the batch, then one backward per class with a one-hot seed: J[n][i][j] = ∂p_i(x_n)/∂x_n,j.
    const xt::xtensor<double, 3> J = sensitivity::maps::jacobian(model, x);   // [4, 3, 6]

    // 1. Rows do not interact: image 2 alone gives the same 3x6 block as image 2 inside the batch.
    const Matrix x2 = xt::view(x, xt::range(2, 3), xt::all());         // [1, 6]
    const xt::xtensor<double, 3> J2 = sensitivity::maps::jacobian(model, x2);  // [1, 3, 6]
    double worst = 0;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 6; ++j) worst = std::fmax(worst, std::fabs(J(2, i, j) - J2(0, i, j)));
    std::printf("image 2 alone vs in the batch, max difference < 1e-15: %s\n", worst < 1e-15 ? "yes" : "NO");
    failures += worst >= 1e-15;

    // 2. The probabilities sum to 1 whatever the pixels are, so each column of J sums to 0 over the classes.
    worst = 0;
    for (std::size_t n = 0; n < 4; ++n)
        for (std::size_t j = 0; j < 6; ++j) worst = std::fmax(worst, std::fabs(J(n, 0, j) + J(n, 1, j) + J(n, 2, j)));
    std::printf("sum over classes of dp_i/dx_j < 1e-15: %s\n", worst < 1e-15 ? "yes" : "NO");
    failures += worst >= 1e-15;

    // 3. Central differences agree, except where ±h would cross a relu kink (skipped, and counted).
    const sensitivity::maps::FdJacobian fd = sensitivity::maps::fd_jacobian(model, x, 1e-5);
    const sensitivity::maps::FdComparison cmp = sensitivity::maps::compare_jacobians(J, fd);
    std::printf("finite differences: %zu pairs compared, %zu skipped, max relative error < 1e-7: %s\n",
                cmp.pairs_compared, cmp.pairs_skipped, cmp.max_rel_error < 1e-7 ? "yes" : "NO");
    failures += cmp.max_rel_error >= 1e-7 || cmp.pairs_compared == 0;
    return failures;
}
