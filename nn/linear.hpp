// nn/linear.hpp — a fully connected layer y = x·W + b whose W and b are leaves on a tape.
// Only the layer: the two-layer network that uses it is nn/mlp.hpp.
#pragma once

#include <cmath>
#include <cstddef>
#include <random>

#include "nn/tape.hpp"

namespace nn {

// W is [in, out] and b is [1, out], so a batch x [B, in] maps to x·W + b [B, out] with no transpose.
struct Linear {
    Var W, b;
    std::size_t in = 0, out = 0;
};

// He (Kaiming) initialisation for ReLU layers: W ~ N(0, 2/in), b = 0, from the caller's seeded RNG.
template <class T>
Linear make_linear(Tape<T>& tape, std::size_t in, std::size_t out, std::mt19937_64& rng) {
    std::normal_distribution<double> normal(0.0, std::sqrt(2.0 / static_cast<double>(in)));
    Tensor<T> W({in, out});                                       // [in, out]
    for (auto& w : W) w = static_cast<T>(normal(rng));
    Tensor<T> b = xt::zeros<T>({std::size_t(1), out});            // [1, out]
    return Linear{tape.leaf(std::move(W)), tape.leaf(std::move(b)), in, out};
}

// Records x·W + b on the tape.
template <class T>
Var forward(Tape<T>& tape, const Linear& layer, Var x) {
    return tape.add_bias(tape.matmul(x, layer.W), layer.b);      // [B, out]
}

}  // namespace nn
