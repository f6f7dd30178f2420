// nn/training/train.cpp — the training loop: shuffle, fill a batch, step, check for divergence, validate, report.
// The update rules are in nn/sgd.hpp / nn/adam.hpp, the rate in nn/schedule.hpp, the display in nn/training/progress.cpp.
#include "nn/training/train.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

#include "nn/training/denormals.hpp"
#include "nn/training/evaluate.hpp"
#include "nn/training/threads.hpp"

namespace nn::training {

MLP<float> make_mlp(const TrainConfig& config, std::size_t in, std::size_t out) {
    return MLP<float>(in, config.hidden, out, config.activation, config.seed);
}

void check_config(const TrainConfig& c) {
    auto bad = [](const std::string& what) { throw std::invalid_argument("train: " + what); };
    if (c.hidden.empty()) bad("hidden must list at least one hidden layer");
    for (std::size_t h : c.hidden)
        if (h == 0) bad("hidden widths must be >= 1");
    if (c.epochs == 0) bad("epochs must be >= 1");
    if (c.batch == 0) bad("batch must be >= 1");
    if (!std::isfinite(c.lr) || c.lr <= 0) bad("lr must be a positive finite number, got " + std::to_string(c.lr));
    if (!(c.momentum >= 0 && c.momentum < 1)) bad("momentum must be in [0, 1), got " + std::to_string(c.momentum));
    if (!(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1)) bad("adam betas must be in [0, 1)");
    if (!(c.eps > 0)) bad("adam eps must be > 0");
    if (!(c.weight_decay >= 0) || !std::isfinite(c.weight_decay)) bad("weight_decay must be >= 0");
    parse_schedule(c.schedule);                                    // throws for an unknown name
    if (c.schedule == "step" && c.step_epochs == 0) bad("step_epochs must be >= 1");
}

OptimizerConfig optimizer_config(const TrainConfig& c) {
    OptimizerConfig o;
    o.kind = c.optimizer;
    o.momentum = c.momentum;
    o.nesterov = c.nesterov;
    o.beta1 = c.beta1;
    o.beta2 = c.beta2;
    o.eps = c.eps;
    o.weight_decay = c.weight_decay;
    return o;
}

Schedule make_schedule(const TrainConfig& c, std::size_t steps_per_epoch) {
    Schedule s;
    s.kind = parse_schedule(c.schedule);
    s.lr = c.lr;
    s.total_steps = c.epochs * steps_per_epoch;
    s.final_lr = 0;
    s.step_every = c.step_epochs * steps_per_epoch;
    s.gamma = c.step_gamma;
    return s;
}

template <class T>
T train_step(MLP<T>& model, Var x, const std::vector<int>& labels, Optimizer<T>& optimizer, double lr) {
    static thread_local const Tensor<T> one = xt::ones<T>({std::size_t(1), std::size_t(1)});  // dL/dL
    Tape<T>& tape = model.tape();
    Var logits = model.logits(x);                                  // [B, 10]
    Var loss = tape.softmax_cross_entropy(logits, labels);         // [1, 1]
    const std::vector<Var> params = model.parameters();
    for (Var p : params) tape.zero_grad(p);                        // leaf gradients accumulate: clear them
    tape.backward(loss, one);                                      // dW1, db1, dW2, db2, ...
    optimizer.step(tape, params, lr);
    return tape.value(loss)(0, 0);
}

template float train_step<float>(MLP<float>&, Var, const std::vector<int>&, Optimizer<float>&, double);
template double train_step<double>(MLP<double>&, Var, const std::vector<int>&, Optimizer<double>&, double);

namespace {

[[noreturn]] void diverged(std::size_t epoch, std::size_t batch, double lr, const std::string& what) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", lr);
    throw std::runtime_error("training diverged at epoch " + std::to_string(epoch) + ", batch " +
                             std::to_string(batch) + " (lr " + rate + "): " + what + "; lower --lr");
}

const char* nonfinite_name(double v) { return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"); }

// The first non-finite parameter value, as "W1 is nan", or "" when all are finite.
std::string nonfinite_parameter(const MLP<float>& model) {
    const std::vector<Var> params = model.parameters();              // W1, b1, W2, b2, ...
    for (std::size_t i = 0; i < params.size(); ++i)
        for (float w : model.tape().value(params[i]))
            if (!std::isfinite(w))
                return std::string("a weight in ") + (i % 2 == 0 ? "W" : "b") + std::to_string(i / 2 + 1) + " is " +
                       nonfinite_name(w);
    return "";
}

}  // namespace

TrainResult train(MLP<float>& model, const datasets::Dataset& data, const TrainConfig& config) {
    check_config(config);
    const std::size_t N = data.size(), V = config.validation, B = config.batch;
    if (V >= N)
        throw std::invalid_argument("train: validation = " + std::to_string(V) + " leaves no training examples in '" +
                                    data.name + "' (" + std::to_string(N) + " examples)");
    const std::size_t n_train = N - V;
    if (n_train < B)
        throw std::invalid_argument("train: batch " + std::to_string(B) + " is larger than the " +
                                    std::to_string(n_train) + " training examples of '" + data.name + "'");
    if (data.pixels() != model.in())
        throw std::invalid_argument("train: '" + data.name + "' has " + std::to_string(data.pixels()) +
                                    " pixels per image, the model expects " + std::to_string(model.in()));
    if (model.hidden() != config.hidden)
        throw std::invalid_argument("train: the model has hidden = " + hidden_text(model.hidden()) +
                                    " but the configuration says hidden = " + hidden_text(config.hidden));
    for (std::size_t i = 0; i < N; ++i)
        if (data.labels[i] >= model.out())
            throw std::invalid_argument("train: '" + data.name + "': label " + std::to_string(data.labels[i]) +
                                        " at index " + std::to_string(i) + " is >= the model's " +
                                        std::to_string(model.out()) + " outputs");

    const datasets::Dataset validation = V > 0 ? data.slice(n_train, V) : datasets::Dataset{};
    const std::size_t steps_per_epoch = n_train / B;                  // the incomplete last batch is skipped
    const Schedule schedule = make_schedule(config, steps_per_epoch);
    std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>(optimizer_config(config));
    model.set_trainable(true);
    const FlushDenormals flush_denormals;  // subnormal softmax tails made later epochs 1.5x slower on an Intel CPU (appendix A)

    // Two independent streams from one seed: the order of examples and the augmentation draws.
    std::seed_seq shuffle_seed{config.seed, std::uint64_t(1)}, augment_seed{config.seed, std::uint64_t(2)};
    std::mt19937_64 shuffle_rng(shuffle_seed), augment_rng(augment_seed);

    // Allocated once, reused by every step.
    std::vector<std::size_t> order(n_train);                          // a permutation of [0, n_train)
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::vector<int> labels(B);
    std::vector<std::uint8_t> bytes(config.augment ? B * data.pixels() : 0);   // augmented copies [B, pixels]

    TrainResult result;
    result.train_size = n_train;
    result.validation_size = V;
    result.threads = threads();
    result.dataset = data.name;
    result.class_names = data.class_names;
    Progress progress(config.progress, config.epochs, steps_per_epoch, B);
    Tape<float>& tape = model.tape();
    using Clock = std::chrono::steady_clock;
    std::size_t step = 0;

    for (std::size_t epoch = 1; epoch <= config.epochs; ++epoch) {
        std::shuffle(order.begin(), order.end(), shuffle_rng);
        const auto start = Clock::now();
        double loss_sum = 0, lr = schedule.lr;
        for (std::size_t b = 0; b < steps_per_epoch; ++b, ++step) {
            const std::size_t* idx = order.data() + b * B;
            data.batch_labels(idx, B, labels);
            model.reset();
            Var x = model.input(B);                                   // [B, 784]
            if (config.augment) {
                const std::size_t P = data.pixels();
                for (std::size_t i = 0; i < B; ++i) {
                    std::uint8_t* image = bytes.data() + i * P;
                    std::copy_n(&data.images(idx[i], 0), P, image);
                    config.augment.apply(image, data.rows, data.cols, augment_rng);
                }
                datasets::bytes_to_unit(bytes.data(), B * P, tape.value(x).data());
            } else {
                data.batch(idx, B, tape.value(x));
            }
            lr = learning_rate(schedule, step);
            const float loss = train_step(model, x, labels, *optimizer, lr);
            if (!std::isfinite(loss)) diverged(epoch, b + 1, lr, std::string("loss is ") + nonfinite_name(loss));
            loss_sum += loss;
            progress.batch_done(epoch, b + 1, loss_sum / static_cast<double>(b + 1), lr);
        }
        EpochStats stats;
        stats.epoch = epoch;
        stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        stats.train_loss = loss_sum / static_cast<double>(steps_per_epoch);
        stats.lr = lr;
        const std::string bad = nonfinite_parameter(model);
        if (!bad.empty()) diverged(epoch, steps_per_epoch, lr, bad);
        // A blow-up can also end finite: the loss explodes, the relus die, and the loss settles at a large value.
        // A mean loss over 10·ln(classes) (the right class gets e^-23 on average for 10 classes, far worse
        // than guessing) is the same failure.
        const double limit = 10.0 * std::log(static_cast<double>(model.out()));
        if (stats.train_loss > limit) {
            char what[96];
            std::snprintf(what, sizeof what, "mean loss %.3g of the epoch is over 10 x ln(%zu classes) = %.3g",
                          stats.train_loss, model.out(), limit);
            diverged(epoch, steps_per_epoch, config.lr, what);
        }
        stats.validation_accuracy = stats.validation_loss = std::numeric_limits<double>::quiet_NaN();
        if (V > 0) {
            const auto vstart = Clock::now();
            const Evaluation e = evaluate(model, validation);
            stats.validation_accuracy = e.accuracy;
            stats.validation_loss = e.loss;
            stats.validation_seconds = std::chrono::duration<double>(Clock::now() - vstart).count();
        }
        result.epochs.push_back(stats);
        result.seconds += stats.seconds;
        progress.epoch_done(epoch, stats.train_loss, stats.validation_accuracy, stats.seconds);
    }
    model.reset();
    result.steps = step;
    result.images_per_second = static_cast<double>(step * B) / result.seconds;
    return result;
}

}  // namespace nn::training
