// docs/snippets/graph_dot.cpp — chapter 3: chapter 2's f(x, y) = (x·y + tanh x)·y on the real engine, drawn.
// Every value is a [1, 1] matrix; prints the tape as a Graphviz graph (docs/figures/regenerate renders it).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "nn/dot.hpp"

int main() {
    using Matrix = nn::Tensor<double>;
    nn::Tape<double> tape;
    const nn::Var x = tape.leaf(Matrix{{0.5}});                 // [1, 1]
    const nn::Var y = tape.leaf(Matrix{{2.0}});                 // [1, 1]
    const nn::Var a = tape.mul(x, y);                           // a = x·y
    const nn::Var b = tape.tanh(x);                             // b = tanh x
    const nn::Var c = tape.add(a, b);                           // c = a + b
    const nn::Var f = tape.mul(c, y);                           // f = c·y
    tape.backward(f);                                           // seed ∂f/∂f = 1

    // The same adjoints as chapter 2's walk by hand: ∂f/∂x = y² + y(1 − tanh² x), ∂f/∂y = 2xy + tanh x.
    const double t = std::tanh(0.5);
    const bool ok = std::fabs(tape.grad(x)(0, 0) - (4 + 2 * (1 - t * t))) < 1e-12 &&
                    std::fabs(tape.grad(y)(0, 0) - (2 + t)) < 1e-12;
    if (!ok) {
        std::fprintf(stderr, "graph_dot: the tape's gradients differ from calculus\n");
        return 1;
    }
    nn::DotOptions options;                                     // names drawn above the ops
    options.names = {{x, "x"}, {y, "y"}, {a, "a = x·y"}, {b, "b = tanh x"}, {c, "c = a + b"}, {f, "f = c·y"}};
    nn::write_dot(std::cout, tape, options);
    return 0;
}
