// nn/training/metrics.hpp — the results of a run as JSON (metrics.json): test accuracy, confusion matrix,
// per-epoch curves and the configuration. Formatting only; the numbers come from nn/train and nn/evaluate.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "nn/training/evaluate.hpp"
#include "nn/training/train.hpp"

namespace nn::training {

// The configuration as JSON (the augment hook appears by its name).
nlohmann::json config_json(const TrainConfig& config);

// Keys: dataset, class_names, test_accuracy (fraction), test_loss, test_count, per_class_accuracy,
// confusion ([true][predicted]), epoch_seconds, train_loss, validation_accuracy, validation_loss,
// learning_rate (per epoch), train_seconds, images_per_second, train_size, validation_size, steps,
// threads, config. NaN (no validation split) is written as null.
nlohmann::json metrics_json(const TrainConfig& config, const TrainResult& result, const Evaluation& test);

// Pretty-printed (indent 2), written to a temporary name and renamed into place.
void write_json_atomic(const std::string& path, const nlohmann::json& j);
void write_json_atomic(const std::string& path, const nlohmann::ordered_json& j);  // keeps insertion order
void write_metrics_json(const std::string& path, const TrainConfig& config, const TrainResult& result,
                        const Evaluation& test);

}  // namespace nn::training
