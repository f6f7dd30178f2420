// docs/solutions/beyond_gradients_blurred_baseline.cpp — chapter 12, exercise 1: Integrated Gradients from a blurred baseline.
// Riemann sums by hand from class_gradient against the kink-aware integral; both must add up to f(x) − f(x').
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/maps/attribution.hpp"

namespace {
// 3×3 box blur of each W×W image (rows of x), the border averaged over the pixels that exist.
nn::Tensor<double> blur(const nn::Tensor<double>& x, std::size_t W) {
    nn::Tensor<double> b = xt::zeros<double>(x.shape());
    for (std::size_t n = 0; n < x.shape(0); ++n)
        for (std::size_t r = 0; r < W; ++r)
            for (std::size_t c = 0; c < W; ++c) {
                double s = 0, k = 0;
                for (std::size_t rr = (r ? r - 1 : 0); rr <= std::min(W - 1, r + 1); ++rr)
                    for (std::size_t cc = (c ? c - 1 : 0); cc <= std::min(W - 1, c + 1); ++cc) s += x(n, rr * W + cc), ++k;
                b(n, r * W + c) = s / k;
            }
    return b;
}
}  // namespace

int main() {
    const std::size_t W = 8, D = W * W;
    nn::MLP<double> model(D, 12, 4, nn::Activation::Relu, 7);
    std::mt19937_64 rng(8);
    std::normal_distribution<double> g(0.0, 0.5);
    for (auto& v : model.tape().value(model.layer(0).b)) v = g(rng);           // kinks inside the path
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    nn::Tensor<double> x({3, D});                                            // [3, 64]
    for (double& v : x) v = pixel(rng) < 0.3 ? pixel(rng) : 0.0;             // sparse "ink"
    const nn::Tensor<double> base = blur(x, W);                              // [3, 64] one baseline per image
    const std::vector<int> t = {0, 1, 3};
    const auto out = sensitivity::maps::Output::Softmax;

    // Kink-aware: exact up to Gauss–Legendre on the kink-free pieces.
    const nn::Tensor<double> exact = sensitivity::maps::integrated_gradients_exact(model, x, t, base, out);
    const double gap = sensitivity::maps::completeness(model, x, t, exact, out, &base).max_relative_gap;

    // By hand: the midpoint rule along x' + α (x − x'), one class_gradient call per step.
    const nn::Tensor<double> dx = x - base;
    double previous = 1e9, last = 0;
    bool shrinks = true;
    std::printf("steps   max |riemann - exact| / max |exact|\n");
    for (std::size_t m : {8, 64, 512}) {
        nn::Tensor<double> sum = xt::zeros<double>(x.shape());
        for (std::size_t k = 0; k < m; ++k) {
            const double alpha = (static_cast<double>(k) + 0.5) / static_cast<double>(m);
            const nn::Tensor<double> point = base + alpha * dx;
            sum += sensitivity::maps::class_gradient(model, point, t, out) / static_cast<double>(m);
        }
        const nn::Tensor<double> riemann = dx * sum;
        last = xt::amax(xt::abs(riemann - exact))() / xt::amax(xt::abs(exact))();
        shrinks = shrinks && last < previous;
        previous = last;
        std::printf("%5zu   %.1e\n", m, last);
    }
    std::printf("kink-aware completeness gap from the blurred baseline: %.1e\n", gap);
    const bool ok = gap <= 1e-9 && shrinks && last < 1e-3;
    std::printf("%s\n", ok ? "the Riemann sums converge to the kink-aware integral" : "UNEXPECTED");
    return ok ? 0 : 1;
}
