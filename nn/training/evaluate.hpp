// nn/training/evaluate.hpp — how good a trained network is on a dataset: accuracy, per-class accuracy, confusion
// matrix and mean loss. Forward passes only (no gradients); training is nn/training/train.hpp.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "datasets/dataset.hpp"
#include "nn/argmax.hpp"
#include "nn/mlp.hpp"

namespace nn::training {

struct Evaluation {
    std::size_t count = 0;                        // examples evaluated
    double accuracy = 0;                          // fraction correct, in [0, 1]
    double loss = 0;                              // mean softmax cross-entropy
    std::vector<double> per_class_accuracy;       // [classes]: recall of each true class (NaN if it has no example)
    std::vector<std::vector<std::size_t>> confusion;  // [true class][predicted class] counts
};

// Runs the whole dataset through the model in batches of `batch` rows (nn::predict_logits: the model's tape is not
// touched). Throws if the image size or a label does not fit the model.
Evaluation evaluate(const MLP<float>& model, const datasets::Dataset& data, std::size_t batch = 1000);

// The same for any model given by its forward-only logits (x [n, in] -> [n, out]), e.g. a network read from ONNX.
using LogitsFn = std::function<Tensor<float>(const Tensor<float>&)>;
Evaluation evaluate(const LogitsFn& logits, std::size_t in, std::size_t out, const datasets::Dataset& data,
                    std::size_t batch = 1000);

}  // namespace nn::training
