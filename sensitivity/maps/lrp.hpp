// sensitivity/maps/lrp.hpp — Layer-wise Relevance Propagation: the logit's relevance walked back to the pixels by the
// LRP-ε or LRP-z⁺ rule of every dense layer (nn/ops/dense_rules.hpp) instead of the chain rule.
#pragma once

#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// R = x ⊙ g, g the walk's result under the rule (relu passes relevance through). LRP-ε (Bach et al. 2015) with ε = 0
// is gradient × input; ε > 0 lets each layer absorb part of the relevance (with its bias), Σ_j R_j < l_t. LRP-z⁺
// (Montavon et al. 2017; αβ with α = 1, β = 0) spreads each unit's relevance over its positive contributions only,
// for inputs ≥ 0 (pixels, relu outputs); it conserves Σ_j R_j = l_t where every unit has a positive input.
// Needs a stack of dense layers with relu between them; explains the logit.
enum class LrpRule { Epsilon, ZPlus };
struct LrpOptions {
    double epsilon = 0.01;               // LRP-ε's stabilizer, in logit units
};
template <class T>
nn::Tensor<T> lrp(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets, LrpRule rule,
                  const LrpOptions& options = {}, Output out = Output::Logits);

}  // namespace sensitivity::maps
