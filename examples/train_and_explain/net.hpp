// examples/train_and_explain/net.hpp — the network the stages explain, whoever made it: nnsense's own saved MLP or an
// ONNX file (nn/onnx/), both as one nn::onnx::StackModel. Loading and input scaling only; the stages do the rest.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/train_and_explain/options.hpp"
#include "nn/mlp.hpp"
#include "nn/onnx/stack_model.hpp"
#include "nn/training/evaluate.hpp"
#include "nn/training/model_io.hpp"

namespace app {

using Net = nn::onnx::StackModel<float>;

// True when --model names an ONNX file: a path ending in .onnx, or a regular file (a saved model is a directory).
bool is_onnx_model(const std::string& path);

// A trained MLP as the stages see it (the same weights, the same ops on the tape).
Net net_of(const nn::MLP<float>& model);

// A network from elsewhere: --model FILE.onnx read by nn::onnx::read_onnx, with the input scaling the model expects
// (--input-scale, --normalize) folded into its first layer so that the maps explain pixels in [0, 1].
struct ForeignNet {
    nn::onnx::DenseStack stack;            // as read, scaling folded
    std::vector<std::string> notes;        // what was done to it, one line each, printed and put in the report
    nlohmann::ordered_json report;         // report["model"]
};
ForeignNet load_foreign_image_net(const Options& opt);

// The standardization a table network from elsewhere was trained on, from its sidecar JSON (--scaling FILE):
//     {"features": ["x1", "x2", "x3"], "mean": [..], "std": [..]}   and optionally "target_mean", "target_sd"
// (one mean and one std > 0 per feature; the target's when the network was trained on a standardized target).
// Throws std::runtime_error "<file>: ..." for a file that does not have this layout.
struct TableScaling {
    std::vector<std::string> features;
    std::vector<double> mean, sd;
    double target_mean = 0, target_sd = 1;
};
TableScaling read_table_scaling(const std::string& path);

// Accuracy etc. of any Net on an image set (forward passes on a copy of the net: `net`'s tape is not touched).
nn::training::Evaluation evaluate_net(const Net& net, const datasets::Dataset& data);

// Saves a trained model directory (nn/training/model_io.hpp) and beside it model.onnx, the same network written by
// nn/onnx/write.hpp (logits out, inputs as nnsense feeds them).
void save_model_with_onnx(const nn::MLP<float>& model, const std::string& dir, const nn::training::ModelInfo& info);

}  // namespace app
