// datasets/table_plan.hpp — how a typed table's feature columns become the model's input columns: medians and most
// frequent levels for missing values, missing-indicator columns, one-hot levels. Fitted on the training rows only, applied
// to any rows, and saved with a model (model.json "table.plan") so that --model encodes new rows the same way.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>

#include "datasets/table_columns.hpp"

namespace datasets {

struct PlannedColumn {
    std::string name;
    ColumnKind kind = ColumnKind::Numeric;  // Numeric, Date or Categorical
    bool has_fill = true;                   // false only for a model saved before plans: a missing value is an error
    double fill = 0;                        // Numeric, Date: the training rows' median
    std::vector<std::string> levels;        // Categorical: the training rows' levels, sorted; one input column each
    std::string fill_level;                 // Categorical: the training rows' most frequent level
    bool indicator = false;                 // an extra input <name>_missing, 1 where the value was missing
};

struct TablePlan {
    std::vector<PlannedColumn> columns;
    // The input columns, in order: per column its value (Horsepower) or its one-hot block (Origin=Europe, Origin=Japan,
    // Origin=USA), then its indicator (Horsepower_missing).
    std::vector<std::string> inputs() const;
    // Index of column c's first input (its value or its first level); its indicator follows the value or the block.
    std::size_t first_input(std::size_t c) const;
};

// Fits the plan of `features` on the rows `train_rows` of `t`. A column gets an indicator when any row of `t` lacks a
// value. Numeric and Date columns keep their kind; every text kind is one-hot encoded (the caller decides which columns
// may be). Throws "<file>: column 'x' has no value in the 318 training rows; leave it out (--features)" when nothing is
// there to fit.
TablePlan fit_plan(const TypedTable& t, const std::vector<std::string>& features, const std::vector<std::size_t>& train_rows);

// What encoding did to one column.
struct ColumnCounts {
    std::size_t imputed = 0;         // missing values filled in
    std::size_t unseen = 0;          // rows whose level the plan does not know, filled in as if missing
    std::string first_unseen;        // the first such level
};

// How a level the plan does not know is handled: filled in as if missing and counted (rows of the table the plan was
// fitted on: validation rows may hold a level no training row has), or a one-line error (new rows for a saved model).
enum class Unseen { Impute, Error };

struct Encoded {
    xt::xtensor<double, 2> x;            // [rows, inputs]
    std::vector<ColumnCounts> counts;    // [plan columns]
};

// Encodes every row of `t` with `plan`. `model` names the saved model in errors ("the model in out/model"). Throws a
// one-line error naming the file, line and column for: a plan column missing from `t`, a value of the wrong kind (text
// where the model takes numbers), a missing value without a fill (an old model), and with Unseen::Error an unknown level.
Encoded encode(const TablePlan& plan, const TypedTable& t, Unseen unseen, const std::string& model = "the model");

// model.json's "plan": {"columns": [{"name", "kind", "fill", "levels", "fill_level", "indicator"}, ...]}.
nlohmann::json plan_json(const TablePlan& plan);
// Reads plan_json's layout back; throws "<where>: table.plan: ..." for anything else.
TablePlan plan_from_json(const nlohmann::json& j, const std::string& where);
// The plan of a model saved before plans existed: every feature numeric, no fill, no indicator.
TablePlan numeric_plan(const std::vector<std::string>& features);

}  // namespace datasets
