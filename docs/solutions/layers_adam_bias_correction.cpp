// docs/solutions/layers_adam_bias_correction.cpp — chapter 9, exercise 1: Adam's first step with and without bias correction.
// nn::Adam moves each weight by lr; the uncorrected rule m₁/√v₁ = 0.1g/√(0.001g²) would move it by √10·lr ≈ 3.16·lr.
#include <cmath>
#include <cstdio>

#include "nn/adam.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::Tape<double> tape;
    nn::Var w = tape.leaf(Matrix{{1.0, -2.0, 0.5}});          // [1, 3]
    nn::Var loss = tape.sum(tape.mul(tape.scale(w, 3.0), w));   // 3 Σ w², gradient 6w: three sizes of gradient
    tape.backward(loss);
    const Matrix before = tape.value(w), g = tape.grad(w);
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    nn::Adam<double> adam;                                    // β1 0.9, β2 0.999, ε 1e-8
    adam.step(tape, {w}, lr);
    bool ok = true;
    for (std::size_t j = 0; j < 3; ++j) {
        const double corrected = std::fabs(tape.value(w)(0, j) - before(0, j));
        const double m = (1 - b1) * g(0, j), v = (1 - b2) * g(0, j) * g(0, j);
        const double uncorrected = lr * std::fabs(m) / (std::sqrt(v) + eps);
        std::printf("g = %5.1f: nn::Adam moves %.6f, without bias correction %.6f (%.3f x lr)\n", g(0, j), corrected,
                    uncorrected, uncorrected / lr);
        ok = ok && std::fabs(corrected - lr) < 1e-8 && std::fabs(uncorrected / lr - std::sqrt(10.0)) < 1e-6;
    }
    return ok ? 0 : 1;
}
