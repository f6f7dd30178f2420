// nn/training/cross_validate.hpp — K-fold cross-validation of table models: the folds, one net fitted as the program fits
// it (early stopping on an inner validation split), and the scores (R² and RMSE, or accuracy and log-loss) of a fold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/mlp.hpp"
#include "nn/training/train.hpp"
#include "nn/training/train_table.hpp"

namespace nn::training {

// The held-out rows of each of K folds: the rows 0..n-1 shuffled by mt19937_64(seed), dealt into K parts whose sizes
// differ by at most one. Throws std::invalid_argument unless 2 <= K <= n.
std::vector<std::vector<std::size_t>> kfold(std::size_t n, std::size_t k, std::uint64_t seed);

// Every row of 0..n-1 that is not in `held_out`, in increasing order.
std::vector<std::size_t> complement(std::size_t n, const std::vector<std::size_t>& held_out);

// The rows `rows` of `data`, in that order.
TableData subset(const TableData& data, const std::vector<std::size_t>& rows);

// A net fitted to some rows as train-and-explain fits its model: the rows are shuffled by config.seed and the last
// `validation_share` of them (at least 2) become the validation rows that early stopping watches.
struct FittedNet {
    MLP<float> model{1, 1, 1, Activation::Tanh, 0};
    TableCurve curve;
    std::size_t train_rows = 0, validation_rows = 0;
};
// `out`: the net's outputs (1 for one numeric target, the number of classes for classification).
FittedNet fit_table_net(const TableData& data, std::size_t out, const TrainConfig& config, EarlyStopping stop,
                        double validation_share = 0.2);
// The same with row n of `data` counted copies[n] times (0: left out), as in a bootstrap resample. The validation split
// is over the rows, so that all copies of a row fall on one side: a copy on each side would let early stopping watch
// a row the net learns from. With every count 1, the same net as above.
FittedNet fit_table_net(const TableData& data, const std::vector<std::size_t>& copies, std::size_t out,
                        const TrainConfig& config, EarlyStopping stop, double validation_share = 0.2);

// How well a prediction fits held-out rows. Regression: r2 = 1 − SS_res/SS_tot (about the rows' own mean) and rmse in
// the target's units (the standardized error times target_sd). Classification: accuracy and log_loss, the mean of
// −ln p(true class) with p clamped to at least 1e-12.
struct TableScore {
    double r2 = 0, rmse = 0;
    double accuracy = 0, log_loss = 0;
};
// `prediction` [N, out]: standardized target values (regression) or class probabilities (classification).
TableScore score(const Tensor<float>& prediction, const TableData& data, double target_sd = 1);

// The mean and the sample standard deviation (divisor K − 1) of a score over the folds.
struct MeanSd {
    double mean = 0, sd = 0;
};
MeanSd mean_sd(const std::vector<double>& values);

}  // namespace nn::training
