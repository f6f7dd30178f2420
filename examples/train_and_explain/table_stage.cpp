// examples/train_and_explain/table_stage.cpp — train-and-explain --csv: read the table, pick the columns, split, standardize on the training
// rows, train the MLP on the tape (MSE or cross-entropy), report R² or accuracy, save the model with its standardization.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>

#include "examples/train_and_explain/net.hpp"
#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/table.hpp"
#include "examples/train_and_explain/table_groups.hpp"
#include "examples/train_and_explain/util.hpp"
#include "datasets/json_records.hpp"
#include "nn/training/atomic_file.hpp"
#include "nn/training/evaluate.hpp"
#include "nn/training/model_io.hpp"
#include "nn/onnx/from_mlp.hpp"
#include "nn/onnx/read.hpp"
#include "nn/training/train_table.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace fs = std::filesystem;

namespace app {

nn::Tensor<float> standardized(const TableRun& t, const std::vector<std::size_t>& rows) {
    const std::size_t D = t.inputs.size(), N = rows.empty() ? t.x.shape(0) : rows.size();
    nn::Tensor<float> z = xt::zeros<float>({N, D});                  // [N, D]
    for (std::size_t n = 0; n < N; ++n) {
        const std::size_t r = rows.empty() ? n : rows[n];
        for (std::size_t j = 0; j < D; ++j) z(n, j) = static_cast<float>((t.x(r, j) - t.means[j]) / t.sds[j]);
    }
    return z;
}

nn::Tensor<float> standardized(const TableRun& t, const xt::xtensor<double, 2>& x) {
    const std::size_t N = x.shape(0), D = x.shape(1);
    nn::Tensor<float> z = xt::zeros<float>({N, D});                  // [N, D]
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < D; ++j) z(n, j) = static_cast<float>((x(n, j) - t.means[j]) / t.sds[j]);
    return z;
}

std::vector<std::size_t> numeric_inputs(const TableRun& t) {
    std::vector<std::size_t> numeric;
    for (std::size_t c = 0; c < t.plan.columns.size(); ++c)
        if (t.plan.columns[c].kind != datasets::ColumnKind::Categorical) numeric.push_back(t.plan.first_input(c));
    return numeric;
}

const std::vector<double> kWeightDecayGrid = {0, 1e-4, 1e-3, 1e-2};

nn::training::TableData table_data(const TableRun& t, const std::vector<std::size_t>& rows) {
    nn::training::TableData d;
    d.x = standardized(t, rows);
    if (t.task == "classification") {
        for (std::size_t r : rows) d.labels.push_back(t.labels[r]);
    } else {
        d.y = xt::zeros<float>({rows.size(), std::size_t(1)});
        for (std::size_t n = 0; n < rows.size(); ++n) d.y(n, 0) = static_cast<float>((t.y[rows[n]] - t.y_mean) / t.y_sd);
    }
    return d;
}

nn::training::TrainConfig table_train_config(const Options& opt) {
    nn::training::TrainConfig config;
    config.hidden = opt.hidden;
    config.activation = nn::parse_activation(opt.activation);
    config.epochs = opt.epochs;
    config.batch = opt.batch;
    config.lr = opt.lr;
    config.optimizer = nn::parse_optimizer(opt.optimizer);
    config.seed = opt.seed;
    config.weight_decay = std::max(0.0, opt.weight_decay);
    return config;
}

