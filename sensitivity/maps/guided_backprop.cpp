// sensitivity/maps/guided_backprop.cpp — guided backprop and deconvnet: one rule for relu, one walk (rule_gradient.cpp).
// The rules are nn/ops/relu_rules.hpp.
#include "sensitivity/maps/guided_backprop.hpp"

#include "nn/ops/relu_rules.hpp"
#include "sensitivity/maps/rule_gradient.hpp"

namespace sensitivity::maps {

template <class T>
nn::Tensor<T> guided_backprop(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets, ReluRule rule,
                              Output out) {
    const char* who = rule == ReluRule::Guided ? "guided_backprop" : "deconvnet";
    require_relu_stack(model, who);
    const nn::RuleSet<T> rules = nn::RuleSet<T>().set(
        nn::Op::Relu, rule == ReluRule::Guided ? nn::rules::guided_backprop<T>() : nn::rules::deconvnet<T>());
    return rule_gradient(model, x, targets, rules, who, out);
}

template nn::Tensor<float> guided_backprop(Model<float>, const nn::Tensor<float>&, const std::vector<int>&, ReluRule,
                                           Output);
template nn::Tensor<double> guided_backprop(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                            ReluRule, Output);

}  // namespace sensitivity::maps
