// docs/snippets/scalar_tape.cpp — chapter 3: the scalar tape of scalar_tape.hpp on chapter 2's f and on a neuron,
// each gradient checked against central finite differences of the same formula evaluated on plain doubles.
#include <cmath>
#include <cstdio>
#include <vector>

#include "scalar_tape.hpp"

// Each formula is written once, for any number type N: plain double (for finite differences) or scalar::Var.
template <class N>
N f(const std::vector<N>& in) {                       // chapter 2: f(x, y) = (x·y + tanh x)·y
    using std::tanh;
    const N& x = in[0];
    const N& y = in[1];
    return (x * y + tanh(x)) * y;
}
template <class N>
N neuron(const std::vector<N>& in) {                  // tanh(x0·w0 + x1·w1 + b)·w0: w0 used twice
    using std::tanh;
    const N &x0 = in[0], &x1 = in[1], &w0 = in[2], &w1 = in[3], &b = in[4];
    return tanh(x0 * w0 + x1 * w1 + b) * w0;
}

// The tape's gradient of `formula` at `at` next to (F(x + h) − F(x − h)) / 2h; returns the worst relative gap.
// `formula` is called on Vars (recorded on a tape) and on doubles (plain arithmetic, no tape).
template <class Formula>
double check(const char* name, Formula formula, const std::vector<double>& at, const std::vector<const char*>& names) {
    scalar::Tape tape;
    std::vector<scalar::Var> in;
    for (double v : at) in.push_back(scalar::leaf(tape, v));
    const scalar::Var out = formula(in);
    tape.backward(out.id);
    std::printf("%s = %.6f, recorded as %zu nodes\n", name, out.value(), tape.nodes.size());
    double worst = 0;
    for (std::size_t i = 0; i < at.size(); ++i) {
        const double h = 1e-5;
        std::vector<double> up = at, down = at;
        up[i] += h;
        down[i] -= h;
        const double fd = (formula(up) - formula(down)) / (2 * h);
        const double gap = std::fabs(in[i].grad() - fd) / std::fmax(std::fabs(fd), 1e-8);
        worst = std::fmax(worst, gap);
        std::printf("  d/d%-3s tape %+.10f   finite diff %+.10f\n", names[i], in[i].grad(), fd);
    }
    return worst;
}

int main() {
    const auto f_any = [](const auto& in) { return f(in); };              // f<Var> or f<double>, as called
    const auto neuron_any = [](const auto& in) { return neuron(in); };
    double worst = check("f(0.5, 2)", f_any, {0.5, 2.0}, {"x", "y"});
    worst = std::fmax(worst, check("neuron", neuron_any, {0.8, -0.4, 1.5, 0.3, -0.2}, {"x0", "x1", "w0", "w1", "b"}));
    std::printf("worst relative gap %.1e: %s\n", worst, worst < 1e-8 ? "the tape is right" : "WRONG");
    return worst < 1e-8 ? 0 : 1;
}
