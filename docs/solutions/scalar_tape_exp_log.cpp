// docs/solutions/scalar_tape_exp_log.cpp — chapter 3, exercise 1: exp and log on the scalar tape, checked by
// central finite differences. A new op is two lines: its value and its local derivative.
#include <cmath>
#include <cstdio>
#include <vector>

#include "../snippets/scalar_tape.hpp"

namespace scalar {
inline Var exp(Var a) {               // ∂/∂a = exp a: the value itself
    const double e = std::exp(a.value());
    return {a.tape, a.tape->push(e, a.id, e)};
}
inline Var log(Var a) {               // ∂/∂a = 1 / a
    return {a.tape, a.tape->push(std::log(a.value()), a.id, 1 / a.value())};
}
}  // namespace scalar

// A softplus-like formula that uses both new ops, and x twice: g = log(exp(x)·y + x)·x.
template <class N>
N g(N x, N y) {
    using std::exp;
    using std::log;
    return log(exp(x) * y + x) * x;
}

int main() {
    int failures = 0;
    for (const auto& [x, y] : std::vector<std::pair<double, double>>{{0.3, 2.0}, {-0.7, 3.0}, {1.2, 0.1}}) {
        scalar::Tape tape;
        const scalar::Var vx = scalar::leaf(tape, x), vy = scalar::leaf(tape, y);
        tape.backward(g(vx, vy).id);
        const double h = 1e-5;
        const double fdx = (g(x + h, y) - g(x - h, y)) / (2 * h), fdy = (g(x, y + h) - g(x, y - h)) / (2 * h);
        const double gap = std::fmax(std::fabs(vx.grad() - fdx) / std::fabs(fdx), std::fabs(vy.grad() - fdy) / std::fabs(fdy));
        std::printf("x = %+.1f, y = %.1f: dg/dx %+.8f (fd %+.8f), dg/dy %+.8f (fd %+.8f), rel gap %.0e\n", x, y,
                    vx.grad(), fdx, vy.grad(), fdy, gap);
        failures += !(gap < 1e-8);
    }
    std::printf("%s\n", failures ? "WRONG" : "exp and log pass the finite-difference check");
    return failures;
}
