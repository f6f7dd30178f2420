// examples/train_and_explain/options.hpp — the command line of train-and-explain: every flag, its default, and its checks.
// Parsing only; what each stage does with the options lives in the other examples/ files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace app {

struct Options {
    std::string dataset = "mnist";      // mnist | fashion
    std::string data;                   // empty: data/mnist or /usr/share/datasets/fashion-mnist
    std::vector<std::size_t> hidden = {256};   // one width per hidden layer (--hidden 256,128)
    std::size_t epochs = 12;
    std::size_t batch = 64;
    double lr = 0.05;
    std::string optimizer = "sgd";      // sgd | adam
    std::uint64_t seed = 1;
    bool augment = false;               // random rotation (±10°) and shift (±1 px) of training images
    int threads = 2;
    std::string out = "out";
    std::string model;                  // explain a saved model (a directory, or an ONNX file), skip training
    std::string input_scale;            // an ONNX image model's pixels: "0..1" (empty: the same) or "0..255"
    std::vector<double> normalize;      // an ONNX image model's (x - MEAN) / STD: {MEAN, STD}, or empty
    std::string image;                  // explain the user's own picture
    std::size_t explain_count = 100;
    std::size_t fd_images = 3;
    bool no_probes = false;
    bool no_augmented = false;          // skip the rotation-augmented second model of the probes stage
    bool quiet = false;
    // tables (examples/train_and_explain/table_stage.cpp): --csv switches from images to a table
    std::string csv;                    // the table: a CSV file or a JSON array of records (--csv or --table)
    std::string target;                 // the column to predict
    std::string task;                   // regression | classification; empty: regression for a numeric target with > 20 values
    std::vector<std::string> features;  // empty: every column except the target and the meta columns
    std::vector<std::string> meta;      // columns kept for probes, never fed to the model
    std::string scaling;                // an ONNX table model's standardization: a sidecar JSON {"features", "mean", "std"}
    std::string missing = "impute";     // impute | drop: rows lacking a feature value are imputed, or dropped
    std::string activation = "tanh";    // hidden activation of a table model (images always use relu)
    double weight_decay = -1;           // L2 weight decay of a table model; < 0: chosen on the validation rows
    std::size_t patience = 30;          // early stopping: epochs without a better validation loss (>= 1)
    std::size_t folds = 5;              // K of the K-fold cross-validation of the net and the baseline
    std::string attribution_target;     // classification tables: "logodds" (default when empty) | "prob"
    double group_threshold = 0.8;       // |Spearman ρ| at or above which features form a group
    // the draw-a-digit explorer (examples/train_and_explain/serve.cpp): --serve trains (or loads --model), then serves a page and an API
    bool serve = false;
    std::string host = "127.0.0.1";     // another address only when given, with a warning
    int port = 8000;                    // 0: any free port (the URL printed says which)
};

// Exit codes: 0 success, 1 data or model error, 2 usage error.
constexpr int kExitData = 1;
constexpr int kExitUsage = 2;

// Parses argv into `opt`. Returns -1 to go on, or the exit code to return now (0 after --help,
// 2 after a usage error, with a one-line message on stderr).
int parse_options(int argc, char** argv, Options& opt);

}  // namespace app
