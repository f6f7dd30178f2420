// nn/training/model_io.hpp — the saved-model format other tools read: a directory of .npy arrays and model.json.
// Saving and loading with full validation; training is nn/training/train.hpp.
//
//   W1.npy  float32 [in, H]     b1.npy  float32 [H]     (1-D)
//   W2.npy  float32 [H, out]    b2.npy  float32 [out]   (1-D)
//   model.json  {"format": "nnsense-mlp", "format_version": 1, "in", "hidden", "out", "activation",
//                "rows", "cols", "dataset", "class_names", "seed", "test_accuracy", "input", "logits"}
// with logits = act(x·W1 + b1)·W2 + b2, x = byte/255 row-major, act = relu by default. numpy reads the
// arrays as-is: np.load("W1.npy"). A deeper net has "hidden": [256, 128] and W1..W3, b1..b3, the activation after
// every hidden layer; one hidden layer is written "hidden": 256, as before, so older directories load unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/mlp.hpp"

namespace nn::training {

struct ModelInfo {
    int format_version = 1;
    std::size_t in = 0, out = 0;                      // taken from the model on save
    std::vector<std::size_t> hidden;                  // the hidden widths, taken from the model on save
    std::string activation = "relu";                  // taken from the model on save
    std::size_t rows = 28, cols = 28;                 // the image shape behind `in`
    std::string dataset;                              // e.g. "mnist"
    std::vector<std::string> class_names;
    std::uint64_t seed = 0;
    double test_accuracy = std::numeric_limits<double>::quiet_NaN();   // fraction; NaN -> null
    // A table model (examples/train_and_explain/table_stage.cpp): features, target, task and standardization, written as model.json
    // "table" and read back as-is; null for an image model. rows = 1, cols = in for a table.
    nlohmann::json table;
};

constexpr int kModelFormatVersion = 1;

// "hidden" as model.json, metrics.json and report.json write it: 256 for one hidden layer, [256, 128] for more.
nlohmann::json hidden_json(const std::vector<std::size_t>& hidden);

// Writes the 2L + 1 files (five for one hidden layer) into `dir` (created if missing): each under a temporary name first, then all
// renamed into place (model.json last); on failure the temporaries are removed and the error names the file.
// in/hidden/out/activation come from `model`; the rest from `info` (info.rows × info.cols must equal in).
void save_model(const MLP<float>& model, const std::string& dir, const ModelInfo& info);

// Reads and checks every file: present, a valid .npy, dtype float32, not truncated, the shape model.json
// promises, finite values. Throws std::runtime_error with one line naming the file and the problem, e.g.
//   "out/model/W2.npy: shape (128, 10) does not match model.json hidden = 256".
MLP<float> load_model(const std::string& dir, ModelInfo* info = nullptr);

}  // namespace nn::training
