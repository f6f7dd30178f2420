// docs/solutions/vjp_softmax_jacobian.cpp — chapter 5, exercise 2: softmax's full Jacobian J_ij = y_i(δ_ij − y_j),
// checked column by column against finite differences, and uᵀJ against the tape's backward with seed u.
#include <cmath>
#include <cstdio>
#include <random>

#include "nn/tape.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    const std::size_t N = 5;
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> uniform(-2.0, 2.0);
    Matrix a({1, N}), u({1, N});
    for (double& v : a) v = uniform(rng);
    for (double& v : u) v = uniform(rng);

    nn::Tape<double> tape;
    const nn::Var va = tape.leaf(a);
    const nn::Var vy = tape.softmax(va);                                  // [1, N]
    const Matrix y = tape.value(vy);

    // The Jacobian, built explicitly: N² numbers for N outputs and N inputs.
    Matrix J({N, N});
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < N; ++j) J(i, j) = y(0, i) * ((i == j ? 1.0 : 0.0) - y(0, j));

    // Column j of J is ∂y/∂a_j: compare with central differences of softmax.
    double worst_fd = 0;
    for (std::size_t j = 0; j < N; ++j) {
        const double h = 1e-5;
        Matrix up = a, down = a;
        up(0, j) += h;
        down(0, j) -= h;
        nn::Tape<double> t;
        const Matrix y_up = t.value(t.softmax(t.leaf(up, false)));
        const Matrix y_down = t.value(t.softmax(t.leaf(down, false)));
        for (std::size_t i = 0; i < N; ++i)
            worst_fd = std::fmax(worst_fd, std::fabs(J(i, j) - (y_up(0, i) - y_down(0, i)) / (2 * h)));
    }

    // uᵀJ, the vector-Jacobian product, against one backward walk seeded with u.
    tape.backward(vy, u);
    double worst_vjp = 0;
    for (std::size_t j = 0; j < N; ++j) {
        double uJ = 0;
        for (std::size_t i = 0; i < N; ++i) uJ += u(0, i) * J(i, j);
        worst_vjp = std::fmax(worst_vjp, std::fabs(uJ - tape.grad(va)(0, j)));
    }
    // Every row of J sums to zero: adding a constant to every logit changes nothing.
    double worst_row = 0;
    for (std::size_t i = 0; i < N; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < N; ++j) s += J(i, j);
        worst_row = std::fmax(worst_row, std::fabs(s));
    }
    std::printf("J vs finite differences: max gap %.1e\n", worst_fd);
    std::printf("u^T J vs tape.backward(y, u): max gap %.1e\n", worst_vjp);
    std::printf("rows of J sum to zero within %.1e\n", worst_row);
    const bool ok = worst_fd < 1e-9 && worst_vjp < 1e-14 && worst_row < 1e-14;
    std::printf("%s\n", ok ? "the Jacobian and the VJP agree" : "WRONG");
    return ok ? 0 : 1;
}
