// sensitivity/tables/log_odds.hpp — what a classification table's sensitivity is taken of: the log-odds of each row's predicted
// class, from the logits' Jacobian (it does not saturate as the probability does). Not the Jacobian itself (sensitivity/maps/jacobian.hpp).
#pragma once

#include <vector>

#include <xtensor/xtensor.hpp>

namespace sensitivity::tables {

// For row n with predicted class c = argmax_k logits(n, k) (ties: the lowest k):
//   log-odds L = log(p_c / (1 - p_c)) = l_c - log Σ_{k≠c} exp(l_k),
//   ∂L/∂x_j = J(n, c, j) - Σ_{k≠c} q_k · J(n, k, j),  q = softmax of the other classes' logits.
// With two classes this is l_c - l_other, the scale of logistic regression. No probability enters, so it stays finite
// and informative where p_c rounds to 1. J [N, C, D] is the logits' Jacobian, logits [N, C]; returns [N, D].
struct LogOddsJacobian {
    xt::xtensor<double, 2> J;          // [N, D]
    std::vector<int> predicted;        // [N]
};
LogOddsJacobian predicted_class_log_odds(const xt::xtensor<double, 3>& J, const xt::xtensor<double, 2>& logits);

}  // namespace sensitivity::tables
