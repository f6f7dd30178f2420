// examples/train_and_explain/stages.hpp — the stages of train-and-explain and what they hand to each other.
// Declarations only; run() in examples/train_and_explain/run.cpp calls them in order.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "datasets/dataset.hpp"
#include "examples/train_and_explain/net.hpp"
#include "examples/train_and_explain/options.hpp"
#include "nn/training/evaluate.hpp"
#include "nn/mlp.hpp"
#include "nn/training/model_io.hpp"
#include "nn/training/train.hpp"

namespace app {

// A problem with the command line found after parsing (e.g. --out is a file): exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Everything the stages produce, gathered for the summary and report.json.
struct RunState {
    datasets::Split data;
    nn::MLP<float> model{1, 1, 1, nn::Activation::Relu, 0};   // trained here or loaded from a model directory
    std::optional<Net> net;            // what every later stage explains: `model`, or --model FILE.onnx
    bool foreign = false;              // net came from an ONNX file: there is no nn::MLP to retrain or save
    nn::training::ModelInfo info;
    nn::training::Evaluation test;
    nlohmann::ordered_json report;     // grows stage by stage; written as out/report.json
    std::filesystem::path out_dir;     // --out
    bool fd_passed = true;             // the finite-difference check of the Jacobian
    std::string fd_summary;            // its one-line result, printed at the end
    std::string probe_summary;         // the probes' slope table, printed at the end
};

int run(const Options& opt);

// The training configuration the options describe (--hidden, --epochs, --batch, --lr, --optimizer, --seed, --augment).
nn::training::TrainConfig train_config(const Options& opt, std::size_t train_size);   // holds out at most a tenth of train_size

// The parts of --dataset in --data that are asked for (examples/train_and_explain/train_stage.cpp).
datasets::Split load_data(const Options& opt, datasets::Parts parts);

// Stage: train a model (or load --model, a directory or an ONNX file) and evaluate it on the test set. Reads the training set only to train,
// and releases it after training: the later stages need only the test set (the probes stage reads it again
// for the augmented model).
void train_or_load(const Options& opt, RunState& st);

// --image FILE: load the model (--model, else <out>/model), explain the picture into <out>/image/. Returns the exit code.
int explain_image(const Options& opt);

// Stage: finite-difference check of the Jacobian, the Jacobian as .npy, and the sensitivity figures.
void explain(const Options& opt, RunState& st);

// Stage: every attribution method on the first test images, IG completeness, deletion test and sanity check.
void beyond_gradients(const Options& opt, RunState& st);

// Stage: the Sensie-style probes into <out>/probes/, and (unless --no-augmented or --model) the rotation-augmented model.
void run_probes(const Options& opt, RunState& st);

// Stage: <out>/training_curves.png (train loss and validation accuracy per epoch) from <out>/metrics.json;
// only when this run trained. Adds report["training"]["curves_figure"].
void training_curves(RunState& st);

// Last: report["run"] (when, configuration, network, total time) and report["test"] (accuracy, per-class accuracy,
// confusion) for report.json and out/report.html (examples/train_and_explain/report_html.hpp).
void describe_run(const Options& opt, RunState& st, double total_seconds);

}  // namespace app
