// docs/snippets/probe_fake_model.cpp — chapter 13: a property probe of a fake model whose score we wrote ourselves.
// Shows the binned table, the fitted slope with its intervals, and the floor; real models are probed by train-and-explain.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "sensitivity/probes/probe.hpp"
#include "sensitivity/probes/properties.hpp"

namespace probes = sensitivity::probes;

int main() {
    // 2000 "digits": a block of k full-ink pixels (k from 20 to 180) plus one pixel of random grey u.
    const std::size_t N = 2000, D = 784;
    std::mt19937_64 rng(9);
    std::uniform_int_distribution<int> block(20, 180);
    std::uniform_real_distribution<float> grey(0.0f, 1.0f);
    nn::Tensor<float> images = nn::Tensor<float>::from_shape({N, D});  // [N, 784]
    images.fill(0.0f);
    for (std::size_t i = 0; i < N; ++i) {
        const int k = block(rng);
        for (int j = 0; j < k; ++j) images(i, 300 + std::size_t(j)) = 1.0f;
        images(i, 0) = grey(rng);
    }
    const std::vector<int> labels(N, 0);   // every example is of class 0

    // The fake model: P(class 0) = 0.3 + ink/400 + 0.2·u. So the score rises by 1/400 = 0.0025 per pixel of ink,
    // and u adds scatter that has nothing to do with ink.
    const probes::PredictFn fake = [](const nn::Tensor<float>& x) {
        nn::Tensor<float> probs = nn::Tensor<float>::from_shape({x.shape(0), 2});   // [B, 2]
        for (std::size_t i = 0; i < x.shape(0); ++i) {
            float ink = 0;
            for (std::size_t j = 0; j < x.shape(1); ++j) ink += x(i, j);
            probs(i, 0) = 0.3f + ink / 400 + 0.2f * x(i, 0);
            probs(i, 1) = 1 - probs(i, 0);
        }
        return probs;
    };

    const std::vector<double> ink = probes::compute_property(images, probes::Property::InkMass);
    probes::BinOptions bins;  // 10 bins of (nearly) equal count
    probes::FitOptions fit;   // a line through every (ink, score) point
    const probes::ProbeResult r =
        probes::property_probe("ink_mass", "pixels of ink", ink, fake, images, labels, bins, fit);

    std::printf("%9s %5s %10s %9s\n", "p", "n", "mean_score", "std_score");
    std::size_t total = 0;
    for (const probes::ProbeRow& row : r.rows) {
        std::printf("%9.2f %5zu %10.4f %9.4f\n", row.p, row.n, row.mean_score, row.std_score);
        total += row.n;
    }
    const probes::ProbeFit& f = *r.fit;
    std::printf("slope %.5f per pixel, 50%% CI [%.5f, %.5f], 95%% CI [%.5f, %.5f]\n", f.slope, f.ci50.lo, f.ci50.hi,
                f.ci95.lo, f.ci95.hi);

    // The floor: 0.02 of score change across the 5-95% quantile range of ink (no bins involved), per pixel.
    std::printf("%s interval, floor %.6f per pixel -> significance %s\n", f.interval.c_str(), f.floor,
                f.significance.c_str());

    const bool ok = total == N && f.ci95.lo < 0.0025 && 0.0025 < f.ci95.hi && f.significance == "high" &&
                    probes::significance(f.ci95, 10 * std::abs(f.slope)) == "negligible";
    std::printf(ok ? "the probe found the slope we built in\n" : "UNEXPECTED\n");
    return ok ? 0 : 1;
}
