// sensitivity/maps/guided_backprop.hpp — guided backpropagation and deconvnet: the logit's backward walk with relu's
// reverse kernel replaced by the method's rule (nn/ops/relu_rules.hpp). Gradient-like maps, not derivatives.
#pragma once

#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// Guided backprop (Springenberg et al. 2015): at each relu pass only positive signal through open units,
// dy · [a > 0] · [dy > 0]. Deconvnet (Zeiler & Fergus 2014): max(dy, 0), whatever the unit's input. Both are
// read as |map| like the gradient; Adebayo et al. (2018) found guided backprop nearly blind to the trained weights.
// Needs a stack of dense layers with relu between them; explains the logit.
enum class ReluRule { Guided, Deconvnet };
template <class T>
nn::Tensor<T> guided_backprop(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                              ReluRule rule = ReluRule::Guided, Output out = Output::Logits);

}  // namespace sensitivity::maps
