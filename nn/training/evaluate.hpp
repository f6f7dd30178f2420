// nn/training/evaluate.hpp — how good a trained network is on a dataset: accuracy, per-class accuracy, confusion
// matrix and mean loss. Forward passes only (no gradients); training is nn/training/train.hpp.
#pragma once

#include <cstddef>
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

}  // namespace nn::training
