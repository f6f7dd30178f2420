// tests/random_images.hpp — seeded random "images" (pixels uniform in [0, 1]) for tests on small random networks.
// Test helper only; real images come from datasets/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "nn/tensor.hpp"

template <class T>
nn::Tensor<T> random_images(std::size_t N, std::size_t D, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    nn::Tensor<T> x({N, D});  // [N, D]
    for (auto& v : x) v = static_cast<T>(u(rng));
    return x;
}
