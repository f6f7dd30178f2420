// nn/training/metrics.cpp — building metrics.json with nlohmann/json and writing it atomically.
// No computation beyond copying numbers into JSON.
#include "nn/training/metrics.hpp"

#include <nlohmann/json.hpp>

#include "nn/training/atomic_file.hpp"
#include "nn/training/model_io.hpp"

namespace nn::training {

nlohmann::json config_json(const TrainConfig& c) {
    return {{"hidden", hidden_json(c.hidden)},           {"activation", activation_name(c.activation)},
            {"epochs", c.epochs},           {"batch", c.batch},
            {"optimizer", optimizer_name(c.optimizer)}, {"lr", c.lr},
            {"momentum", c.momentum},       {"nesterov", c.nesterov},
            {"beta1", c.beta1},             {"beta2", c.beta2},
            {"eps", c.eps},                 {"weight_decay", c.weight_decay},
            {"schedule", c.schedule},       {"step_epochs", c.step_epochs},
            {"step_gamma", c.step_gamma},   {"seed", c.seed},
            {"validation", c.validation},   {"augment", c.augment ? c.augment.name : std::string("none")}};
}

nlohmann::json metrics_json(const TrainConfig& config, const TrainResult& r, const Evaluation& test) {
    nlohmann::json j;
    j["dataset"] = r.dataset;
    j["class_names"] = r.class_names;
    j["test_accuracy"] = test.accuracy;
    j["test_loss"] = test.loss;
    j["test_count"] = test.count;
    j["per_class_accuracy"] = test.per_class_accuracy;
    j["confusion"] = test.confusion;
    auto column = [&](double EpochStats::*field) {
        nlohmann::json a = nlohmann::json::array();
        for (const EpochStats& e : r.epochs) a.push_back(e.*field);
        return a;
    };
    j["epoch_seconds"] = column(&EpochStats::seconds);
    j["train_loss"] = column(&EpochStats::train_loss);
    j["validation_accuracy"] = column(&EpochStats::validation_accuracy);
    j["validation_loss"] = column(&EpochStats::validation_loss);
    j["learning_rate"] = column(&EpochStats::lr);
    j["train_seconds"] = r.seconds;
    j["images_per_second"] = r.images_per_second;
    j["train_size"] = r.train_size;
    j["validation_size"] = r.validation_size;
    j["steps"] = r.steps;
    j["threads"] = r.threads;
    j["config"] = config_json(config);
    return j;
}

void write_json_atomic(const std::string& path, const nlohmann::json& j) {
    write_file_atomic(path, j.dump(2) + "\n");
}

void write_json_atomic(const std::string& path, const nlohmann::ordered_json& j) {
    write_file_atomic(path, j.dump(2) + "\n");
}

void write_metrics_json(const std::string& path, const TrainConfig& config, const TrainResult& result,
                        const Evaluation& test) {
    write_json_atomic(path, metrics_json(config, result, test));
}

}  // namespace nn::training
