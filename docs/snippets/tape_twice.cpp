// docs/snippets/tape_twice.cpp — chapter 6: a value used twice, gradients that accumulate, and zero_grad.
// y = x·x + x, so dy/dx = 2x + 1 = 7 at x = 3; the tape gets it by adding up every path from y to x.
#include <cstdio>

#include "nn/tape.hpp"

int main() {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(nn::Tensor<double>{{3.0}});   // [1, 1]
    nn::Var y = tape.add(tape.mul(x, x), x);            // x is read by mul (twice) and by add
    int failures = 0;
    const auto show = [&](const char* when, double expected) {
        const double g = tape.grad(x)(0, 0);
        std::printf("%-28s dy/dx = %g\n", when, g);
        failures += g != expected;
    };
    tape.backward(y);
    show("after one backward:", 7.0);
    tape.backward(y);                                   // no zero_grad: the leaf keeps adding
    show("after a second backward:", 14.0);
    tape.zero_grad();
    tape.backward(y);
    show("after zero_grad + backward:", 7.0);
    return failures;
}
