// docs/solutions/beyond_gradients_ink_first.cpp — chapter 12, exercise 3: how much of a deletion AUC is "ink first"?
// A paired standard error by hand from the per-image AUCs, checked against pixel_test's; sparse random "digits".
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <xtensor/xmath.hpp>

#include "nn/mlp.hpp"
#include "sensitivity/maps/evaluation.hpp"

int main() {
    const std::size_t N = 40, D = 64;
    nn::MLP<double> model(D, 16, 3, nn::Activation::Relu, 21);
    std::mt19937_64 rng(22);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    nn::Tensor<double> x({N, D});                                           // [40, 64], ~80% black like MNIST
    for (double& v : x) v = u(rng) < 0.2 ? 0.5 + 0.5 * u(rng) : 0.0;
    for (auto& w : model.tape().value(model.layer(1).W)) w *= 4;             // a decisive network
    const nn::Tensor<double> p0 = sensitivity::maps::predict(model, x);           // [40, 3]
    std::vector<int> t(N);                                                  // each image's own (predicted) class
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t c = 1; c < 3; ++c)
            if (p0(n, c) > p0(n, static_cast<std::size_t>(t[n]))) t[n] = static_cast<int>(c);
    const nn::Tensor<double> g = sensitivity::maps::class_gradient(model, x, t, sensitivity::maps::Output::Logits);
    const nn::Tensor<double> imp = xt::abs(g);                              // |gradient|: magnitudes, as the exercise asks

    sensitivity::maps::EvaluationOptions o;
    o.step_fraction = 0.125;
    const sensitivity::maps::DeletionTable d =
        sensitivity::maps::pixel_test<double>(model, x, t, {{"gradient", imp}}, sensitivity::maps::PixelTest::Deletion, o);
    // rows: gradient, random, random, ink first
    const auto& grad = d.rows[0];
    const auto& random = d.rows[1];
    const auto& ink = d.rows[2];

    // By hand: the mean and the standard error of the per-image differences gradient − ink first.
    double mean = 0, ss = 0;
    for (std::size_t n = 0; n < N; ++n) mean += (grad.image_auc[n] - ink.image_auc[n]) / static_cast<double>(N);
    for (std::size_t n = 0; n < N; ++n) {
        const double e = grad.image_auc[n] - ink.image_auc[n] - mean;
        ss += e * e;
    }
    const double se = std::sqrt(ss / static_cast<double>(N - 1) / static_cast<double>(N));
    const sensitivity::maps::PairedDifference* lib = nullptr;
    for (const auto& p : d.pairs)
        if (p.a == "gradient" && p.b == "random, ink first") lib = &p;

    std::printf("deletion AUC: gradient %.4f, random %.4f, random ink first %.4f\n", grad.auc, random.auc, ink.auc);
    std::printf("gradient - ink first: %.4f +- %.4f (paired s.e.), %.1f s.e.; unpaired s.e. would be %.4f\n", mean, se,
                std::abs(mean) / se, std::sqrt(grad.auc_se * grad.auc_se + ink.auc_se * ink.auc_se));
    // Ranking ink first already wins most of the distance to random: black pixels are no-op deletions.
    const bool ok = lib && std::abs(lib->difference - mean) < 1e-12 && std::abs(lib->se - se) < 1e-12 &&
                    ink.auc < random.auc;
    std::printf("%s\n", ok ? "paired standard error reproduced; ink first beats a random order"
                           : "UNEXPECTED");
    return ok ? 0 : 1;
}
