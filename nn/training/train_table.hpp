// nn/training/train_table.hpp — training the same MLP on a table: rows of standardized features, a numeric target (MSE) or a
// class label (softmax cross-entropy). The image loop is nn/training/train.hpp; this one takes float rows that are already in memory.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "nn/mlp.hpp"
#include "nn/training/train.hpp"

namespace nn::training {

// The rows a table model learns from. Regression: y [N, out] and labels empty. Classification: labels [N], y empty.
struct TableData {
    Tensor<float> x;                 // [N, D], standardized features
    Tensor<float> y;                 // [N, out], standardized targets (regression)
    std::vector<int> labels;         // [N] in [0, out) (classification)
    bool classification() const { return !labels.empty(); }
    std::size_t size() const { return x.shape(0); }
};

struct TableEpoch {
    std::size_t epoch = 0;           // 1-based
    double train_loss = 0;           // mean minibatch loss (MSE on the standardized target, or cross-entropy)
    double validation_loss = 0;      // the same loss on the validation rows
};

// Early stopping: after `patience` epochs without a new lowest validation loss, training stops and the weights of
// the best epoch are put back. patience 0 (or no validation rows): every epoch runs and the last weights are kept.
struct EarlyStopping {
    std::size_t patience = 0;
};

struct TableCurve {
    std::vector<TableEpoch> epochs;  // every epoch that ran
    std::size_t best_epoch = 0;      // the epoch whose weights the model holds (1-based)
    bool stopped_early = false;      // true: fewer epochs ran than config.epochs
};

// The loss of the whole of `data` under the model (forward only; the tape is reset before and after).
double table_loss(MLP<float>& model, const TableData& data);

// Trains `model` in place with config's optimizer, schedule, epochs, batch, weight decay and seed (config.validation
// and config.augment are ignored: the validation rows are passed in). Minibatches of min(batch, N) shuffled rows; the
// incomplete last batch of an epoch is skipped. `on_epoch` (may be empty) sees each epoch's losses. With
// stop.patience > 0 the model ends with the weights of its lowest validation loss (TableCurve::best_epoch).
// Throws std::runtime_error when the loss or a weight becomes NaN/Inf, and std::invalid_argument for shapes that
// do not fit the model. Same seed, data and configuration => the same weights.
TableCurve train_table(MLP<float>& model, const TableData& train, const TableData& validation, const TrainConfig& config,
                       EarlyStopping stop = {}, const std::function<void(const TableEpoch&)>& on_epoch = {});

}  // namespace nn::training
