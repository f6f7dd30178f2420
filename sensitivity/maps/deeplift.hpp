// sensitivity/maps/deeplift.hpp — DeepLIFT-Rescale: multipliers walked back from the logit with relu's Rescale rule
// (nn/ops/relu_rules.hpp) against a baseline whose forward pass is recorded on the same tape.
#pragma once

#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// a = m ⊙ (x − x₀) (Shrikumar et al. 2017), m the walk's multipliers: relu's is (y − y₀)/(a − a₀), the linear ops'
// their own derivative. Summation to delta holds exactly: Σ_j a_j = l_t(x) − l_t(x₀). Baselines: the black image, or
// the image blurred by a Gaussian of `blur_sigma` pixels (square images, side √D; Sturmfels et al. 2020's blurred
// baseline). Needs a stack of dense layers with relu between them; explains the logit.
enum class DeepLiftBaseline { Zero, Blurred };
struct DeepLiftOptions {
    double blur_sigma = 3.0;             // pixels
};
template <class T>
nn::Tensor<T> deeplift(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                       DeepLiftBaseline baseline, const DeepLiftOptions& options = {}, Output out = Output::Logits);
// The same against any baseline [1, D] or [N, D].
template <class T>
nn::Tensor<T> deeplift(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                       const nn::Tensor<T>& baseline, Output out = Output::Logits);
// Each row of x [N, D] as a side × side image blurred by a Gaussian of `sigma` pixels (separable, edges clamped).
// Throws if D is not a square.
template <class T>
nn::Tensor<T> blurred(const nn::Tensor<T>& x, double sigma);

}  // namespace sensitivity::maps
