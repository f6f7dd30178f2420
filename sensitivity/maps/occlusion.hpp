// sensitivity/maps/occlusion.hpp — occlusion maps: slide a black patch over the image and measure the drop of the target's score.
// Forward passes only, no gradients; gradient-based maps are in jacobian.hpp and attribution.hpp.
#pragma once

#include <cstddef>
#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// A square patch of `side` pixels moved by `stride`; the last position of each axis is moved flush to the
// image edge when the stride does not land there, so every pixel is covered by at least one patch (a stride larger
// than the side is refused: it would leave pixels between the patches uncovered).
struct OcclusionOptions {
    std::size_t side = 4;
    std::size_t stride = 2;
};

// The patch positions along one axis of an image `width` pixels wide.
std::vector<std::size_t> occlusion_positions(std::size_t width, const OcclusionOptions& options);

// f_t(x) − f_t(x') from the logits l of x and l' of x' [C each], in double. For the logit target that is
// l_t − l'_t; for the probability target the difference is formed without subtracting two probabilities near 1
// (on a confident image p_t ≈ 1 − 1e-6, and float p_t − p'_t would keep only a few correct digits).
template <class T>
double score_drop(const T* l, const T* l_occluded, std::size_t C, std::size_t t, Output out);

// map[n, p] = mean, over the patches covering pixel p, of f_t(x_n) − f_t(x_n with the patch set to 0) -> [N, D].
// f is the logit (the default, like the gradient maps) or the softmax probability (what Zeiler & Fergus plotted).
// The input must be square images (D = W·W, row-major); the patched copies of a chunk of images are one batch
// of at most `chunk_rows` rows (at least one image's copies).
template <class T>
nn::Tensor<T> occlusion(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                        const OcclusionOptions& options = {}, Output out = Output::Logits,
                        std::size_t chunk_rows = 1024);

}  // namespace sensitivity::maps