namespace {

std::string count_of(std::size_t n, const std::string& what) {   // "1 row", "8 rows"
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The features, target and meta columns the options name, checked against the header; automatic choices become notes.
void choose_columns(const Options& opt, TableRun& t, const nlohmann::json* saved) {
    const auto& table = t.table;
    for (const std::string& m : opt.meta) table.column(m);                 // throws for an unknown name
    t.meta = opt.meta;
    if (saved) {                                                           // --model: the model's own features
        for (const auto& c : t.plan.columns) t.features.push_back(c.name);   // the plan comes from the same model.json
        t.target = (*saved)["target"].get<std::string>();
        t.task = (*saved)["task"].get<std::string>();
        if (!opt.target.empty() && opt.target != t.target)
            throw UsageError("--target " + opt.target + ": the model in " + opt.model + " predicts '" + t.target + "'");
        if (!opt.task.empty() && opt.task != t.task)
            throw UsageError("--task " + opt.task + ": the model in " + opt.model + " does " + t.task);
        if (!opt.features.empty() && opt.features != t.features)
            throw UsageError("--features: the model in " + opt.model + " was trained on its own features; leave --features out");
        for (const std::string& f : t.features) table.column(f);
        t.has_target = std::any_of(table.columns.begin(), table.columns.end(),
                                   [&](const datasets::TableColumn& c) { return c.name == t.target; });
    } else {
        table.column(opt.target);
        t.target = opt.target;
        t.has_target = true;
        if (contains(opt.meta, opt.target)) throw UsageError("--meta: '" + opt.target + "' is the target");
        std::set<std::string> seen;
        for (const std::string& f : opt.features) {
            table.column(f);
            if (f == opt.target) throw UsageError("--features: '" + f + "' is the target");
            if (contains(opt.meta, f)) throw UsageError("--features: '" + f + "' is also a --meta column");
            if (!seen.insert(f).second) throw UsageError("--features: '" + f + "' is named twice");
        }
        t.features = datasets::choose_features(table, opt.target, opt.features, opt.meta, t.notes);
        if (t.features.empty()) throw std::runtime_error(table.source + ": no feature columns left besides the target and --meta");
    }
}

// regression for a numeric target with more than 20 distinct values, classification otherwise (or as --task says).
void choose_task(TableRun& t) {
    const datasets::TableColumn& c = t.table.columns[t.table.column(t.target)];
    const std::string what = "; correct the field (leave it empty if the value is missing: such rows are dropped), or "
                             "pass --task classification";
    if (c.kind == datasets::ColumnKind::AllMissing)
        throw std::runtime_error(t.table.source + ": target '" + t.target + "' has no value in any of the " +
                                 std::to_string(t.table.size()) + " rows; pick another --target");
    const bool numeric = c.kind == datasets::ColumnKind::Numeric || c.kind == datasets::ColumnKind::Date;
    if (t.task.empty()) {
        // Numbers with more than 20 distinct values: regression. A column of such numbers with a few odd fields ("NA")
        // is a numeric target with bad values, not 60 classes: say which field.
        std::set<double> distinct;
        std::size_t numbers = 0;
        for (std::size_t r = 0; r < t.table.size(); ++r) {
            double v = 0;
            if (datasets::parse_number(c.text[r], v)) ++numbers, distinct.insert(v);
        }
        const std::size_t present = t.table.size() - c.missing;
        if (c.kind == datasets::ColumnKind::Mixed && distinct.size() > 20 && numbers * 10 >= present * 9)
            throw std::runtime_error(c.problem + what);
        t.task = numeric && distinct.size() > 20 ? "regression" : "classification";
    }
    if (t.task == "regression" && !numeric) {
        if (c.kind == datasets::ColumnKind::Mixed) throw std::runtime_error(c.problem + "; --task regression needs numbers");
        throw std::runtime_error(t.table.source + ": target '" + t.target + "' holds " + datasets::kind_name(c.kind) +
                                 " values; --task regression needs numbers");
    }
}

// Drops the rows without a target (and with --missing drop, those lacking any feature value), counting them per column.
void drop_rows(const Options& opt, TableRun& t) {
    const std::size_t N = t.table.size();
    std::vector<char> keep(N, 1);
    auto& rows = t.report["table"]["rows"];
    rows["read"] = N;
    if (t.has_target) {
        const auto& c = t.table.columns[t.table.column(t.target)];
        for (std::size_t r = 0; r < N; ++r) keep[r] = !c.text[r].empty();
        rows["dropped_no_target"] = c.missing;
        if (c.missing > 0) t.notes.push_back(count_of(c.missing, "row") + " without '" + t.target + "' dropped");
    }
    if (opt.missing == "drop") {
        nlohmann::ordered_json per = nlohmann::ordered_json::object();
        std::size_t dropped = 0;
        for (const std::string& f : t.features) {
            const auto& c = t.table.columns[t.table.column(f)];
            std::size_t n = 0;
            for (std::size_t r = 0; r < N; ++r)
                if (keep[r] && c.text[r].empty()) ++n;
            if (n > 0) per[f] = n;
        }
        for (std::size_t r = 0; r < N; ++r) {
            bool lacks = false;
            for (const std::string& f : t.features) lacks = lacks || t.table.columns[t.table.column(f)].text[r].empty();
            if (keep[r] && lacks) keep[r] = 0, ++dropped;
        }
        rows["dropped_missing_feature"] = dropped;
        rows["dropped_missing_by_column"] = per;
        if (dropped > 0) t.notes.push_back(count_of(dropped, "row") + " lacking a feature value dropped (--missing drop)");
    }
    std::vector<std::size_t> kept;
    for (std::size_t r = 0; r < N; ++r)
        if (keep[r]) kept.push_back(r);
    rows["used"] = kept.size();
    if (kept.size() < N) t.table = datasets::keep_rows(t.table, kept);
}

// The target of every row kept: numbers for regression, class indices for classification.
void read_target(TableRun& t, const nlohmann::json* saved) {
    if (!t.has_target) return;
    const std::size_t ci = t.table.column(t.target);
    const datasets::TableColumn& c = t.table.columns[ci];
    if (t.task == "regression") {
        for (std::size_t r = 0; r < t.table.size(); ++r) {
            if (!std::isfinite(c.values[r]))     // a saved regression model given a text target
                throw std::runtime_error(t.table.where(r) + ": column '" + t.target + "' (" + std::to_string(ci + 1) +
                                         "): '" + c.text[r] + "' is not a number");
            t.y.push_back(c.values[r]);
        }
        return;
    }
    if (saved) {
        t.class_names = (*saved)["class_names"].get<std::vector<std::string>>();
    } else {
        std::set<std::string> distinct(c.text.begin(), c.text.end());
        t.class_names.assign(distinct.begin(), distinct.end());
        if (c.kind == datasets::ColumnKind::Numeric)                       // numeric classes in numeric order
            std::stable_sort(t.class_names.begin(), t.class_names.end(), [](const std::string& a, const std::string& b) {
                double x = 0, y = 0;
                datasets::parse_number(a, x);
                datasets::parse_number(b, y);
                return x < y;
            });
        if (t.class_names.size() < 2)
            throw std::runtime_error(t.table.source + ": target '" + t.target + "' has only one value ('" +
                                     (t.class_names.empty() ? std::string() : t.class_names[0]) + "' in all " +
                                     std::to_string(t.table.size()) + " rows with a target); nothing to classify: pick "
                                     "another --target");
        if (t.class_names.size() > 1000)
            throw std::runtime_error(t.table.source + ": target '" + t.target + "' has " +
                                     std::to_string(t.class_names.size()) + " distinct values; use --task regression");
    }
    for (std::size_t r = 0; r < t.table.size(); ++r) {
        const auto it = std::find(t.class_names.begin(), t.class_names.end(), c.text[r]);
        if (it == t.class_names.end())
            throw std::runtime_error(t.table.where(r) + ": column '" + t.target + "': class '" + c.text[r] +
                                     "' is not one the model knows");
        t.labels.push_back(static_cast<int>(it - t.class_names.begin()));
    }
}

// The inputs of every row, encoded by t.plan; the imputed cells and unseen levels per column into the notes and report.
void encode_features(TableRun& t, datasets::Unseen unseen, const std::string& model) {
    const datasets::Encoded e = datasets::encode(t.plan, t.table, unseen, model);
    t.x = e.x;
    t.inputs = t.plan.inputs();
    nlohmann::ordered_json cols = nlohmann::ordered_json::array();
    for (std::size_t c = 0; c < t.plan.columns.size(); ++c) {
        const auto& p = t.plan.columns[c];
        const auto& n = e.counts[c];
        const bool cat = p.kind == datasets::ColumnKind::Categorical;
        std::vector<std::string> inputs(t.inputs.begin() + static_cast<std::ptrdiff_t>(t.plan.first_input(c)),
                                        t.inputs.begin() + static_cast<std::ptrdiff_t>(t.plan.first_input(c) +
                                                                                         (cat ? p.levels.size() : 1) + p.indicator));
        nlohmann::ordered_json j = {{"name", p.name}, {"kind", datasets::kind_name(p.kind)}, {"imputed", n.imputed},
                                    {"unseen_levels", n.unseen}, {"inputs", inputs}};
        if (cat) j["fill_level"] = p.fill_level;
        else j["fill"] = p.fill;
        cols.push_back(j);
        const std::string fill = cat ? "the most frequent level '" + p.fill_level + "'" : "the training median " + fmt(p.fill, 6);
        if (n.imputed > 0)
            t.notes.push_back("column '" + p.name + "': " + count_of(n.imputed, "missing value") + " imputed with " +
                              fill + (p.indicator ? ", marked in " + p.name + "_missing" : ""));
        if (n.unseen > 0)
            t.notes.push_back("column '" + p.name + "': " + count_of(n.unseen, "row") + " with a level no training row "
                              "has ('" + n.first_unseen + "'...) imputed with " + fill);
    }
    t.report["table"]["encoded_columns"] = cols;
}

// Shuffled rows; the last 20% (at least 2) are held out for validation.
void split(const Options& opt, TableRun& t) {
    const std::size_t N = t.table.size();
    if (N < 10) throw std::runtime_error(t.table.source + ": " + std::to_string(N) + " data rows; training needs at least 10");
    std::vector<std::size_t> order(N);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::seed_seq seq{opt.seed, std::uint64_t(7)};
    std::mt19937_64 rng(seq);
    std::shuffle(order.begin(), order.end(), rng);
    const std::size_t V = std::max<std::size_t>(2, N / 5);
    t.train_rows.assign(order.begin(), order.end() - static_cast<std::ptrdiff_t>(V));
    t.validation_rows.assign(order.end() - static_cast<std::ptrdiff_t>(V), order.end());
}

// Means and standard deviations (divisor N) of the training rows; a constant feature keeps sd 1.
void fit_standardization(TableRun& t) {
    const std::size_t D = t.inputs.size();
    const double n = static_cast<double>(t.train_rows.size());
    t.means.assign(D, 0);
    t.sds.assign(D, 0);
    for (std::size_t j = 0; j < D; ++j) {
        for (std::size_t r : t.train_rows) t.means[j] += t.x(r, j) / n;
        for (std::size_t r : t.train_rows) t.sds[j] += (t.x(r, j) - t.means[j]) * (t.x(r, j) - t.means[j]) / n;
        t.sds[j] = std::sqrt(t.sds[j]);
        if (!(t.sds[j] > 0)) t.sds[j] = 1;
    }
    if (t.task == "regression") {
        t.y_mean = t.y_sd = 0;
        for (std::size_t r : t.train_rows) t.y_mean += t.y[r] / n;
        for (std::size_t r : t.train_rows) t.y_sd += (t.y[r] - t.y_mean) * (t.y[r] - t.y_mean) / n;
        t.y_sd = std::sqrt(t.y_sd);
        if (!(t.y_sd > 0)) t.y_sd = 1;
    }
}

void train(const Options& opt, TableRun& t) {
    nn::training::TrainConfig config = table_train_config(opt);
    const std::size_t out = t.task == "classification" ? t.class_names.size() : 1;
    const nn::training::TableData train = table_data(t, t.train_rows), validation = table_data(t, t.validation_rows);
    if (!opt.quiet)
        std::cout << "table: " << t.table.source << ", " << t.table.size() << " rows (" << t.train_rows.size() << " train, "
                  << t.validation_rows.size() << " validation), " << t.features.size() << " features as " << t.inputs.size()
                  << " inputs, " << t.task << " of '" << t.target << "'; network " << t.inputs.size() << "-" << nn::hidden_text(opt.hidden, '-')
                  << "-" << out << " "
                  << opt.activation << "\n";
    const auto t0 = std::chrono::steady_clock::now();
    // --weight-decay given: that value. Otherwise each of a small grid, and the one with the lowest validation loss.
    const std::vector<double> grid = opt.weight_decay >= 0 ? std::vector<double>{opt.weight_decay} : kWeightDecayGrid;
    const nn::training::EarlyStopping stop{opt.patience};
    const std::size_t every = std::max<std::size_t>(1, opt.epochs / 10);
    nn::training::TableCurve chosen;
    double best_loss = std::numeric_limits<double>::infinity();
    nlohmann::ordered_json candidates = nlohmann::ordered_json::array();
    for (double wd : grid) {
        config.weight_decay = wd;
        nn::MLP<float> model = nn::training::make_mlp(config, t.inputs.size(), out);
        const auto curve = nn::training::train_table(model, train, validation, config, stop, [&](const nn::training::TableEpoch& e) {
            if (!opt.quiet && grid.size() == 1 && (e.epoch % every == 0 || e.epoch == 1))
                std::cout << "  epoch " << e.epoch << "/" << opt.epochs << ": train loss " << fmt(e.train_loss, 4)
                          << ", validation loss " << fmt(e.validation_loss, 4) << "\n";
        });
        const double loss = curve.epochs.at(curve.best_epoch - 1).validation_loss;
        candidates.push_back({{"weight_decay", wd}, {"best_epoch", curve.best_epoch}, {"epochs_run", curve.epochs.size()},
                              {"validation_loss", loss}});
        if (!opt.quiet && grid.size() > 1)
            std::cout << "  weight decay " << fmt(wd) << ": lowest validation loss " << fmt(loss, 4) << " at epoch "
                      << curve.best_epoch << " (" << curve.epochs.size() << " epochs run)\n";
        if (loss < best_loss) {
            best_loss = loss;
            t.model = std::move(model);
            chosen = curve;
            t.weight_decay = wd;
        }
    }
    if (!opt.quiet)
        std::cout << "kept: weight decay " << fmt(t.weight_decay) << ", the weights of epoch " << chosen.best_epoch
                  << " (validation loss " << fmt(best_loss, 4) << ")"
                  << (chosen.stopped_early ? "; stopped early at epoch " + std::to_string(chosen.epochs.size()) : std::string())
                  << "\n";
    nlohmann::ordered_json curve = nlohmann::ordered_json::array();
    for (const auto& e : chosen.epochs)
        curve.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"validation_loss", e.validation_loss}});
    t.report["training"] = {{"seconds", seconds_since(t0)},
                            {"loss", t.task == "classification" ? "softmax cross-entropy" : "MSE of the standardized target"},
                            {"hidden", nn::training::hidden_json(opt.hidden)},
                            {"activation", opt.activation},
                            {"epochs", opt.epochs},
                            {"batch", opt.batch},
                            {"optimizer", opt.optimizer},
                            {"lr", opt.lr},
                            {"seed", opt.seed},
                            {"patience", opt.patience},
                            {"best_epoch", chosen.best_epoch},
                            {"epochs_run", chosen.epochs.size()},
                            {"weight_decay", t.weight_decay},
                            {"weight_decay_from", opt.weight_decay >= 0 ? "--weight-decay" : "lowest validation loss"},
                            {"candidates", candidates},
                            {"curve", curve}};
}

