// docs/solutions/tape_softmax_jacobian.cpp — chapter 6, exercise 2: the whole 3×3 Jacobian of a softmax row, one seed per output.
// Row i of J comes from backward with a one-hot seed at i; it must equal y_i (δ_ij − y_j), and each column must sum to 0.
#include <cmath>
#include <cstdio>

#include "nn/tape.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::Tape<double> tape;
    nn::Var a = tape.leaf(Matrix{{0.5, -1.0, 2.0}});          // [1, 3] logits
    nn::Var y = tape.softmax(a);                              // [1, 3]
    const Matrix p = tape.value(y);
    double worst = 0, worst_column = 0;
    Matrix J({3, 3});
    for (std::size_t i = 0; i < 3; ++i) {
        Matrix seed = xt::zeros<double>({1, 3});
        seed(0, i) = 1;
        tape.zero_grad();                                     // the leaf's gradient accumulates: start from 0
        tape.backward(y, seed);
        for (std::size_t j = 0; j < 3; ++j) {
            J(i, j) = tape.grad(a)(0, j);
            const double hand = p(0, i) * ((i == j ? 1.0 : 0.0) - p(0, j));
            worst = std::fmax(worst, std::fabs(J(i, j) - hand));
        }
        std::printf("dy_%zu/da = [% .6f % .6f % .6f]\n", i, J(i, 0), J(i, 1), J(i, 2));
    }
    for (std::size_t j = 0; j < 3; ++j) worst_column = std::fmax(worst_column, std::fabs(J(0, j) + J(1, j) + J(2, j)));
    std::printf("max |J - y_i(δ_ij - y_j)| = %.1e, max |column sum| = %.1e\n", worst, worst_column);
    return worst < 1e-15 && worst_column < 1e-15 ? 0 : 1;
}
