// sensitivity/tables/log_odds.cpp — the predicted class's log-odds Jacobian from the logits' Jacobian: a softmax over the other
// classes, computed with the largest other logit subtracted so that exp() cannot overflow.
#include "sensitivity/tables/log_odds.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sensitivity::tables {

LogOddsJacobian predicted_class_log_odds(const xt::xtensor<double, 3>& J, const xt::xtensor<double, 2>& logits) {
    const std::size_t N = J.shape(0), C = J.shape(1), D = J.shape(2);
    if (logits.shape(0) != N || logits.shape(1) != C || C < 2)
        throw std::invalid_argument("predicted_class_log_odds: J [N, C, D] and logits [N, C] must agree, C >= 2");
    LogOddsJacobian out;
    out.J = xt::zeros<double>({N, D});
    out.predicted.assign(N, 0);
    std::vector<double> q(C);
    for (std::size_t n = 0; n < N; ++n) {
        std::size_t c = 0;
        for (std::size_t k = 1; k < C; ++k)
            if (logits(n, k) > logits(n, c)) c = k;
        out.predicted[n] = static_cast<int>(c);
        double top = -INFINITY, sum = 0;
        for (std::size_t k = 0; k < C; ++k)
            if (k != c) top = std::max(top, logits(n, k));
        for (std::size_t k = 0; k < C; ++k) sum += q[k] = k == c ? 0.0 : std::exp(logits(n, k) - top);
        for (std::size_t j = 0; j < D; ++j) {
            double d = J(n, c, j);
            for (std::size_t k = 0; k < C; ++k)
                if (k != c) d -= q[k] / sum * J(n, k, j);
            out.J(n, j) = d;
        }
    }
    return out;
}

}  // namespace sensitivity::tables
