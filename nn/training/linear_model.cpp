// nn/training/linear_model.cpp — ridge by a Cholesky solve written out, logistic regression as a no-hidden-layer net on the
// tape, and the penalty of either chosen by an inner cross-validation.
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
            throw std::invalid_argument("fit_ridge: ZᵀZ + λ·N·I is not positive definite (a constant or duplicated "
                                        "feature with λ = 0?)");
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

LinearModel fit_logistic(const TableData& data, std::size_t classes, double weight_decay, std::size_t steps) {
    if (!data.classification()) throw std::invalid_argument("fit_logistic: needs class labels");
    const std::size_t N = data.size(), D = data.x.shape(1);
    if (N == 0 || classes < 2) throw std::invalid_argument("fit_logistic: needs rows and at least 2 classes");
    Tape<float> tape;
    std::mt19937_64 rng(1);
    Linear layer = make_linear(tape, D, classes, rng);     // W [D, C], b [1, C]
    tape.value(layer.W).fill(0);                           // start at p = 1/C for every row: no seed to depend on
    const std::size_t params_end = tape.mark();
    OptimizerConfig oc;
    oc.kind = OptimizerKind::Adam;
    oc.weight_decay = weight_decay;
    std::unique_ptr<Optimizer<float>> adam = make_optimizer<float>(oc);
    const std::vector<Var> params = {layer.W, layer.b};
    for (std::size_t step = 0; step < steps; ++step) {
        tape.rewind(params_end);
        Var x = tape.leaf(N, D, false);                    // [N, D]
        tape.value(x) = data.x;
        Var loss = tape.softmax_cross_entropy(forward(tape, layer, x), data.labels);   // [1, 1]
        for (Var p : params) tape.zero_grad(p);
        tape.backward(loss);                               // dW, db
        adam->step(tape, params, 0.05);
    }
    LinearModel model;
    model.W = xt::cast<double>(tape.value(layer.W));
    model.b = xt::cast<double>(tape.value(layer.b));
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
