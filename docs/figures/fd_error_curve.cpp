// docs/figures/fd_error_curve.cpp — the figure of chapter 7: central-difference error against the step h, float and double.
// Draws docs/figures/ch07-fd-error-curve.png (a log-log U-curve) and checks the shape it draws; not part of the engine.
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "nn/gradcheck.hpp"
#include "sensitivity/figures/lineplot.hpp"

// Max relative error of the check of Σ tanh(x) for one precision and one step (as docs/snippets/fd_step.cpp).
template <class T>
double error(const nn::Tensor<double>& x, double h) {
    nn::Recorder<T> f = [](nn::Tape<T>& t, const std::vector<nn::Var>& in) { return t.sum(t.tanh(in[0])); };
    const nn::Tensor<T> xs = xt::cast<T>(x);
    return nn::gradcheck<T>(f, {xs}, nn::Tensor<T>{{T(1)}}, static_cast<T>(h))[0].max_rel_error;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT.png   (draws the finite-difference U-curve of chapter 7)\n", argv[0]);
        return 2;
    }
    std::mt19937_64 rng(3);                                       // the x of docs/snippets/fd_step.cpp
    std::uniform_real_distribution<double> uniform(-1.5, 1.5);
    nn::Tensor<double> x({1, 8});
    for (double& v : x) v = uniform(rng);

    sensitivity::figures::Series f32{"float", {}, {}, {}, sensitivity::figures::Marks::LinesPoints, {}, 2.0, false};
    sensitivity::figures::Series f64{"double", {}, {}, {}, sensitivity::figures::Marks::LinesPoints, {}, 2.0, false};
    for (int k = 2; k <= 48; ++k) {                                // h = 10^-0.5 ... 10^-12, four steps a decade
        const double h = std::pow(10.0, -k / 4.0);
        for (auto [series, e] : {std::pair{&f64, error<double>(x, h)}, std::pair{&f32, k <= 36 ? error<float>(x, h) : 0.0}})
            if (e > 0) series->x.push_back(h), series->y.push_back(std::fmin(e, 1.0));
    }
    // Guides: the formula's error ~ C·h² (C from double's largest h) and rounding ~ u/h, u the unit roundoff of each type.
    const double C = f64.y[0] / (f64.x[0] * f64.x[0]);
    sensitivity::figures::Series trunc{"formula error ~ h^2", {}, {}, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::Rgb{90, 90, 90}, 1.5, true};
    sensitivity::figures::Series round32{"rounding ~ u/h, float", {}, {}, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::palette(0), 1.5, true};
    sensitivity::figures::Series round64{"rounding ~ u/h, double", {}, {}, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::palette(1), 1.5, true};
    for (double h : f64.x) {
        if (C * h * h > 1e-16) trunc.x.push_back(h), trunc.y.push_back(C * h * h);
        if (h > 1e-8) round32.x.push_back(h), round32.y.push_back(std::ldexp(1.0, -24) / h);
        round64.x.push_back(h), round64.y.push_back(std::ldexp(1.0, -53) / h);
    }
    f32.colour = sensitivity::figures::palette(0);
    f64.colour = sensitivity::figures::palette(1);

    sensitivity::figures::PlotPanel panel;
    panel.ylabel = "max relative error";
    panel.log_y = true;
    panel.ymin = 1e-17;                                        // room for the legend under the curves
    panel.ymax = 2.0;
    panel.legend = sensitivity::figures::LegendAt::BottomLeft;
    panel.series = {trunc, round32, round64, f32, f64};
    sensitivity::figures::LinePlotFigure figure;
    figure.title = "Central differences of sum(tanh(x)): error against step h";
    figure.xlabel = "step h";
    figure.log_x = true;
    figure.panels = {panel};
    try {
        sensitivity::figures::lineplot_png(argv[1], figure);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fd_error_curve: %s\n", e.what());
        return 1;
    }

    // The figure must show what chapter 7 says: slope 2 on the right, a floor, and double's floor far below float's.
    const auto best = [](const sensitivity::figures::Series& s) {
        std::size_t b = 0;
        for (std::size_t i = 1; i < s.y.size(); ++i) b = s.y[i] < s.y[b] ? i : b;
        return b;
    };
    const std::size_t b32 = best(f32), b64 = best(f64);
    const double slope = std::log10(f64.y[0] / f64.y[4]) / std::log10(f64.x[0] / f64.x[4]);   // over one decade
    std::printf("double: best h %.1e, error %.1e; float: best h %.1e, error %.1e; slope at large h %.2f\n",
                f64.x[b64], f64.y[b64], f32.x[b32], f32.y[b32], slope);
    const bool ok = f64.y[b64] < 1e-9 && f64.x[b64] > 1e-8 && f64.x[b64] < 1e-3 && f32.y[b32] > 1e-6 &&
                    f32.x[b32] > 1e-4 && std::fabs(slope - 2) < 0.2;
    if (!ok) std::fprintf(stderr, "fd_error_curve: the curve does not have the shape chapter 7 describes\n");
    return ok ? 0 : 1;
}
