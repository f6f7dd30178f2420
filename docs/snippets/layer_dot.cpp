// docs/snippets/layer_dot.cpp — chapter 5: a small layer p = softmax(tanh(x·W + b)), walked back from one seed, drawn.
// Checks that W's gradient is xᵀ·dZ (matmul's VJP applied to the adjoint of x·W), then prints the tape as a DOT graph.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "nn/dot.hpp"

int main() {
    using Matrix = nn::Tensor<double>;
    nn::Tape<double> tape;
    const nn::Var x = tape.leaf(Matrix{{1.0, -2.0, 0.5}, {0.0, 1.0, -1.0}}, false);  // [2, 3] inputs, no gradient
    const nn::Var W = tape.leaf(Matrix{{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}});       // [3, 2]
    const nn::Var b = tape.leaf(Matrix{{0.01, -0.01}});                              // [1, 2]
    const nn::Var z = tape.matmul(x, W);                                             // [2, 2]
    const nn::Var p = tape.softmax(tape.tanh(tape.add_bias(z, b)));                  // [2, 2]
    tape.backward(p, Matrix{{0.0, 1.0}, {0.0, 0.0}});                               // the seed u asks for p[0, 1]

    // dW = xᵀ·dZ, with dZ the adjoint the walk left on the matmul node.
    const Matrix& X = tape.value(x);
    const Matrix& dZ = tape.grad(z);
    double worst = 0;
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t j = 0; j < 2; ++j) {
            double s = 0;
            for (std::size_t i = 0; i < 2; ++i) s += X(i, k) * dZ(i, j);
            worst = std::fmax(worst, std::fabs(s - tape.grad(W)(k, j)));
        }
    if (worst > 1e-15) {
        std::fprintf(stderr, "layer_dot: grad(W) differs from xᵀ·dZ by %g\n", worst);
        return 1;
    }
    nn::DotOptions options;
    options.names = {{x, "x"}, {W, "W"}, {b, "b"}, {z, "z = x·W"}, {p, "p"}};
    options.title = "seed u = [0, 1; 0, 0]: every grad is the derivative of p[0, 1]";
    options.left_to_right = false;                                                   // a tall picture
    nn::write_dot(std::cout, tape, options);
    return 0;
}