// R² and RMSE (regression) or accuracy (classification) on the validation rows, in the target's own units.
void evaluate(TableRun& t) {
    auto& m = t.report["metrics"];
    m["rows_evaluated"] = t.validation_rows.size();
    if (!t.has_target) return;
    const nn::Tensor<float> z = standardized(t, t.validation_rows);
    const sensitivity::maps::Output out = t.task == "classification" ? sensitivity::maps::Output::Softmax : sensitivity::maps::Output::Logits;
    const nn::Tensor<float> f = sensitivity::maps::predict(t.model, z, out);   // [V, out]
    const double V = static_cast<double>(t.validation_rows.size());
    if (t.task == "regression") {
        double mean = 0, ss_res = 0, ss_tot = 0;
        for (std::size_t r : t.validation_rows) mean += t.y[r] / V;
        for (std::size_t n = 0; n < t.validation_rows.size(); ++n) {
            const double y = t.y[t.validation_rows[n]], yhat = t.y_mean + t.y_sd * f(n, 0);
            ss_res += (y - yhat) * (y - yhat);
            ss_tot += (y - mean) * (y - mean);
        }
        m["r2"] = ss_tot > 0 ? 1 - ss_res / ss_tot : std::numeric_limits<double>::quiet_NaN();
        m["rmse"] = std::sqrt(ss_res / V);
        m["target_sd"] = std::sqrt(ss_tot / V);
    } else {
        const std::vector<int> pred = nn::argmax_rows(f);
        double right = 0;
        for (std::size_t n = 0; n < pred.size(); ++n) right += pred[n] == t.labels[t.validation_rows[n]];
        m["test_accuracy"] = right / V;
    }
}

