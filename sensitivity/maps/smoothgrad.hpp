// sensitivity/maps/smoothgrad.hpp — SmoothGrad: the class gradient averaged over noisy copies of the image.
// The noisy copies of a chunk of images are the rows of one forward and one backward (sample_gradients.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// SmoothGrad (Smilkov et al. 2017): a = mean over s of ∂f_t/∂x at x + ε_s, ε_s ~ N(0, σ²) per pixel.
// σ is in pixel units (pixels are in [0, 1], so 0.15 is 15 % of the range). Same seed, same maps.
// The rows are processed in chunks of at most `chunk_rows` sample rows (at least one image's samples), so memory
// does not grow with N.
struct SmoothGradOptions {
    double sigma = 0.15;
    std::size_t samples = 32;
    std::uint64_t seed = 1;
};
template <class T>
nn::Tensor<T> smoothgrad(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                         const SmoothGradOptions& options = {}, Output out = Output::Logits,
                         std::size_t chunk_rows = 1024);

}  // namespace sensitivity::maps
