// docs/solutions/setup_cube.cpp — chapter 1, exercise 1: the gradient of y = x³ at x = 2 from the tape.
// x³ is x·x·x, two mul nodes; the tape must give 3x² = 12.
#include <cstdio>

#include "nn/tape.hpp"

int main() {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(nn::Tensor<double>{{2.0}});      // [1, 1]
    nn::Var y = tape.mul(tape.mul(x, x), x);                // y = x·x·x
    tape.backward(y);
    const double dydx = tape.grad(x)(0, 0);
    std::printf("y = %g, dy/dx = %g (expected 3x² = 12)\n", tape.value(y)(0, 0), dydx);
    return tape.value(y)(0, 0) == 8.0 && dydx == 12.0 ? 0 : 1;
}