void save(const Options& opt, TableRun& t) {
    nn::training::ModelInfo info;
    info.rows = 1;
    info.cols = t.inputs.size();
    info.dataset = fs::path(t.table.source).filename().string();
    info.class_names = t.class_names;
    info.seed = opt.seed;
    if (t.report["metrics"].contains("test_accuracy")) info.test_accuracy = t.report["metrics"]["test_accuracy"];
    info.table = {{"features", t.features}, {"inputs", t.inputs},      {"plan", datasets::plan_json(t.plan)},
                  {"target", t.target},     {"task", t.task},
                  {"means", t.means},       {"sds", t.sds},            {"target_mean", t.y_mean},
                  {"target_sd", t.y_sd},    {"class_names", t.class_names}};
    save_model_with_onnx(t.model, (fs::path(opt.out) / "model").string(), info);   // model.onnx takes standardized inputs
}

// The columns and what was done with them, one line each (the notes are printed even with --quiet: they are choices
// the program made for the user).
void print_columns(const Options& opt, const TableRun& t) {
    if (!opt.quiet) {
        std::cout << "columns of " << t.table.source << " (" << t.table.size() << " rows used):\n";
        for (const auto& c : t.table.columns) {
            const bool feature = contains(t.features, c.name), meta = contains(t.meta, c.name);
            const std::string role = c.name == t.target ? "target" : feature ? "feature" : meta ? "meta" : "left out";
            std::cout << "  " << std::left << std::setw(22) << c.name << " " << std::setw(20) << datasets::kind_name(c.kind)
                      << " " << std::setw(9) << role << " " << c.missing << " missing\n";
        }
    }
    for (const std::string& n : t.notes) std::cout << "note: " << n << "\n";
}

