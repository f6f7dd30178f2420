// docs/solutions/probes_images_not_points.cpp — chapter 13, exercise 1: the same images at ten strengths are not ten
// independent points each. Simulate images with their own slopes, and count how often each 95% interval holds the truth.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "sensitivity/probes/probe_stats.hpp"

namespace pr = sensitivity::probes;

int main() {
    const std::size_t N = 50, K = 10, sets = 2000;    // 50 images, strengths 0, 0.1, ..., 0.9, 2000 simulated probes
    const double true_slope = -0.3;                   // the mean of the images' slopes: what a probe wants to know
    std::vector<double> strengths(K);
    for (std::size_t k = 0; k < K; ++k) strengths[k] = 0.1 * double(k);
    std::mt19937_64 rng(13);
    std::normal_distribution<double> intercept(0.9, 0.05), slope(true_slope, 0.2), noise(0, 0.02);

    std::size_t per_image_hits = 0, naive_hits = 0;
    double worst_identity = 0;
    for (std::size_t s = 0; s < sets; ++s) {
        std::vector<double> scores(K * N), x(K * N);  // scores[k·N + i]: image i at strength k, as the probe stores them
        for (std::size_t i = 0; i < N; ++i) {
            const double a = intercept(rng), b = slope(rng);           // this image's own line
            for (std::size_t k = 0; k < K; ++k) {
                scores[k * N + i] = a + b * strengths[k] + noise(rng);
                x[k * N + i] = strengths[k];
            }
        }
        const pr::SlopeEstimate images = pr::image_slope_mean(strengths, scores, N);   // N units, t(N - 1)
        const pr::SlopePosterior pooled = pr::bayes_linreg(x, scores);                 // N·K "independent" points
        worst_identity = std::max(worst_identity, std::abs(images.slope - pooled.slope));
        per_image_hits += images.ci95.lo <= true_slope && true_slope <= images.ci95.hi;
        naive_hits += pooled.ci95.lo <= true_slope && true_slope <= pooled.ci95.hi;
    }
    const double per_image = 100.0 * double(per_image_hits) / double(sets);
    const double naive = 100.0 * double(naive_hits) / double(sets);
    std::printf("pooled slope = mean of the per-image slopes: largest difference %.1e\n", worst_identity);
    std::printf("95%% intervals that hold the true mean slope, over %zu simulated probes:\n", sets);
    std::printf("  per image (image_slope_mean):    %.1f%%\n", per_image);
    std::printf("  pooled points (bayes_linreg):    %.1f%%\n", naive);

    // The pooled fit gets the slope right and its width wrong. It treats the 500 residuals as independent, but the ten
    // residuals of one image share that image's own intercept and slope; only the 50 images vary independently.
    const bool ok = worst_identity < 1e-12 && per_image >= 93 && per_image <= 97 && naive < 85;
    std::printf("%s\n", ok ? "as expected: only the per-image interval is honest" : "UNEXPECTED");
    return ok ? 0 : 1;
}
