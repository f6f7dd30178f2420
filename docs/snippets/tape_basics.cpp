// docs/snippets/tape_basics.cpp — chapter 6: record a small network, print the tape, walk it backward twice.
// One forward, two seeds: each backward answers a different question about the same recorded graph.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "nn/tape.hpp"

using Matrix = nn::Tensor<double>;

void print(const char* name, const Matrix& m) {
    std::printf("%s\n", name);
    for (std::size_t r = 0; r < m.shape(0); ++r) {
        for (std::size_t c = 0; c < m.shape(1); ++c) std::printf(" %8.4f", m(r, c));
        std::printf("\n");
    }
}

int main() {
    nn::Tape<double> tape;
    // Forward: every call records one node and computes its value at once.
    nn::Var x = tape.leaf(Matrix{{1.0, -2.0, 0.5}, {0.0, 1.0, -1.0}}, false);   // [2, 3] inputs, no gradient
    nn::Var W = tape.leaf(Matrix{{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}});       // [3, 2] a weight
    nn::Var b = tape.leaf(Matrix{{0.01, -0.01}});                              // [1, 2] a bias
    nn::Var z = tape.add_bias(tape.matmul(x, W), b);                           // [2, 2]
    nn::Var p = tape.softmax(tape.tanh(z));                                    // [2, 2] rows sum to 1
    std::cout << tape;
    print("p", tape.value(p));

    // Backward 1: the seed picks p[0, 1], so grad(W) becomes ∂p[0, 1]/∂W.
    tape.backward(p, Matrix{{0.0, 1.0}, {0.0, 0.0}});
    const Matrix dW1 = tape.grad(W);
    print("dp01/dW", dW1);

    // Backward 2, same tape, no new forward: the seed picks p[0, 0].
    tape.zero_grad();                                    // leaf gradients accumulate; start from 0
    tape.backward(p, Matrix{{1.0, 0.0}, {0.0, 0.0}});
    const Matrix dW2 = tape.grad(W);
    print("dp00/dW", dW2);

    // p[0, 0] + p[0, 1] = 1 whatever W is, so the two gradients must cancel.
    double worst = 0;
    for (std::size_t i = 0; i < dW1.size(); ++i) worst = std::fmax(worst, std::fabs(dW1.data()[i] + dW2.data()[i]));
    std::printf("the two gradients cancel: %s\n", worst < 1e-15 ? "yes" : "NO");
    return worst < 1e-15 ? 0 : 1;
}
