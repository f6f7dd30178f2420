// docs/solutions/draw_follow_the_red.cpp — chapter 14, exercise 1: do what the red/blue map says, step by step.
// From an input the network calls a, steps along ∂(p_b − p_a)/∂x (clipped to [0, 1]) until it says b.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "nn/argmax.hpp"
#include "nn/mlp.hpp"
#include "sensitivity/maps/jacobian.hpp"

int main() {
    nn::MLP<float> model(784, 32, 10, nn::Activation::Relu, 7);  // He-initialised: any network has a red/blue map
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    nn::Tensor<float> x({1, 784});                                // [1, 784] a random "drawing"
    for (float& v : x) v = u(rng) < 0.2f ? u(rng) : 0.0f;
    const nn::Tensor<float> start = x;
    const nn::Tensor<float> p0 = nn::predict(model, x);           // [1, 10]
    const int a = nn::argmax_rows(p0)[0];
    const int b = (a + 1) % 10;                                   // the class we push towards
    const float eta = 0.05f;
    int steps = 0;
    double pb_first = p0(0, b), pb = pb_first;
    while (nn::argmax_rows(nn::predict(model, x))[0] != b && steps < 2000) {
        const nn::Tensor<float> d = sensitivity::maps::class_difference_gradient(model, x, b, a);  // [1, 784]: ∂(p_b − p_a)/∂x
        float norm = 0;
        for (float v : d) norm = std::max(norm, std::abs(v));
        for (std::size_t j = 0; j < 784; ++j) x(0, j) = std::clamp(x(0, j) + eta * d(0, j) / norm, 0.0f, 1.0f);
        ++steps;
        pb = nn::predict(model, x)(0, b);
    }
    double changed = 0;
    for (std::size_t j = 0; j < 784; ++j) changed += std::abs(x(0, j) - start(0, j));
    std::printf("network said %d; after %d steps along d(p_%d - p_%d)/dx it says %d; p_%d %.3f -> %.3f; ink moved %.1f\n",
                a, steps, b, a, nn::argmax_rows(nn::predict(model, x))[0], b, pb_first, pb, changed);
    const bool ok = nn::argmax_rows(nn::predict(model, x))[0] == b && pb > pb_first && steps < 2000;
    std::printf("%s\n", ok ? "OK: following the map turned a into b" : "NOT OK");
    return ok ? 0 : 1;
}
