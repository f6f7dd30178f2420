// sensitivity/maps/rule_gradient.hpp — what the rule-based maps share: one forward per chunk, then one backward walk of
// the tape under a rule set (nn/rules.hpp) from the target logit; optionally a baseline's forward recorded first.
#pragma once

#include <cstddef>
#include <vector>

#include "nn/rules.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// The walk's result at the pixels -> [N, D]: with an empty rule set, ∂l_t/∂x (the logit gradient). With `baseline`
// ([1, D] or [N, D]), each chunk records the baseline's forward first and then the image's, on the same tape, and the
// walk's rules read the baseline's values as their reference (RuleSet::with_reference). The parameters are frozen
// and the tape is as it was afterwards. Always the logit: the softmax has no rules (`out` must be Output::Logits).
template <class T>
nn::Tensor<T> rule_gradient(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                            const nn::RuleSet<T>& rules, const char* who, Output out = Output::Logits,
                            const nn::Tensor<T>* baseline = nullptr, std::size_t chunk = 1000);

// The rules of nn/ops/ assume the network they walk: dense layers (matmul, add_bias) with relu between them.
// Throws "<who>: needs a stack of dense layers with relu between them (...)" otherwise.
template <class T>
void require_relu_stack(const ModelView<T>& model, const char* who);

}  // namespace sensitivity::maps
