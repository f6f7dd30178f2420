// examples/train_and_explain/table.hpp — what the table stages of train-and-explain (--csv) hand to each other.
// Declarations only: loading and training are table_stage.cpp, explaining table_explain.cpp, the page table_report.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "datasets/csv.hpp"
#include "datasets/table_columns.hpp"
#include "datasets/table_plan.hpp"
#include "examples/train_and_explain/options.hpp"
#include "nn/mlp.hpp"
#include "nn/training/train.hpp"
#include "nn/training/train_table.hpp"

namespace app {

// Wall-clock seconds of each stage of a table run, in the order the stages first ran; a stage that runs in pieces
// (the figures) adds up. Into metrics.json as "seconds_by_stage"; --timings prints them. Measures, decides nothing.
struct StageSeconds {
    std::vector<std::pair<std::string, double>> stages;
    void add(const std::string& name, double seconds);
    double total() const;
};

// Times one stage from construction to destruction into `into` (scopes must not nest: each second counts once).
class StageClock {
public:
    StageClock(StageSeconds& into, std::string name) : into_(into), name_(std::move(name)) {}
    ~StageClock() { into_.add(name_, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count()); }
    StageClock(const StageClock&) = delete;
    StageClock& operator=(const StageClock&) = delete;

private:
    StageSeconds& into_;
    std::string name_;
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

struct TableRun {
    datasets::CsvTable csv;                    // the file as read (CSV or JSON records), every row
    datasets::TypedTable table;                // the rows used (rows without a target dropped), each column typed
    datasets::TablePlan plan;                  // how the feature columns become the model's inputs (fitted or saved)
    std::string target, task;                  // task: "regression" | "classification"
    bool has_target = false;                   // false only with --model on a table without the target column
    std::vector<std::string> features, meta;   // the table's columns the model reads, and those only probed
    std::vector<std::string> inputs;           // the model's input columns: Horsepower, Horsepower_missing, Origin=USA, ...
    std::vector<std::string> notes;            // one line per automatic choice and fallback (left-out columns, dates, ...)
    xt::xtensor<double, 2> x;                  // [N, D] the inputs, encoded by the plan (imputed, one-hot)
    std::vector<double> y;                     // [N] regression target as read
    std::vector<int> labels;                   // [N] classification target as a class index
    std::vector<std::string> class_names;      // classification: the target's distinct values, sorted
    std::vector<double> means, sds;            // per input, from the training rows (or the saved model)
    double y_mean = 0, y_sd = 1;               // regression target standardization
    std::vector<std::size_t> train_rows, validation_rows;   // validation_rows: the rows probes and metrics use
    nn::MLP<float> model{1, 1, 1, nn::Activation::Tanh, 0};
    double weight_decay = 0;                   // the model's: --weight-decay, or the grid's best on the validation rows
    nlohmann::ordered_json report;             // metrics.json, then the report's sections
    std::string fd_summary;
    std::string cv_summary;                    // the cross-validation verdict: net against the linear baseline
    StageSeconds seconds;                      // per stage, for --timings and metrics.json
};

// Standardized inputs of the given rows (all rows when `rows` is empty) -> [rows, D] float.
nn::Tensor<float> standardized(const TableRun& t, const std::vector<std::size_t>& rows = {});
// Any rows of inputs x [N, inputs] (shuffled, or moved to another level) standardized the same way -> [N, inputs] float.
nn::Tensor<float> standardized(const TableRun& t, const xt::xtensor<double, 2>& x);

// The input index (column of t.x) of each numeric (or date) feature column, in the plan's order: the features the
// Jacobian table, the groups and the refits report (one-hot levels and missing indicators are not differentiated).
std::vector<std::size_t> numeric_inputs(const TableRun& t);

// The weight decays tried when --weight-decay is not given.
extern const std::vector<double> kWeightDecayGrid;
// The rows given, standardized, with their standardized target or class labels: what the nets train on.
nn::training::TableData table_data(const TableRun& t, const std::vector<std::size_t>& rows);
// The training configuration of the options (hidden, activation, epochs, batch, lr, optimizer, seed, weight decay).
nn::training::TrainConfig table_train_config(const Options& opt);

// --csv: read the table, train (or load --model), evaluate, save the model; then explain and write the report.
int run_table(const Options& opt);

// Sensitivities, figures, FD check and probes into <out>/sensitivity and <out>/probes; adds to t.report.
void explain_table(const Options& opt, TableRun& t);

// <out>/sensitivity/loss_curve.png: train and validation loss per epoch, the kept epoch marked (table_fit.cpp).
void loss_curve_figure(const Options& opt, TableRun& t);

// Throws UsageError when --folds leaves fewer than 4 rows per fold (called before any training or output).
void check_folds(const Options& opt, const TableRun& t);

// K-fold cross-validation of the net against the linear baseline, and the refit intervals of the sensitivities:
// t.report["cv"] and t.report["refit"] (table_fit.cpp).
void cross_validate(const Options& opt, TableRun& t);

// <out>/report.html for a table run, from t.report.
void write_table_report(const Options& opt, const TableRun& t);

}  // namespace app
