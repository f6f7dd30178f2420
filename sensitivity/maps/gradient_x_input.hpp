// sensitivity/maps/gradient_x_input.hpp — gradient × input: the class gradient weighted by the pixel values.
// One backward per chunk of images, through class_gradient (jacobian.hpp); the other methods have files of their own.
#pragma once

#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// a = x ⊙ ∂f_t/∂x  -> [N, D], f_t the logit (or the probability) of the class targets[n] of image n (attribution.hpp)
template <class T>
nn::Tensor<T> gradient_times_input(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                   Output out = Output::Logits);

}  // namespace sensitivity::maps
