// docs/solutions/sensitivity_pair_seed.cpp — chapter 11, exercise 1: the pair map ∂(p_a − p_b)/∂x is one backward walk.
// A backward pass is linear in its seed: the seed +1 at a, −1 at b gives exactly the difference of the two one-hot walks.
#include <cmath>
#include <cstdio>

#include "nn/tape.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(Matrix{{0.2, 0.9, 0.0, 0.5}, {1.0, 0.1, 0.7, 0.3}});          // [2, 4] two "images"
    nn::Var W1 = tape.leaf(Matrix{{0.5, -0.3, 0.8}, {-0.6, 0.2, 0.4}, {0.1, 0.9, -0.7}, {0.3, -0.5, 0.2}}, false);
    nn::Var W2 = tape.leaf(Matrix{{1.0, -0.5, 0.2}, {-0.3, 0.8, 0.6}, {0.4, 0.1, -0.9}}, false);   // frozen weights
    nn::Var p = tape.softmax(tape.matmul(tape.tanh(tape.matmul(x, W1)), W2));              // [2, 3]
    const std::size_t a = 0, b = 2;
    const auto walk = [&](double at_a, double at_b) {
        Matrix seed = xt::zeros<double>({2, 3});
        for (std::size_t n = 0; n < 2; ++n) seed(n, a) = at_a, seed(n, b) = at_b;   // the same seed for every row
        tape.zero_grad();
        tape.backward(p, seed);
        return Matrix(tape.grad(x));                                                     // [2, 4]
    };
    const Matrix Ja = walk(1, 0), Jb = walk(0, 1), pair = walk(1, -1);
    double worst = 0, size = 0;
    for (std::size_t i = 0; i < pair.size(); ++i) {
        worst = std::fmax(worst, std::fabs(pair.data()[i] - (Ja.data()[i] - Jb.data()[i])));
        size = std::fmax(size, std::fabs(pair.data()[i]));
    }
    std::printf("max |pair walk - (J_a - J_b)| = %.1e, max |pair map| = %.3f\n", worst, size);
    return worst < 1e-15 && size > 1e-3 ? 0 : 1;
}
