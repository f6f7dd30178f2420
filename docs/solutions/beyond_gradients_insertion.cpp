// docs/solutions/beyond_gradients_insertion.cpp — chapter 12, exercise 2: an insertion curve by hand, against pixel_curve.
// Pixels go back onto a black image in the map's order; the per-image AUC is the trapezoid area of p_t.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/maps/evaluation.hpp"

int main() {
    const std::size_t D = 16;
    nn::MLP<double> model(D, 8, 3, nn::Activation::Relu, 11);
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    nn::Tensor<double> x({2, D});                                            // [2, 16]
    for (double& v : x) v = pixel(rng);
    const std::vector<int> t = {0, 2};
    const nn::Tensor<double> map = sensitivity::maps::integrated_gradients_exact(model, x, t);   // logit IG [2, 16]

    // The library: 25% of the pixels per step, so 5 points (0, 4, 8, 12, 16 pixels inserted).
    const sensitivity::maps::DeletionCurve lib =
        sensitivity::maps::pixel_curve(model, x, t, map, sensitivity::maps::PixelTest::Insertion, 0.25);

    // By hand: sort by importance (ties by index), insert 4 pixels at a time, read p_t, trapezoid rule.
    double worst = 0;
    for (std::size_t n = 0; n < 2; ++n) {
        std::vector<std::size_t> order(D);
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return map(n, a) > map(n, b); });
        nn::Tensor<double> img = xt::zeros<double>({std::size_t(1), D});    // [1, 16] black
        std::vector<double> p;
        for (std::size_t step = 0; step <= 4; ++step) {
            if (step > 0)
                for (std::size_t k = 4 * (step - 1); k < 4 * step; ++k) img(0, order[k]) = x(n, order[k]);
            p.push_back(sensitivity::maps::predict(model, img)(0, static_cast<std::size_t>(t[n])));
        }
        double auc = 0;
        for (std::size_t s = 1; s <= 4; ++s) auc += 0.25 * (p[s] + p[s - 1]) / 2;
        std::printf("image %zu: p_t from %.4f (black) to %.4f (the image), AUC by hand %.6f, library %.6f\n", n,
                    p.front(), p.back(), auc, lib.image_auc[n]);
        worst = std::max(worst, std::abs(auc - lib.image_auc[n]));
    }
    const bool ok = worst < 1e-12;
    std::printf("%s\n", ok ? "the hand-made insertion curve is the library's" : "UNEXPECTED");
    return ok ? 0 : 1;
}
