// docs/figures/ig_path.cpp — the figure of chapter 12: p_t(αx) along Integrated Gradients' straight path, with its kinks.
// Draws p_t and its slope dp_t/dα = x · ∇p_t(αx) (one backward walk per α) for one MNIST test image; not part of the engine.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/figures/lineplot.hpp"

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: %s MODEL_DIR MNIST_DIR OUT.png [TEST_INDEX=1]\n", argv[0]);
        return 2;
    }
    try {
        nn::MLP<double> model(nn::training::load_model(argv[1]));                  // double: the slope is not rounding noise
        const std::size_t index = argc == 5 ? std::stoul(argv[4]) : 1;
        const datasets::Dataset test = datasets::load_mnist(argv[2]).test;
        nn::Tensor<double> x;
        test.batch<double>(&index, 1, x);                                 // [1, 784] in [0, 1]
        const std::size_t steps = 1000, n = steps + 1, in = model.in(), t = test.labels[index];

        // Every α_k x as one row of a batch, and one backward walk seeded with p_t of every row:
        // row k of the input gradient is ∇p_t(α_k x), and its dot product with x is dp_t/dα at α_k.
        model.set_trainable(false);
        const nn::Var xs = model.input(n, true);                          // [n, 784]
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t j = 0; j < in; ++j) model.tape().value(xs)(k, j) = double(k) / steps * x(0, j);
        const nn::Var p = model.tape().softmax(model.logits(xs));         // [n, 10]
        nn::Tensor<double> seed = xt::zeros<double>({n, model.out()});
        for (std::size_t k = 0; k < n; ++k) seed(k, t) = 1;
        model.tape().backward(p, seed);
        std::vector<double> alpha, prob, slope;
        for (std::size_t k = 0; k < n; ++k) {
            double s = 0;
            for (std::size_t j = 0; j < in; ++j) s += model.tape().grad(xs)(k, j) * x(0, j);
            alpha.push_back(double(k) / steps);
            prob.push_back(model.tape().value(p)(k, t));
            slope.push_back(s);
        }
        // Kinks: hidden unit h is relu(α (x·W1)_h + b1_h), linear in α, so it switches once, at α = −b1_h / (x·W1)_h.
        const nn::Tensor<double>& W1 = model.tape().value(model.layer(0).W);   // [784, H]
        const nn::Tensor<double>& b1 = model.tape().value(model.layer(0).b);   // [1, H]
        std::vector<double> kinks;
        for (std::size_t h = 0; h < model.layer(0).out; ++h) {
            double xw = 0;
            for (std::size_t j = 0; j < in; ++j) xw += x(0, j) * W1(j, h);
            if (xw != 0 && -b1(0, h) / xw > 0 && -b1(0, h) / xw < 1) kinks.push_back(-b1(0, h) / xw);
        }
        std::sort(kinks.begin(), kinks.end());

        // The 64 midpoints α_k = (k + ½)/64 at which Integrated Gradients evaluates the gradient (chapter 12's default).
        sensitivity::figures::Series midpoints{"IG's 64 midpoints", {}, {}, {}, sensitivity::figures::Marks::Points, sensitivity::figures::palette(1), 2.0, false};
        for (std::size_t k = 0; k < 64; ++k) {
            const std::size_t at = static_cast<std::size_t>(std::lround((k + 0.5) / 64 * steps));
            midpoints.x.push_back(alpha[at]);
            midpoints.y.push_back(prob[at]);
        }
        sensitivity::figures::Series kink_marks{"a hidden ReLU switches", {}, {}, {}, sensitivity::figures::Marks::Points, sensitivity::figures::palette(3), 2.0, false};
        for (double a : kinks) {
            kink_marks.x.push_back(a);
            kink_marks.y.push_back(0);                                    // a row of dots under the jumps of the slope
        }
        sensitivity::figures::PlotPanel top;
        top.title = "test image #" + std::to_string(index) + " (a " + std::to_string(t) + "): p_t along the path alpha * x";
        top.ylabel = "p_t(alpha x)";
        top.ymin = 0;
        top.ymax = 1.05;
        top.legend = sensitivity::figures::LegendAt::BottomRight;
        top.series = {{"p_t", alpha, prob, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::palette(0), 2.0, false}, midpoints};
        sensitivity::figures::PlotPanel bottom;
        bottom.ylabel = "slope dp_t/dalpha";
        bottom.legend = sensitivity::figures::LegendAt::TopRight;
        bottom.ymin = -0.25;
        bottom.series = {{"dp_t/dalpha = x . grad p_t(alpha x)", alpha, slope, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::palette(0), 1.5, false},
                         kink_marks};
        sensitivity::figures::LinePlotFigure figure;
        figure.xlabel = "alpha (0 = black image, 1 = the digit)";
        figure.panels = {top, bottom};
        figure.xmin = 0;
        figure.xmax = 1;
        sensitivity::figures::lineplot_png(argv[3], figure);

        // The numbers the chapter quotes, and a check that the slope is the derivative of p_t (trapezoid rule on the grid).
        double integral = 0;
        for (std::size_t k = 1; k < n; ++k) integral += (slope[k - 1] + slope[k]) / 2 / steps;
        const double change = prob.back() - prob.front();
        std::printf("class %zu: p_t = %.3f at alpha 0, %.3f at 0.25, %.3f at 0.5, %.3f at 1; %zu kinks in (0, 1)",
                    t, prob[0], prob[steps / 4], prob[steps / 2], prob.back(), kinks.size());
        if (!kinks.empty()) std::printf(", first at %.3f, last at %.3f", kinks.front(), kinks.back());
        std::printf("\nintegral of the slope %.5f vs p_t(x) - p_t(0) %.5f\n", integral, change);
        if (std::fabs(integral - change) > 1e-3 * std::max(1.0, std::fabs(change))) {
            std::fprintf(stderr, "ig_path: the slope does not integrate to the change of p_t\n");
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ig_path: %s\n", e.what());
        return 1;
    }
}
