// docs/solutions/setup_two_inputs.cpp — chapter 1, exercise 2: one backward pass gives the gradient for every input.
// y = x·w + x at x = 3, w = 5: dy/dx = w + 1 = 6 and dy/dw = x = 3, both from a single backward call.
#include <cstdio>

#include "nn/tape.hpp"

int main() {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(nn::Tensor<double>{{3.0}});      // [1, 1]
    nn::Var w = tape.leaf(nn::Tensor<double>{{5.0}});      // [1, 1]
    nn::Var y = tape.add(tape.mul(x, w), x);
    tape.backward(y);
    const double dx = tape.grad(x)(0, 0), dw = tape.grad(w)(0, 0);
    std::printf("y = %g, dy/dx = %g (expected 6), dy/dw = %g (expected 3)\n", tape.value(y)(0, 0), dx, dw);
    return dx == 6.0 && dw == 3.0 ? 0 : 1;
}
