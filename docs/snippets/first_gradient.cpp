// docs/snippets/first_gradient.cpp — chapter 1: the smallest nnsense program, the gradient of y = x² at x = 3.
// It only shows that the build works; how a tape computes gradients starts in chapter 2.
#include <cstdio>

#include "nn/tape.hpp"

int main() {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(nn::Tensor<double>{{3.0}});   // a leaf [1, 1] that wants a gradient
    nn::Var y = tape.mul(x, x);                          // y = x·x, recorded on the tape
    tape.backward(y);                                    // dy/dx, written into the leaf's gradient
    const double dydx = tape.grad(x)(0, 0);
    std::printf("x = %g, y = %g, dy/dx = %g\n", tape.value(x)(0, 0), tape.value(y)(0, 0), dydx);
    return dydx == 6.0 ? 0 : 1;                          // a non-zero exit makes `meson test` fail
}
