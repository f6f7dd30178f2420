// docs/snippets/ig_completeness.cpp — chapter 12: Integrated Gradients add up to the change of the output.
// A random 16-12-3 tanh net in double precision; MNIST digits are scored by train-and-explain's beyond stage.
#include <cstdio>
#include <random>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/maps/attribution.hpp"

int main() {
    nn::MLP<double> model(16, 12, 3, nn::Activation::Tanh, 5);
    std::mt19937_64 rng(2);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    nn::Tensor<double> x({3, 16});                                   // [3, 16] three random "images"
    for (double& v : x) v = pixel(rng);
    const std::vector<int> targets = {0, 1, 2};                      // one target class per image

    // Completeness: Σ_j a_j = p_t(x) − p_t(0), up to the error of the integral's midpoint rule (~ 1/steps²).
    const auto p = sensitivity::maps::Output::Softmax;                     // the target: the probability p_t
    std::printf("IG steps   max relative gap\n");
    std::vector<double> gaps;
    for (std::size_t steps : {1, 4, 16, 64}) {
        sensitivity::maps::IgOptions o;
        o.steps = steps;
        const nn::Tensor<double> a = sensitivity::maps::integrated_gradients(model, x, targets, o, p);   // [3, 16]
        gaps.push_back(sensitivity::maps::completeness(model, x, targets, a, p).max_relative_gap);
        std::printf("%8zu   %.1e\n", steps, gaps.back());
    }
    // x ⊙ gradient takes the slope at x alone, as if the net were a straight line from 0 to x.
    const nn::Tensor<double> gx = sensitivity::maps::gradient_times_input(model, x, targets, p);       // [3, 16]
    const double gx_gap = sensitivity::maps::completeness(model, x, targets, gx, p).max_relative_gap;
    std::printf("gradient x input: %.1e\n", gx_gap);

    const bool shrinks = gaps[1] < gaps[0] && gaps[2] < gaps[1] / 8 && gaps[3] < gaps[2] / 8;
    const bool ok = shrinks && gaps[3] < 1e-3 && gx_gap > 100 * gaps[3];
    std::printf("%s\n", ok ? "IG is complete, gradient x input is not" : "UNEXPECTED");
    return ok ? 0 : 1;
}
