// docs/solutions/sensitivity_jacobian_fd.cpp — chapter 11, exercise 2: a batch's whole Jacobian from C backward walks, checked by finite differences.
// One forward of a tiny frozen tanh network, a one-hot seed column per class, then central differences of every entry.
#include <cmath>
#include <cstdio>

#include "nn/tape.hpp"

using Matrix = nn::Tensor<double>;

namespace {
const Matrix kW1 = {{0.5, -0.3, 0.8}, {-0.6, 0.2, 0.4}, {0.1, 0.9, -0.7}, {0.3, -0.5, 0.2}};   // [4, 3]
const Matrix kW2 = {{1.0, -0.5, 0.2}, {-0.3, 0.8, 0.6}, {0.4, 0.1, -0.9}};                     // [3, 3]

// Records p = softmax(tanh(x·W1)·W2) on a fresh tape; returns the tape's p node.
nn::Var record(nn::Tape<double>& tape, const Matrix& xs, nn::Var& x) {
    tape.clear();
    x = tape.leaf(xs);                                        // [N, 4], wants a gradient
    const nn::Var W1 = tape.leaf(kW1, false), W2 = tape.leaf(kW2, false);
    return tape.softmax(tape.matmul(tape.tanh(tape.matmul(x, W1)), W2));   // [N, 3]
}
}  // namespace

int main() {
    const Matrix xs = {{0.2, 0.9, 0.0, 0.5}, {1.0, 0.1, 0.7, 0.3}};   // [N = 2, D = 4]
    const std::size_t N = 2, C = 3, D = 4;
    nn::Tape<double> tape;
    nn::Var x;
    const nn::Var p = record(tape, xs, x);
    double J[2][3][4];
    for (std::size_t i = 0; i < C; ++i) {                     // one walk per class gives J[n][i][·] for every n
        Matrix seed = xt::zeros<double>({N, C});
        for (std::size_t n = 0; n < N; ++n) seed(n, i) = 1;
        tape.zero_grad();
        tape.backward(p, seed);
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t j = 0; j < D; ++j) J[n][i][j] = tape.grad(x)(n, j);
    }
    const double h = 1e-5;
    double worst = 0;
    for (std::size_t n = 0; n < N; ++n) {
        double largest = 0, err = 0;
        for (std::size_t j = 0; j < D; ++j) {
            Matrix up = xs, down = xs;
            up(n, j) += h;
            down(n, j) -= h;
            nn::Tape<double> t;
            nn::Var xu, xd;
            const Matrix pu = t.value(record(t, up, xu));
            const Matrix pd = t.value(record(t, down, xd));
            for (std::size_t i = 0; i < C; ++i) {
                const double fd = (pu(n, i) - pd(n, i)) / (up(n, j) - down(n, j));
                err = std::fmax(err, std::fabs(fd - J[n][i][j]));
                largest = std::fmax(largest, std::fabs(J[n][i][j]));
            }
        }
        worst = std::fmax(worst, err / largest);              // relative to the image's largest |J|, as fd_check does
    }
    std::printf("%zu walks for a [%zu, %zu, %zu] Jacobian; finite differences agree to %.1e (relative)\n", C, N, C, D,
                worst);
    return worst < 1e-8 ? 0 : 1;
}
