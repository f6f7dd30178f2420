// sensitivity/maps/lrp.cpp — LRP: the rule set of each variant, one walk (rule_gradient.cpp), times the pixels.
// The rules are nn/ops/dense_rules.hpp.
#include "sensitivity/maps/lrp.hpp"

#include <xtensor/xnoalias.hpp>

#include "nn/ops/dense_rules.hpp"
#include "sensitivity/maps/rule_gradient.hpp"

namespace sensitivity::maps {

template <class T>
nn::Tensor<T> lrp(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets, LrpRule rule,
                  const LrpOptions& o, Output out) {
    require_relu_stack(model, "lrp");
    nn::RuleSet<T> rules;
    if (rule == LrpRule::Epsilon) {
        rules.set(nn::Op::AddBias, nn::rules::lrp_epsilon<T>(static_cast<T>(o.epsilon)));
    } else {
        rules.set(nn::Op::AddBias, nn::rules::lrp_zplus_bias<T>());
        rules.set(nn::Op::MatMul, nn::rules::lrp_zplus_product<T>());
    }
    nn::Tensor<T> r = rule_gradient(model, x, targets, rules, "lrp", out);   // [N, D]
    xt::noalias(r) = r * x;                                                  // R = x ⊙ g
    return r;
}

template nn::Tensor<float> lrp(Model<float>, const nn::Tensor<float>&, const std::vector<int>&, LrpRule,
                               const LrpOptions&, Output);
template nn::Tensor<double> lrp(Model<double>, const nn::Tensor<double>&, const std::vector<int>&, LrpRule,
                                const LrpOptions&, Output);

}  // namespace sensitivity::maps
