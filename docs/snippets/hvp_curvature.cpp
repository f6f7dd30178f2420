// docs/snippets/hvp_curvature.cpp — chapter 8: the loss's curvature along a direction, for the trained 784-64-10
// model, from exact Hessian-vector products (nn/input_hvp.hpp); checked against differences of gradients.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"
#include "nn/input_hvp.hpp"
#include "nn/training/model_io.hpp"

namespace {
std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}
double inner(const nn::Tensor<double>& a, const nn::Tensor<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
    return s;
}
}  // namespace

int main() {
    const nn::MLP<double> model(nn::training::load_model(env_or("NNSENSE_MODEL", "tests/fixtures/trained_mlp_784_64_10")));
    const datasets::Split mnist = datasets::load_mnist(env_or("NNSENSE_MNIST", "data/mnist"), {false, true});
    // The first test image whose loss is above 0.5: a digit the model is unsure of.
    std::size_t n = 0;
    nn::InputHvp<double> r;
    nn::Tensor<double> x;
    std::vector<int> label;
    for (;; ++n) {
        x = mnist.test.to_float<double>(n, 1);                           // [1, 784]
        label = {static_cast<int>(mnist.test.labels[n])};
        r = nn::input_hvp(model, x, label, x);                           // (any direction: only the loss is read)
        if (r.loss > 0.5) break;
    }
    // The direction of steepest ascent v = g/|g|, and the curvature of L along it: vᵀHv.
    const double gnorm = std::sqrt(inner(r.grad, r.grad));
    const nn::Tensor<double> v = r.grad / gnorm;                         // [1, 784], |v| = 1
    const nn::InputHvp<double> along = nn::input_hvp(model, x, label, v);
    const double curvature = inner(v, along.hvp);
    // The same from a central difference of two gradients.
    const double h = 1e-5;
    const nn::Tensor<double> g_up = nn::input_hvp(model, nn::Tensor<double>(x + h * v), label, v).grad;
    const nn::Tensor<double> g_down = nn::input_hvp(model, nn::Tensor<double>(x - h * v), label, v).grad;
    const double curvature_fd = inner(v, (g_up - g_down) / (2 * h));
    std::printf("test image %zu (label %d): L = %.4f, |dL/dx| = %.4f\n", n, label[0], r.loss, gnorm);
    std::printf("curvature along g/|g|: exact %.6f, from two gradients %.6f\n", curvature, curvature_fd);
    // What the curvature is for: predict the loss after a step of length s along -v, to first and second order.
    std::printf("   step s   L(x - s v)   1st order   2nd order\n");
    for (double s : {0.1, 0.3, 1.0}) {
        const double L = nn::input_hvp(model, nn::Tensor<double>(x - s * v), label, v).loss;
        std::printf("   %6.1f   %10.4f   %9.4f   %9.4f\n", s, L, r.loss - s * gnorm,
                    r.loss - s * gnorm + 0.5 * s * s * curvature);
    }
    // A relu network's logits are affine in x between kinks, and cross-entropy is convex in the logits: vᵀHv ≥ 0.
    std::mt19937_64 rng(8);
    std::normal_distribution<double> normal(0.0, 1.0);
    int negative = 0;
    for (int t = 0; t < 20; ++t) {
        nn::Tensor<double> u({1, 784});
        for (double& e : u) e = normal(rng);
        if (inner(u, nn::input_hvp(model, x, label, u).hvp) < 0) ++negative;
    }
    std::printf("random directions with negative curvature: %d of 20\n", negative);
    const bool ok = std::abs(curvature - curvature_fd) <= 1e-6 * std::abs(curvature) && negative == 0;
    return ok ? 0 : 1;
}
