// sensitivity/occlusion.hpp — occlusion maps: slide a black patch over the image and measure the drop of the target probability.
// Forward passes only, no gradients; gradient-based maps are in jacobian.hpp and attribution.hpp.
#pragma once

#include <cstddef>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/jacobian.hpp"

namespace sensitivity {

// A square patch of `side` pixels moved by `stride`; the last position of each axis is moved flush to the
// image edge when the stride does not land there, so every pixel is covered by at least one patch.
struct OcclusionOptions {
    std::size_t side = 4;
    std::size_t stride = 2;
};

// The patch positions along one axis of an image `width` pixels wide.
std::vector<std::size_t> occlusion_positions(std::size_t width, const OcclusionOptions& options);

// map[n, p] = mean, over the patches covering pixel p, of f_t(x_n) − f_t(x_n with the patch set to 0) -> [N, D].
// The input must be square images (D = W·W, row-major); all patched copies of a chunk of images are one batch.
template <class T>
nn::Tensor<T> occlusion(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                        const OcclusionOptions& options = {}, Output out = Output::Softmax,
                        std::size_t chunk_rows = 4096);

}  // namespace sensitivity
