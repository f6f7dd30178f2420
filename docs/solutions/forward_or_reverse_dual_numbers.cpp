// docs/solutions/forward_or_reverse_dual_numbers.cpp — chapter 8, exercise 1: forward mode with dual numbers.
// A dual number carries a value and its derivative along one direction; its arithmetic is the tangent kernels.
#include <cmath>
#include <cstdio>

#include "nn/tape.hpp"

// a + ȧ·ε with ε² = 0: the ε part of every result is the derivative of the value part.
struct Dual {
    double v = 0;   // the value
    double d = 0;   // its tangent ȧ
};
Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
Dual operator*(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }   // the product rule
Dual tanh(Dual a) {
    const double y = std::tanh(a.v);
    return {y, a.d * (1 - y * y)};                                                 // tanh_tangent, one number
}
Dual sigmoid(Dual a) {
    const double y = 1 / (1 + std::exp(-a.v));
    return {y, a.d * y * (1 - y)};                                                 // sigmoid_tangent
}

int main() {
    // f(x0, x1) = sigmoid(tanh(x0·w0 + x1·w1 + b) · x0), differentiated along v = (v0, v1).
    const double x0 = 0.7, x1 = -1.3, w0 = 0.4, w1 = 0.9, b = 0.1, v0 = 0.25, v1 = -2.0;

    // Dual numbers: seed the inputs' tangents with v, the weights' with 0 (constants), evaluate once.
    const Dual X0{x0, v0}, X1{x1, v1}, W0{w0, 0}, W1{w1, 0}, B{b, 0};
    const Dual y = sigmoid(tanh(X0 * W0 + X1 * W1 + B) * X0);

    // The tape: record the same expression on [1, 1] matrices and push the one direction forward (K = 1).
    using M = nn::Tensor<double>;
    nn::Tape<double> tape;
    const nn::Var tx0 = tape.leaf(M{{x0}}), tx1 = tape.leaf(M{{x1}});
    const nn::Var tw0 = tape.leaf(M{{w0}}), tw1 = tape.leaf(M{{w1}}), tb = tape.leaf(M{{b}});
    const nn::Var out = tape.sigmoid(tape.mul(tape.tanh(tape.add(tape.add(tape.mul(tx0, tw0), tape.mul(tx1, tw1)), tb)), tx0));
    tape.seed_tangent(tx0, 1)(0, 0) = v0;
    tape.seed_tangent(tx1, 1)(0, 0) = v1;
    tape.forward_tangents(out);
    const double jvp = tape.tangent(out)(0, 0);

    // Reverse mode for comparison: the gradient dotted with v is the same directional derivative.
    tape.backward(out);
    const double vjp_dot_v = tape.grad(tx0)(0, 0) * v0 + tape.grad(tx1)(0, 0) * v1;

    std::printf("value: dual %.15f, tape %.15f\n", y.v, tape.value(out)(0, 0));
    std::printf("derivative along v: dual %.15f, tape JVP %.15f, gradient·v %.15f\n", y.d, jvp, vjp_dot_v);
    const bool ok = std::abs(y.v - tape.value(out)(0, 0)) <= 1e-15 && std::abs(y.d - jvp) <= 1e-15 &&
                    std::abs(jvp - vjp_dot_v) <= 1e-15;
    return ok ? 0 : 1;
}
