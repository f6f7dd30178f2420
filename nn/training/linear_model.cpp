// nn/training/linear_model.cpp — ridge by a Cholesky solve written out, logistic regression (a no-hidden-layer net) by
// Newton steps to convergence, and the penalty of either chosen by an inner cross-validation.
#include "nn/training/linear_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "nn/linear.hpp"
#include "nn/optimizer.hpp"
#include "nn/training/cross_validate.hpp"

namespace nn::training {

namespace {

// Solves A·X = B in place for a symmetric positive definite A [D, D] (B [D, M] becomes X): A = L·Lᵀ, then two
// triangular solves. Throws when a pivot is not positive (A singular, e.g. a constant feature with λ = 0).
void cholesky_solve(Tensor<double>& A, Tensor<double>& B) {
    const std::size_t D = A.shape(0), M = B.shape(1);
    for (std::size_t j = 0; j < D; ++j) {                  // L overwrites the lower triangle of A
        double d = A(j, j);
        for (std::size_t k = 0; k < j; ++k) d -= A(j, k) * A(j, k);
        if (!(d > 1e-12 * std::max(1.0, std::abs(A(j, j)))))
            throw std::invalid_argument("linear model: the matrix to solve (ZᵀZ + λ·N·I, or the logistic Hessian) is "
                                        "not positive definite (a constant or duplicated feature with λ = 0?)");
        A(j, j) = std::sqrt(d);
        for (std::size_t i = j + 1; i < D; ++i) {
            double s = A(i, j);
            for (std::size_t k = 0; k < j; ++k) s -= A(i, k) * A(j, k);
            A(i, j) = s / A(j, j);
        }
    }
    for (std::size_t m = 0; m < M; ++m) {
        for (std::size_t i = 0; i < D; ++i) {              // L·u = b
            double s = B(i, m);
            for (std::size_t k = 0; k < i; ++k) s -= A(i, k) * B(k, m);
            B(i, m) = s / A(i, i);
        }
        for (std::size_t i = D; i-- > 0;) {                // Lᵀ·x = u
            double s = B(i, m);
            for (std::size_t k = i + 1; k < D; ++k) s -= A(k, i) * B(k, m);
            B(i, m) = s / A(i, i);
        }
    }
}

// The loss a penalty is chosen by: MSE of the standardized target, or the log-loss.
double validation_loss(const LinearModel& m, const TableData& d) {
    const TableScore s = score(predict(m, d.x), d);
    return m.classification ? s.log_loss : s.rmse * s.rmse;
}

}  // namespace

LinearModel fit_ridge(const TableData& data, double lambda) {
    if (!(lambda >= 0) || !std::isfinite(lambda)) throw std::invalid_argument("fit_ridge: λ must be a finite number >= 0");
    if (data.classification()) throw std::invalid_argument("fit_ridge: needs a numeric target");
    const std::size_t N = data.size(), D = data.x.shape(1), M = data.y.shape(1);
    if (N == 0) throw std::invalid_argument("fit_ridge: no rows");
    std::vector<double> zbar(D, 0), ybar(M, 0);            // column means, for the unpenalised intercept
    for (std::size_t n = 0; n < N; ++n) {
        for (std::size_t j = 0; j < D; ++j) zbar[j] += data.x(n, j) / static_cast<double>(N);
        for (std::size_t m = 0; m < M; ++m) ybar[m] += data.y(n, m) / static_cast<double>(N);
    }
    Tensor<double> A = xt::zeros<double>({D, D});          // [D, D] ZᵀZ of the centred features, + λ·N·I
    Tensor<double> W = xt::zeros<double>({D, M});          // [D, M] Zᵀy, then the solution
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t i = 0; i < D; ++i) {
            const double zi = data.x(n, i) - zbar[i];
            for (std::size_t j = 0; j <= i; ++j) A(i, j) += zi * (data.x(n, j) - zbar[j]);
            for (std::size_t m = 0; m < M; ++m) W(i, m) += zi * (data.y(n, m) - ybar[m]);
        }
    for (std::size_t i = 0; i < D; ++i) A(i, i) += lambda * static_cast<double>(N);
    cholesky_solve(A, W);                                  // only the lower triangle of A is read
    LinearModel model;
    model.b = xt::zeros<double>({std::size_t(1), M});      // [1, M] b = ȳ − z̄·W
    for (std::size_t m = 0; m < M; ++m) {
        model.b(0, m) = ybar[m];
        for (std::size_t j = 0; j < D; ++j) model.b(0, m) -= zbar[j] * W(j, m);
    }
    model.W = std::move(W);
    model.penalty = lambda;
    return model;
}

