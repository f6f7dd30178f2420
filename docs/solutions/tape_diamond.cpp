// docs/solutions/tape_diamond.cpp — chapter 6, exercise 1: a diamond, y = tanh(x) + sigmoid(x), where x fans out.
// The adjoints of the two paths add: dy/dx = (1 − tanh²x) + σ(x)(1 − σ(x)), compared with the tape at three points.
#include <cmath>
#include <cstdio>

#include "nn/tape.hpp"

int main() {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(nn::Tensor<double>{{-1.5, 0.25, 2.0}});   // [1, 3]
    nn::Var y = tape.sum(tape.add(tape.tanh(x), tape.sigmoid(x)));  // [1, 1]
    tape.backward(y);
    double worst = 0;
    for (std::size_t j = 0; j < 3; ++j) {
        const double v = tape.value(x)(0, j), t = std::tanh(v), s = 1 / (1 + std::exp(-v));
        const double hand = (1 - t * t) + s * (1 - s);
        std::printf("x = %5.2f: tape %.12f, by hand %.12f\n", v, tape.grad(x)(0, j), hand);
        worst = std::fmax(worst, std::fabs(tape.grad(x)(0, j) - hand));
    }
    return worst < 1e-14 ? 0 : 1;
}
