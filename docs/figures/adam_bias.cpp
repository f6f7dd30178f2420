// docs/figures/adam_bias.cpp — the second figure of chapter 9: what Adam's bias corrections do to the step size.
// nn::Adam on a loss with a constant gradient, three gradient sizes, against the same rule without the corrections.
#include <cmath>
#include <cstdio>
#include <exception>

#include "nn/adam.hpp"
#include "nn/tape.hpp"
#include "sensitivity/figures/lineplot.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT.png   (draws Adam's step with and without bias correction)\n", argv[0]);
        return 2;
    }
    const double lr = 1e-3, b1 = 0.9, b2 = 0.999;
    const std::size_t steps = 2000;
    // loss = Σ_j g_j w_j: its gradient is g at every step, three weights with gradients 1e-3, 1 and 100.
    nn::Tape<double> tape;
    const nn::Var w = tape.leaf(nn::Tensor<double>{{0.0, 0.0, 0.0}});                   // [1, 3]
    const nn::Var g = tape.leaf(nn::Tensor<double>{{1e-3, 1.0, 100.0}}, false);         // [1, 3], a constant
    const nn::Var loss = tape.sum(tape.mul(g, w));                                      // [1, 1]
    nn::Adam<double> adam(b1, b2);
    using sensitivity::figures::Series;
    using sensitivity::figures::Marks;
    Series corrected{"nn::Adam: |step| / lr, gradients 1e-3, 1 and 100 (one line)", {}, {}, {}, Marks::Lines,
                     sensitivity::figures::palette(0), 2.5, false};
    Series uncorrected{"the same rule without 1-b1^t and 1-b2^t", {}, {}, {}, Marks::Lines,
                       sensitivity::figures::palette(1), 2.0, true};
    double m = 0, v = 0, worst_corrected = 0, peak = 0, at_1 = 0, at_500 = 0, at_1000 = 0;
    std::size_t peak_step = 0;
    for (std::size_t t = 1; t <= steps; ++t) {
        const nn::Tensor<double> before = tape.value(w);                                // [1, 3]
        tape.zero_grad(w);
        tape.backward(loss);                                                            // grad(w) = g
        adam.step(tape, {w}, lr);
        for (std::size_t j = 0; j < 3; ++j)
            worst_corrected = std::fmax(worst_corrected, std::fabs(std::fabs(tape.value(w)(0, j) - before(0, j)) / lr - 1));
        const double moved = std::fabs(tape.value(w)(0, 1) - before(0, 1)) / lr;        // the weight with gradient 1
        // Without the corrections: m and v as nn/adam.hpp updates them, the step lr · m / (√v + ε).
        m = b1 * m + (1 - b1) * 1.0;
        v = b2 * v + (1 - b2) * 1.0;
        const double raw = m / (std::sqrt(v) + 1e-8);
        if (raw > peak) peak = raw, peak_step = t;
        if (t == 1) at_1 = raw;
        if (t == 500) at_500 = raw;
        if (t == 1000) at_1000 = raw;
        corrected.x.push_back(static_cast<double>(t));
        corrected.y.push_back(moved);
        uncorrected.x.push_back(static_cast<double>(t));
        uncorrected.y.push_back(raw);
    }
    sensitivity::figures::PlotPanel panel;
    panel.ylabel = "|weight change| / lr";
    panel.ymin = 0;
    panel.ymax = 9.5;
    panel.legend = sensitivity::figures::LegendAt::TopRight;
    panel.series = {uncorrected, corrected};
    sensitivity::figures::LinePlotFigure figure;
    figure.title = "Adam (b1 0.9, b2 0.999) on a constant gradient: step size with and without bias correction";
    figure.xlabel = "step t (log scale)";
    figure.log_x = true;
    figure.panels = {panel};
    figure.height = 420;
    try {
        sensitivity::figures::lineplot_png(argv[1], figure);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "adam_bias: %s\n", e.what());
        return 1;
    }
    // The numbers chapter 9 quotes: corrected, every weight moves by lr; uncorrected, 3.16 lr at t = 1, a peak of
    // about 6.6 lr near t = 12, still 1.6 lr at t = 500 and 1.26 lr at t = 1000 = 1/(1 - b2).
    std::printf("corrected: max | |step|/lr - 1 | = %.1e over %zu steps and 3 gradient sizes; uncorrected: %.2f at t = 1, "
                "peak %.2f at t = %zu, %.2f at t = 500, %.2f at t = 1000\n", worst_corrected, steps, at_1, peak, peak_step,
                at_500, at_1000);
    const bool ok = worst_corrected < 1e-4 && std::fabs(at_1 - std::sqrt(10.0)) < 1e-3 && peak_step == 12 &&
                    std::fabs(peak - 6.57) < 0.01 && std::fabs(at_500 - 1.59) < 0.01 && std::fabs(at_1000 - 1.26) < 0.01;
    if (!ok) std::fprintf(stderr, "adam_bias: the curves do not have the shape chapter 9 describes\n");
    return ok ? 0 : 1;
}