LinearModel fit_logistic(const TableData& data, std::size_t classes, double weight_decay, std::size_t max_steps) {
    if (!data.classification()) throw std::invalid_argument("fit_logistic: needs class labels");
    const std::size_t N = data.size(), D = data.x.shape(1), P = D + 1, C = classes, Q = C * P;
    if (N == 0 || classes < 2) throw std::invalid_argument("fit_logistic: needs rows and at least 2 classes");
    if (!(weight_decay > 0) || !std::isfinite(weight_decay))
        throw std::invalid_argument("fit_logistic: the weight decay must be a finite number > 0");
    // θ[c·P + i] is W(i, c) for i < D and b(c) for i = D. The objective is the net's: mean softmax cross-entropy
    // plus wd/2·|θ|² (weight decay on every weight, as the optimizers apply it), minimised by Newton's method.
    std::vector<double> theta(Q, 0);                       // p = 1/C for every row: no seed to depend on
    const auto row_p = [&](const std::vector<double>& t, std::size_t n) {
        std::vector<double> z(C);
        for (std::size_t c = 0; c < C; ++c) {
            z[c] = t[c * P + D];
            for (std::size_t i = 0; i < D; ++i) z[c] += t[c * P + i] * data.x(n, i);
        }
        const double top = *std::max_element(z.begin(), z.end());
        double sum = 0;
        for (double& v : z) sum += (v = std::exp(v - top));
        for (double& v : z) v /= sum;
        return z;                                          // [C] the row's class probabilities
    };
    const auto objective = [&](const std::vector<double>& t) {
        double l = 0;
        for (std::size_t n = 0; n < N; ++n) l -= std::log(std::max(row_p(t, n)[data.labels[n]], 1e-300)) / double(N);
        for (double v : t) l += weight_decay / 2 * v * v;
        return l;
    };
    double current = objective(theta);
    for (std::size_t step = 0; step < max_steps; ++step) {
        Tensor<double> H = xt::zeros<double>({Q, Q});      // [Q, Q] the Hessian (lower triangle), + wd·I
        Tensor<double> g = xt::zeros<double>({Q, std::size_t(1)});   // [Q, 1] the gradient, then the Newton step
        std::vector<double> x(P, 1.0);
        for (std::size_t n = 0; n < N; ++n) {
            const std::vector<double> p = row_p(theta, n);
            for (std::size_t i = 0; i < D; ++i) x[i] = data.x(n, i);
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t i = 0; i < P; ++i) {
                    const std::size_t q = c * P + i;
                    g(q, 0) += (p[c] - (data.labels[n] == c ? 1.0 : 0.0)) * x[i] / double(N);
                    for (std::size_t d = 0; d <= c; ++d)
                        for (std::size_t j = 0; j < P && d * P + j <= q; ++j)
                            H(q, d * P + j) += p[c] * ((c == d ? 1.0 : 0.0) - p[d]) * x[i] * x[j] / double(N);
                }
        }
        double gmax = 0;
        for (std::size_t q = 0; q < Q; ++q) {
            g(q, 0) += weight_decay * theta[q];
            H(q, q) += weight_decay;
            gmax = std::max(gmax, std::abs(g(q, 0)));
        }
        if (gmax < 1e-9) break;                            // converged: the gradient of the objective is ~0
        cholesky_solve(H, g);                              // g becomes H⁻¹·gradient
        std::vector<double> trial(Q);
        double scale = 1, next = current;
        for (int halving = 0; halving < 40; ++halving, scale /= 2) {   // halve the step until the objective falls
            for (std::size_t q = 0; q < Q; ++q) trial[q] = theta[q] - scale * g(q, 0);
            next = objective(trial);
            if (next <= current) break;
        }
        if (!(next <= current)) break;                     // no step lowers it: at the minimum to rounding
        theta = trial;
        const double fall = current - next;
        current = next;
        if (fall < 1e-14 * std::max(1.0, std::abs(current))) break;
    }
    LinearModel model;
    model.W = xt::zeros<double>({D, C});
    model.b = xt::zeros<double>({std::size_t(1), C});
    for (std::size_t c = 0; c < C; ++c) {
        for (std::size_t i = 0; i < D; ++i) model.W(i, c) = theta[c * P + i];
        model.b(0, c) = theta[c * P + D];
    }
    model.penalty = weight_decay;
    model.classification = true;
    return model;
}

LinearModel fit_baseline(const TableData& data, std::size_t out, std::uint64_t seed, std::size_t folds,
                         std::vector<double> grid) {
    const bool classify = data.classification();
    if (grid.empty()) grid = classify ? std::vector<double>{1e-4, 1e-3, 1e-2} : std::vector<double>{1e-6, 1e-4, 1e-3, 1e-2, 0.1, 1};
    const auto fit = [&](const TableData& d, double penalty) {
        return classify ? fit_logistic(d, out, penalty) : fit_ridge(d, penalty);
    };
    double best = grid.front();
    if (grid.size() > 1) {
        const auto parts = kfold(data.size(), std::min(folds, data.size()), seed);
        double best_loss = std::numeric_limits<double>::infinity();
        for (double penalty : grid) {
            double loss = 0;
            for (const auto& held_out : parts) {
                const TableData inner = subset(data, complement(data.size(), held_out));
                loss += validation_loss(fit(inner, penalty), subset(data, held_out)) / static_cast<double>(parts.size());
            }
            if (loss < best_loss) best_loss = loss, best = penalty;
        }
    }
    return fit(data, best);
}

Tensor<float> predict(const LinearModel& model, const Tensor<float>& z) {
    const std::size_t N = z.shape(0), D = z.shape(1), C = model.W.shape(1);
    if (D != model.W.shape(0))
        throw std::invalid_argument("predict: input has " + std::to_string(D) + " columns, the linear model expects " +
                                    std::to_string(model.W.shape(0)));
    Tensor<float> f({N, C});                               // [N, C]
    for (std::size_t n = 0; n < N; ++n) {
        double top = -std::numeric_limits<double>::infinity();
        std::vector<double> row(C);
        for (std::size_t c = 0; c < C; ++c) {
            row[c] = model.b(0, c);
            for (std::size_t j = 0; j < D; ++j) row[c] += z(n, j) * model.W(j, c);
            top = std::max(top, row[c]);
        }
        if (model.classification) {                        // softmax, shifted by the row's largest logit
            double sum = 0;
            for (double& v : row) sum += (v = std::exp(v - top));
            for (double& v : row) v /= sum;
        }
        for (std::size_t c = 0; c < C; ++c) f(n, c) = static_cast<float>(row[c]);
    }
    return f;
}

}  // namespace nn::training
