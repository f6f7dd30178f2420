// nn/training/train_table.cpp — the table training loop: shuffle rows, one MSE or cross-entropy step per minibatch, validate.
// Uses the same optimizers and schedules as the image loop (nn/optimizer.hpp, nn/schedule.hpp).
#include "nn/training/train_table.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace nn::training {

namespace {

void check_shapes(const MLP<float>& model, const TableData& d, const char* which) {
    const std::string w = std::string("train_table: ") + which + " ";
    if (d.x.shape(1) != model.in())
        throw std::invalid_argument(w + "rows have " + std::to_string(d.x.shape(1)) + " features, the model takes " +
                                    std::to_string(model.in()));
    if (d.classification()) {
        if (d.labels.size() != d.size()) throw std::invalid_argument(w + "needs one label per row");
        for (int k : d.labels)
            if (k < 0 || static_cast<std::size_t>(k) >= model.out())
                throw std::invalid_argument(w + "label " + std::to_string(k) + " is outside [0, " +
                                            std::to_string(model.out()) + ")");
    } else if (d.y.shape(0) != d.size() || d.y.shape(1) != model.out()) {
        throw std::invalid_argument(w + "targets must be [rows, " + std::to_string(model.out()) + "]");
    }
}

// Records the loss of rows idx[0..B) on the model's tape (after a reset); returns the loss node.
Var record_loss(MLP<float>& model, const TableData& d, const std::size_t* idx, std::size_t B,
                std::vector<int>& labels, Var& target) {
    Tape<float>& tape = model.tape();
    model.reset();
    Var x = model.input(B);                                                 // [B, D]
    Tensor<float>& xv = tape.value(x);
    const std::size_t D = d.x.shape(1);
    for (std::size_t i = 0; i < B; ++i) std::copy_n(&d.x(idx[i], 0), D, &xv(i, 0));
    Var logits = model.logits(x);                                           // [B, out]
    if (d.classification()) {
        labels.resize(B);
        for (std::size_t i = 0; i < B; ++i) labels[i] = d.labels[idx[i]];
        return tape.softmax_cross_entropy(logits, labels);                  // [1, 1]
    }
    const std::size_t M = d.y.shape(1);
    target = tape.leaf(B, M, false);                                        // [B, out], no gradient
    Tensor<float>& yv = tape.value(target);
    for (std::size_t i = 0; i < B; ++i) std::copy_n(&d.y(idx[i], 0), M, &yv(i, 0));
    return tape.mse(logits, target);                                        // [1, 1]
}

}  // namespace

double table_loss(MLP<float>& model, const TableData& d) {
    if (d.size() == 0) return std::numeric_limits<double>::quiet_NaN();
    check_shapes(model, d, "evaluation");
    std::vector<std::size_t> idx(d.size());
    std::iota(idx.begin(), idx.end(), std::size_t(0));
    std::vector<int> labels;
    Var target;
    Var loss = record_loss(model, d, idx.data(), idx.size(), labels, target);
    const double value = model.tape().value(loss)(0, 0);
    model.reset();
    return value;
}

TableCurve train_table(MLP<float>& model, const TableData& train, const TableData& validation, const TrainConfig& config,
                       EarlyStopping stop, const std::function<void(const TableEpoch&)>& on_epoch) {
    check_config(config);
    check_shapes(model, train, "training");
    if (validation.size() > 0) check_shapes(model, validation, "validation");
    const std::size_t N = train.size();
    if (N == 0) throw std::invalid_argument("train_table: no training rows");
    const std::size_t B = std::min(config.batch, N);
    const std::size_t steps_per_epoch = N / B;
    const Schedule schedule = make_schedule(config, steps_per_epoch);
    std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>(optimizer_config(config));
    std::seed_seq shuffle_seed{config.seed, std::uint64_t(1)};
    std::mt19937_64 rng(shuffle_seed);
    std::vector<std::size_t> order(N);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::vector<int> labels;
    Var target;
    Tape<float>& tape = model.tape();
    static const Tensor<float> one = xt::ones<float>({std::size_t(1), std::size_t(1)});   // dL/dL

    const bool early = stop.patience > 0 && validation.size() > 0;
    std::vector<Tensor<float>> best_weights;                                // W1, b1, W2, b2 of the best epoch
    double best_loss = std::numeric_limits<double>::infinity();
    TableCurve curve;
    std::size_t step = 0;
    for (std::size_t epoch = 1; epoch <= config.epochs; ++epoch) {
        model.set_trainable(true);
        std::shuffle(order.begin(), order.end(), rng);
        double loss_sum = 0;
        for (std::size_t b = 0; b < steps_per_epoch; ++b, ++step) {
            Var loss = record_loss(model, train, order.data() + b * B, B, labels, target);
            const std::vector<Var> params = model.parameters();
            for (Var p : params) tape.zero_grad(p);                         // leaf gradients accumulate: clear them
            tape.backward(loss, one);                                       // dW1, db1, dW2, db2
            const double lr = learning_rate(schedule, step);
            const float value = tape.value(loss)(0, 0);
            if (!std::isfinite(value))
                throw std::runtime_error("training diverged at epoch " + std::to_string(epoch) + ", batch " +
                                         std::to_string(b + 1) + ": loss is not finite; lower --lr");
            optimizer->step(tape, params, lr);
            loss_sum += value;
        }
        for (Var p : model.parameters())
            for (float w : tape.value(p))
                if (!std::isfinite(w))
                    throw std::runtime_error("training diverged at epoch " + std::to_string(epoch) +
                                             ": a weight is not finite; lower --lr");
        TableEpoch e;
        e.epoch = epoch;
        e.train_loss = loss_sum / static_cast<double>(steps_per_epoch);
        e.validation_loss = table_loss(model, validation);
        curve.epochs.push_back(e);
        if (on_epoch) on_epoch(e);
        if (!early) continue;
        if (e.validation_loss < best_loss) {                                // a new best: remember its weights
            best_loss = e.validation_loss;
            curve.best_epoch = epoch;
            best_weights.clear();
            for (Var p : model.parameters()) best_weights.push_back(tape.value(p));
        } else if (epoch - curve.best_epoch >= stop.patience) {
            curve.stopped_early = epoch < config.epochs;
            break;
        }
    }
    if (early && !best_weights.empty()) {                                   // put the best epoch's weights back
        const std::vector<Var> params = model.parameters();
        for (std::size_t i = 0; i < params.size(); ++i) tape.value(params[i]) = best_weights[i];
    } else {
        curve.best_epoch = curve.epochs.size();
    }
    model.reset();
    return curve;
}

}  // namespace nn::training