// --model net.onnx: a table network trained elsewhere. Its inputs are the --features columns in that order (or the
// --scaling file's), standardized as --scaling says or taken raw; every row is new to it.
void load_foreign_table_model(const Options& opt, TableRun& t) {
    const nn::onnx::DenseStack stack = nn::onnx::read_onnx(opt.model);
    TableScaling scaling;
    if (!opt.scaling.empty()) scaling = read_table_scaling(opt.scaling);
    if (!opt.features.empty() && !opt.scaling.empty() && opt.features != scaling.features)
        throw UsageError("--features and " + opt.scaling + " name different columns (or orders); give one of them");
    t.features = !opt.features.empty() ? opt.features : scaling.features;
    if (t.features.empty())
        throw UsageError("--model " + opt.model + ": name its input columns in the model's order with --features A,B,C "
                         "(or in a --scaling file)");
    std::string named;
    for (const std::string& f : t.features) {
        t.table.column(f);                                                 // throws for an unknown name
        named += (named.empty() ? "" : ", ") + f;
    }
    nn::onnx::check_input_width(stack, t.features.size(), "--features (" + named + ")");
    for (const std::string& m : opt.meta) t.table.column(m);
    t.meta = opt.meta;
    t.table.column(opt.target);
    t.target = opt.target;
    t.has_target = true;
    t.task = !opt.task.empty() ? opt.task : stack.output_width() == 1 ? "regression" : "classification";
    choose_task(t);
    drop_rows(opt, t);
    read_target(t, nullptr);
    if (t.task == "regression" && stack.output_width() != 1)
        throw std::runtime_error(opt.model + ": the model has " + std::to_string(stack.output_width()) +
                                 " outputs; a regression of '" + t.target + "' needs 1");
    if (t.task == "classification" && stack.output_width() != t.class_names.size())
        throw std::runtime_error(opt.model + ": the model has " + std::to_string(stack.output_width()) + " outputs; '" +
                                 t.target + "' has " + std::to_string(t.class_names.size()) + " classes");
    attribution_target(opt, t);
    t.plan = datasets::numeric_plan(t.features);
    encode_features(t, datasets::Unseen::Error, "the model in " + opt.model);
    const std::size_t D = t.inputs.size();
    t.means = opt.scaling.empty() ? std::vector<double>(D, 0.0) : scaling.mean;
    t.sds = opt.scaling.empty() ? std::vector<double>(D, 1.0) : scaling.sd;
    t.y_mean = scaling.target_mean;
    t.y_sd = scaling.target_sd;
    t.model = nn::onnx::to_mlp(stack);
    t.validation_rows.resize(t.table.size());                            // every row is new to it
    std::iota(t.validation_rows.begin(), t.validation_rows.end(), std::size_t(0));
    t.notes.push_back("model " + opt.model + " (ONNX, " + nn::onnx::describe(stack) + "): inputs " + named +
                      (opt.scaling.empty() ? ", taken raw (no --scaling)" : ", standardized by " + opt.scaling));
    t.report["table"]["scaling"] = opt.scaling.empty() ? nlohmann::ordered_json("none: raw columns")
                                                       : nlohmann::ordered_json(opt.scaling);
    print_columns(opt, t);
}

}  // namespace

