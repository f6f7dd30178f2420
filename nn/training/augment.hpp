// nn/training/augment.hpp — the data-augmentation hook of the training loop, and one built-in augmenter
// (a small random rotation and shift). Only image transforms; the loop that calls them is nn/training/train.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>

namespace nn::training {

// The hook: called once per training example per epoch on a COPY of its bytes (row-major rows×cols,
// 0..255), before they become floats byte/255. It may change the bytes in place and must draw its
// randomness from `rng` only (the loop seeds it from TrainConfig::seed), so runs stay reproducible.
// Validation and test images are never augmented.
using AugmentFn = std::function<void(std::uint8_t* image, std::size_t rows, std::size_t cols, std::mt19937_64& rng)>;

// A named hook; the name is recorded in metrics.json. An empty `apply` means "no augmentation".
struct Augment {
    std::string name = "none";
    AugmentFn apply;
    explicit operator bool() const { return static_cast<bool>(apply); }
};

// Rotates `src` by `degrees` (counter-clockwise) about the image centre, then shifts it by (dx, dy)
// pixels (right, down), with bilinear interpolation; pixels that come from outside are 0.
// `dst` must not alias `src`.
void rotate_shift(const std::uint8_t* src, std::uint8_t* dst, std::size_t rows, std::size_t cols,
                  double degrees, double dx, double dy);

// The built-in augmenter: per image, an angle uniform in [-max_degrees, max_degrees] and a shift
// uniform in [-max_shift, max_shift] pixels on each axis, applied with rotate_shift.
Augment random_rotate_shift(double max_degrees = 10.0, double max_shift = 2.0);

}  // namespace nn::training
