// nn/training/train.hpp — training the MLP: the configuration, one minibatch step, and the epoch loop with
// shuffling, validation, progress and divergence checks. Evaluation is nn/training/evaluate.hpp; saving, nn/training/model_io.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"
#include "nn/training/augment.hpp"
#include "nn/mlp.hpp"
#include "nn/optimizer.hpp"
#include "nn/training/progress.hpp"
#include "nn/schedule.hpp"

namespace nn::training {

// Every knob of a training run. The defaults are the default configuration, chosen on the validation split:
// 784-256-10 ReLU, SGD with Nesterov momentum 0.9, batch 64, lr 0.05 with cosine decay to 0, 12 epochs, seed 1.
// What they reach is chapter 10's table ("What we measured", docs/10-training.md); how it was measured, appendix A.
struct TrainConfig {
    // the network (make_mlp builds it; train() checks the model it gets has these hidden widths)
    std::vector<std::size_t> hidden = {256};   // one entry per hidden layer: {256, 128} is 784-256-128-10
    Activation activation = Activation::Relu;
    // optimisation
    std::size_t epochs = 12;
    std::size_t batch = 64;
    OptimizerKind optimizer = OptimizerKind::Sgd;   // named "sgd" | "adam" (parse_optimizer)
    double lr = 0.05;                  // base (peak) learning rate
    double momentum = 0.9;             // sgd
    bool nesterov = true;              // sgd
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;   // adam
    double weight_decay = 0;           // L2 term wd·w added to every gradient
    std::string schedule = "cosine";   // "constant" | "cosine" (towards 0, reached just after the last step) | "step"
    std::size_t step_epochs = 5;       // step schedule: lr *= step_gamma every step_epochs epochs
    double step_gamma = 0.1;
    // data
    std::uint64_t seed = 1;            // initial weights, shuffling and augmentation
    std::size_t validation = 5000;     // the LAST `validation` training examples are held out (0: none)
    Augment augment;                   // optional hook on a copy of each training image (nn/training/augment.hpp)
    ProgressMode progress = ProgressMode::Auto;
};

struct EpochStats {
    std::size_t epoch = 0;             // 1-based
    double train_loss = 0;             // mean minibatch loss over the epoch
    double validation_loss = 0;        // NaN without a validation split
    double validation_accuracy = 0;    // fraction; NaN without a validation split
    double seconds = 0;                // the training pass only (validation not included)
    double validation_seconds = 0;
    double lr = 0;                     // learning rate of the epoch's last step
};

struct TrainResult {
    std::vector<EpochStats> epochs;
    std::size_t train_size = 0, validation_size = 0;
    std::size_t steps = 0;             // optimizer steps taken
    double seconds = 0;                // all training passes (Σ epoch seconds)
    double images_per_second = 0;      // training images processed per second of training pass
    int threads = 0;                   // OpenBLAS threads during training
    std::string dataset;
    std::vector<std::string> class_names;
};

// The network the configuration describes, He-initialised from config.seed.
MLP<float> make_mlp(const TrainConfig& config, std::size_t in = 784, std::size_t out = 10);

// Throws std::invalid_argument naming the first bad field (e.g. "train: batch must be >= 1").
void check_config(const TrainConfig& config);
OptimizerConfig optimizer_config(const TrainConfig& config);
Schedule make_schedule(const TrainConfig& config, std::size_t steps_per_epoch);

// One minibatch step. The caller has reset the model, created the input leaf `x` [B, in] and filled it;
// this records logits and the cross-entropy loss, zeroes the parameter gradients, runs backward and
// lets the optimizer update the parameters at rate `lr`. Returns the batch's loss (before the update).
template <class T>
T train_step(MLP<T>& model, Var x, const std::vector<int>& labels, Optimizer<T>& optimizer, double lr);

// Trains `model` in place on `data` minus its last config.validation examples, for config.epochs
// epochs of shuffled minibatches (the last, incomplete batch of each shuffled epoch is skipped, so
// every step has the same shape and reuses the same buffers). Validates after each epoch.
// Throws std::runtime_error if the loss or a weight becomes NaN/Inf:
//   "training diverged at epoch 1, batch 17 (lr 50): loss is nan; lower --lr"
// Same seed, data, configuration and thread count => bitwise identical weights.
TrainResult train(MLP<float>& model, const datasets::Dataset& data, const TrainConfig& config);

}  // namespace nn::training
