// docs/snippets/occlusion_fd.cpp — chapter 12: occluding one pixel is a finite difference; for faint pixels, x ⊙ gradient.
// A random 36-10-4 tanh net on 6×6 "images", logits as the output; no training and no MNIST.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/maps/attribution.hpp"

int main() {
    nn::MLP<double> model(36, 10, 4, nn::Activation::Tanh, 3);
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    nn::Tensor<double> u({2, 36});                                   // [2, 36] two random 6×6 images
    for (double& v : u) v = pixel(rng);
    const std::vector<int> targets = {1, 3};
    sensitivity::maps::OcclusionOptions one_pixel;
    one_pixel.side = 1;
    one_pixel.stride = 1;

    // occlusion_j = f_t(x) − f_t(x with x_j = 0), a one-sided difference of step x_j: x_j ∂f_t/∂x_j + O(x_j²).
    std::printf("ink scale   max |occlusion - x*grad| / max |x*grad|\n");
    std::vector<double> errors;
    for (double scale : {1.0, 0.1, 0.01}) {
        const nn::Tensor<double> x = scale * u;                      // [2, 36] fainter and fainter
        const auto logits = sensitivity::maps::Output::Logits;
        const nn::Tensor<double> occ = sensitivity::maps::occlusion(model, x, targets, one_pixel, logits);     // [2, 36]
        const nn::Tensor<double> gx = sensitivity::maps::gradient_times_input(model, x, targets, logits);      // [2, 36]
        double diff = 0, size = 0;
        for (std::size_t i = 0; i < gx.size(); ++i) {
            diff = std::max(diff, std::abs(occ.data()[i] - gx.data()[i]));
            size = std::max(size, std::abs(gx.data()[i]));
        }
        errors.push_back(diff / size);
        std::printf("%9.2f   %.1e\n", scale, errors.back());
    }
    // The straight line x_j ∂f_t/∂x_j misses O(x_j²): ten times fainter pixels, at least five times closer.
    const bool ok = errors[1] < errors[0] / 5 && errors[2] < errors[1] / 5 && errors[2] < 0.01;
    std::printf("%s\n", ok ? "occlusion -> gradient x input as the pixels fade" : "UNEXPECTED");
    return ok ? 0 : 1;
}
