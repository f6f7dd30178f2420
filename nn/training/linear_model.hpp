// nn/training/linear_model.hpp — the baseline a table net must beat: a straight line. Ridge least squares in closed form
// for regression, multinomial logistic regression (a net with no hidden layer) fitted by Newton steps for classification.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/tensor.hpp"
#include "nn/training/train_table.hpp"

namespace nn::training {

// f(z) = z·W + b on standardized features z [N, D]: the prediction itself (regression, in standardized target units)
// or the logits whose softmax gives the class probabilities (classification).
struct LinearModel {
    Tensor<double> W;                  // [D, out]
    Tensor<double> b;                  // [1, out]
    double penalty = 0;                // the λ (ridge) or weight decay (logistic) it was fitted with
    bool classification = false;
};

// Ridge regression on `data` (regression rows): minimises Σ_n |y_n − z_n·W − b|² + λ·N·|W|² (the intercept is not
// penalised), solved in closed form: centre z and y, then (ZᵀZ + λ·N·I)·W = Zᵀy by a Cholesky factorisation.
// λ = 0 is ordinary least squares (needs ZᵀZ positive definite). Throws std::invalid_argument for λ < 0 or no rows.
LinearModel fit_ridge(const TableData& data, double lambda);

// Multinomial logistic regression on `data` (classification rows, `classes` classes): the net with no hidden layer,
// softmax(z·W + b), fitted to convergence: it minimises the mean softmax cross-entropy + wd/2·|W, b|² (the nets' L2
// weight decay, wd > 0) by Newton's method in double (the Hessian of all classes·(D + 1) weights, the step halved
// until the objective falls; at most `max_steps` steps, stopping when the gradient's largest entry is below 1e-9).
// 400 full-batch Adam steps on the tape fell short of the minimum (seattle-weather: CV accuracy 0.789 against 0.853
// converged). Deterministic (θ starts at 0).
LinearModel fit_logistic(const TableData& data, std::size_t classes, double weight_decay, std::size_t max_steps = 100);

// The baseline of a table: ridge (regression) or logistic regression (classification), its penalty chosen from `grid`
// (empty: 1e-6, 1e-4, 1e-3, 1e-2, 0.1, 1 for ridge; 1e-4, 1e-3, 1e-2 for logistic) by the mean validation loss of
// an inner `folds`-fold cross-validation of `data`'s rows (split by `seed`), then refitted on all of `data`.
LinearModel fit_baseline(const TableData& data, std::size_t out, std::uint64_t seed, std::size_t folds = 5,
                         std::vector<double> grid = {});

// The model's output for z [N, D]: the prediction (regression) or the class probabilities (classification). [N, out]
Tensor<float> predict(const LinearModel& model, const Tensor<float>& z);

}  // namespace nn::training