int run_table(const Options& opt) {
    const auto t0 = std::chrono::steady_clock::now();
    TableRun t;
    t.csv = datasets::read_table(opt.csv);
    t.table = datasets::type_columns(t.csv);
    nlohmann::json saved;
    if (!opt.model.empty() && is_onnx_model(opt.model)) {
        load_foreign_table_model(opt, t);
    } else if (!opt.model.empty()) {
        nn::training::ModelInfo info;
        t.model = nn::training::load_model(opt.model, &info);
        if (info.table.is_null())
            throw std::runtime_error(opt.model + "/model.json: an image model (no 'table' section); --csv needs a model "
                                     "trained with --csv");
        saved = info.table;
        const std::string manifest = opt.model + "/model.json";
        t.plan = saved.contains("plan") ? datasets::plan_from_json(saved["plan"], manifest)   // a model saved before
                                        : datasets::numeric_plan(saved["features"].get<std::vector<std::string>>());
        choose_columns(opt, t, &saved);
        if (t.plan.inputs().size() != t.model.in())
            throw std::runtime_error(manifest + ": table.plan has " + std::to_string(t.plan.inputs().size()) +
                                     " inputs but the model takes " + std::to_string(t.model.in()));
        t.means = saved["means"].get<std::vector<double>>();
        t.sds = saved["sds"].get<std::vector<double>>();
        t.y_mean = saved["target_mean"].get<double>();
        t.y_sd = saved["target_sd"].get<double>();
        if (t.means.size() != t.model.in() || t.sds.size() != t.model.in())
            throw std::runtime_error(manifest + ": table.means and table.sds need one value per input");
        if (t.has_target) choose_task(t);
        drop_rows(opt, t);
        read_target(t, &saved);
        attribution_target(opt, t);                                       // refuses --attribution-target on a regression
        encode_features(t, datasets::Unseen::Error, "the model in " + opt.model);
        t.validation_rows.resize(t.table.size());                        // a saved model: every row is new
        std::iota(t.validation_rows.begin(), t.validation_rows.end(), std::size_t(0));
        print_columns(opt, t);
    } else {
        choose_columns(opt, t, nullptr);
        t.task = opt.task;
        choose_task(t);
        drop_rows(opt, t);
        read_target(t, nullptr);
        attribution_target(opt, t);                                       // refuses --attribution-target on a regression
        split(opt, t);
        t.plan = datasets::fit_plan(t.table, t.features, t.train_rows);  // medians and levels of the training rows only
        encode_features(t, datasets::Unseen::Impute, "the model");
        if (t.inputs.size() >= t.train_rows.size())
            throw std::runtime_error(t.table.source + ": " + std::to_string(t.csv.columns.size()) + " columns but " +
                                     std::to_string(t.table.size()) + " rows: " + std::to_string(t.inputs.size()) +
                                     " inputs for " + std::to_string(t.train_rows.size()) + " training rows is too few "
                                     "rows to learn from (is the table transposed, one row per variable?); give more rows, "
                                     "or fewer columns with --features");
        check_folds(opt, t);
        print_columns(opt, t);                                            // every check before any training
        fit_standardization(t);
        train(opt, t);
        loss_curve_figure(opt, t);
    }
    auto& tr = t.report["table"];
    tr["csv"] = opt.csv;
    tr["target"] = t.target;
    tr["task"] = t.task;
    tr["features"] = t.features;
    tr["inputs"] = t.inputs;
    tr["meta"] = t.meta;
    tr["notes"] = t.notes;
    tr["train_rows"] = t.train_rows.size();
    tr["validation_rows"] = t.validation_rows.size();
    tr["model"] = opt.model.empty() ? "trained" : opt.model;
    evaluate(t);
    if (opt.model.empty()) {
        save(opt, t);
        cross_validate(opt, t);
    }
    explain_table(opt, t);
    nlohmann::ordered_json metrics = t.report["metrics"];             // r2 / test_accuracy at the top, then the rest
    for (const auto& [key, value] : t.report.items())
        if (key != "metrics") metrics[key] = value;
    nn::training::write_file_atomic((fs::path(opt.out) / "metrics.json").string(), metrics.dump(2) + "\n");
    write_table_report(opt, t);

    const auto& m = t.report["metrics"];
    if (m.contains("r2"))
        std::cout << "R² on " << t.validation_rows.size() << (opt.model.empty() ? " held-out" : "") << " rows: "
                  << fixed(m["r2"].get<double>(), 4) << " (RMSE " << fmt(m["rmse"].get<double>()) << ", target sd "
                  << fmt(m["target_sd"].get<double>()) << ")\n";
    if (m.contains("test_accuracy"))
        std::cout << "accuracy on " << t.validation_rows.size() << (opt.model.empty() ? " held-out" : "") << " rows: "
                  << fixed(100 * m["test_accuracy"].get<double>(), 2) << "%\n";
    if (!t.cv_summary.empty()) std::cout << t.cv_summary << "\n";
    if (opt.quiet && !t.fd_summary.empty()) std::cout << t.fd_summary << "\n";
    std::cout << "total time:    " << fixed(seconds_since(t0), 1) << " s\n"
              << "features:      " << (fs::path(opt.out) / "sensitivity" / "features.csv").string() << "\n"
              << "page:          " << (fs::path(opt.out) / "report.html").string() << "\n";
    return 0;
}

}  // namespace app
