// examples/train_and_explain/table_stage.cpp — train-and-explain --csv: read the table, pick the columns, split, standardize on the training
// rows, train the MLP on the tape (MSE or cross-entropy), report R² or accuracy, save the model with its standardization.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>

#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/table.hpp"
#include "examples/train_and_explain/table_groups.hpp"
#include "examples/train_and_explain/util.hpp"
#include "nn/training/atomic_file.hpp"
#include "nn/training/evaluate.hpp"
#include "nn/training/model_io.hpp"
#include "nn/training/train_table.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace fs = std::filesystem;

namespace app {

nn::Tensor<float> standardized(const TableRun& t, const std::vector<std::size_t>& rows) {
    const std::size_t D = t.features.size(), N = rows.empty() ? t.x.shape(0) : rows.size();
    nn::Tensor<float> z = xt::zeros<float>({N, D});                  // [N, D]
    for (std::size_t n = 0; n < N; ++n) {
        const std::size_t r = rows.empty() ? n : rows[n];
        for (std::size_t j = 0; j < D; ++j) z(n, j) = static_cast<float>((t.x(r, j) - t.means[j]) / t.sds[j]);
    }
    return z;
}

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The features, target and meta columns the options name, checked against the header.
void choose_columns(const Options& opt, TableRun& t, const nlohmann::json* saved) {
    const auto& csv = t.csv;
    for (const std::string& m : opt.meta) csv.column(m);                   // throws for an unknown name
    t.meta = opt.meta;
    if (saved) {                                                           // --model: the model's own features
        t.features = (*saved)["features"].get<std::vector<std::string>>();
        t.target = (*saved)["target"].get<std::string>();
        t.task = (*saved)["task"].get<std::string>();
        if (!opt.target.empty() && opt.target != t.target)
            throw UsageError("--target " + opt.target + ": the model in " + opt.model + " predicts '" + t.target + "'");
        if (!opt.task.empty() && opt.task != t.task)
            throw UsageError("--task " + opt.task + ": the model in " + opt.model + " does " + t.task);
        if (!opt.features.empty() && opt.features != t.features)
            throw UsageError("--features: the model in " + opt.model + " was trained on its own features; leave --features out");
        for (const std::string& f : t.features) csv.column(f);
        t.has_target = contains(csv.columns, t.target);
    } else {
        csv.column(opt.target);
        t.target = opt.target;
        t.has_target = true;
        if (contains(opt.meta, opt.target)) throw UsageError("--meta: '" + opt.target + "' is the target");
        if (!opt.features.empty()) {
            std::set<std::string> seen;
            for (const std::string& f : opt.features) {
                csv.column(f);
                if (f == opt.target) throw UsageError("--features: '" + f + "' is the target");
                if (contains(opt.meta, f)) throw UsageError("--features: '" + f + "' is also a --meta column");
                if (!seen.insert(f).second) throw UsageError("--features: '" + f + "' is named twice");
            }
            t.features = opt.features;
        } else {
            for (const std::string& c : csv.columns)
                if (c != opt.target && !contains(opt.meta, c)) t.features.push_back(c);
        }
        if (t.features.empty()) throw std::runtime_error(csv.source + ": no feature columns left besides the target and --meta");
    }
}

// regression for a numeric target with more than 20 distinct values, classification otherwise (or as --task says).
void read_target(const Options& opt, TableRun& t, const nlohmann::json* saved) {
    if (!t.has_target) return;
    const std::size_t c = t.csv.column(t.target);
    if (!saved) {
        t.task = opt.task;
        if (t.task.empty()) {
            // Numbers with more than 20 distinct values: regression. A column of such numbers with a few odd fields
            // ("NA", "") is a numeric target with bad values, not 60 classes: say which field, as numbers() does.
            std::set<double> distinct;
            std::size_t numeric = 0;
            for (std::size_t r = 0; r < t.csv.size(); ++r) {
                double v = 0;
                if (t.csv.number_at(r, c, v)) ++numeric, distinct.insert(v);
            }
            const bool many = distinct.size() > 20;
            if (many && numeric < t.csv.size() && numeric * 10 >= t.csv.size() * 9) {
                try {
                    t.csv.numbers(c);
                } catch (const std::exception& e) {
                    throw std::runtime_error(std::string(e.what()) + " (target '" + t.target +
                                             "' is otherwise numeric: fix the value, or pass --task classification)");
                }
            }
            t.task = many && numeric == t.csv.size() ? "regression" : "classification";
        }
    }
    if (t.task == "regression") {
        t.y = t.csv.numbers(c);                                           // one-line errors for bad values
        return;
    }
    std::vector<std::string> values;
    for (const auto& row : t.csv.rows) values.push_back(row[c]);
    if (saved) {
        t.class_names = (*saved)["class_names"].get<std::vector<std::string>>();
    } else {
        std::set<std::string> distinct(values.begin(), values.end());
        t.class_names.assign(distinct.begin(), distinct.end());
        if (t.csv.is_numeric(c))                                          // numeric classes in numeric order
            std::stable_sort(t.class_names.begin(), t.class_names.end(), [](const std::string& a, const std::string& b) {
                double x = 0, y = 0;
                datasets::parse_number(a, x);
                datasets::parse_number(b, y);
                return x < y;
            });
        if (t.class_names.size() < 2)
            throw std::runtime_error(t.csv.source + ": target '" + t.target + "' has only one value; nothing to classify");
        if (t.class_names.size() > 1000)
            throw std::runtime_error(t.csv.source + ": target '" + t.target + "' has " +
                                     std::to_string(t.class_names.size()) + " distinct values; use --task regression");
    }
    for (std::size_t r = 0; r < values.size(); ++r) {
        const auto it = std::find(t.class_names.begin(), t.class_names.end(), values[r]);
        if (values[r].empty())
            throw std::runtime_error(t.csv.source + ":" + std::to_string(t.csv.lines[r]) + ": column '" + t.target +
                                     "' (" + std::to_string(c + 1) + "): missing value");
        if (it == t.class_names.end())
            throw std::runtime_error(t.csv.source + ":" + std::to_string(t.csv.lines[r]) + ": column '" + t.target +
                                     "': class '" + values[r] + "' is not one the model knows");
        t.labels.push_back(static_cast<int>(it - t.class_names.begin()));
    }
}

void read_features(TableRun& t) {
    const std::size_t N = t.csv.size(), D = t.features.size();
    t.x = xt::zeros<double>({N, D});
    for (std::size_t j = 0; j < D; ++j) {
        const std::vector<double> v = t.csv.numbers(t.csv.column(t.features[j]));
        for (std::size_t n = 0; n < N; ++n) t.x(n, j) = v[n];
    }
}

// Shuffled rows; the last 20% (at least 2) are held out for validation.
void split(const Options& opt, TableRun& t) {
    const std::size_t N = t.csv.size();
    if (N < 10) throw std::runtime_error(t.csv.source + ": " + std::to_string(N) + " data rows; training needs at least 10");
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
    const std::size_t D = t.features.size();
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

void train(const Options& opt, TableRun& t) {
    nn::training::TrainConfig config;
    config.hidden = opt.hidden;
    config.activation = nn::parse_activation(opt.activation);
    config.epochs = opt.epochs;
    config.batch = opt.batch;
    config.lr = opt.lr;
    config.optimizer = opt.optimizer;
    config.seed = opt.seed;
    const std::size_t out = t.task == "classification" ? t.class_names.size() : 1;
    t.model = nn::training::make_mlp(config, t.features.size(), out);
    const nn::training::TableData train = table_data(t, t.train_rows), validation = table_data(t, t.validation_rows);
    if (!opt.quiet)
        std::cout << "table: " << t.csv.source << ", " << t.csv.size() << " rows (" << t.train_rows.size() << " train, "
                  << t.validation_rows.size() << " validation), " << t.features.size() << " features, " << t.task
                  << " of '" << t.target << "'; network " << t.features.size() << "-" << opt.hidden << "-" << out << " "
                  << opt.activation << "\n";
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t every = std::max<std::size_t>(1, opt.epochs / 10);
    const auto epochs = nn::training::train_table(t.model, train, validation, config, [&](const nn::training::TableEpoch& e) {
        if (!opt.quiet && (e.epoch % every == 0 || e.epoch == 1))
            std::cout << "  epoch " << e.epoch << "/" << opt.epochs << ": train loss " << fmt(e.train_loss, 4)
                      << ", validation loss " << fmt(e.validation_loss, 4) << "\n";
    });
    nlohmann::ordered_json curve = nlohmann::ordered_json::array();
    for (const auto& e : epochs)
        curve.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"validation_loss", e.validation_loss}});
    t.report["training"] = {{"seconds", seconds_since(t0)},
                            {"loss", t.task == "classification" ? "softmax cross-entropy" : "MSE of the standardized target"},
                            {"hidden", opt.hidden},
                            {"activation", opt.activation},
                            {"epochs", opt.epochs},
                            {"batch", opt.batch},
                            {"optimizer", opt.optimizer},
                            {"lr", opt.lr},
                            {"seed", opt.seed},
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
    info.cols = t.features.size();
    info.dataset = fs::path(t.csv.source).filename().string();
    info.class_names = t.class_names;
    info.seed = opt.seed;
    if (t.report["metrics"].contains("test_accuracy")) info.test_accuracy = t.report["metrics"]["test_accuracy"];
    info.table = {{"features", t.features}, {"target", t.target},      {"task", t.task},
                  {"means", t.means},       {"sds", t.sds},            {"target_mean", t.y_mean},
                  {"target_sd", t.y_sd},    {"class_names", t.class_names}};
    nn::training::save_model(t.model, (fs::path(opt.out) / "model").string(), info);
}

}  // namespace

int run_table(const Options& opt) {
    const auto t0 = std::chrono::steady_clock::now();
    TableRun t;
    t.csv = datasets::read_csv(opt.csv);
    nlohmann::json saved;
    if (!opt.model.empty()) {
        nn::training::ModelInfo info;
        t.model = nn::training::load_model(opt.model, &info);
        if (info.table.is_null())
            throw std::runtime_error(opt.model + "/model.json: an image model (no 'table' section); --csv needs a model "
                                     "trained with --csv");
        saved = info.table;
        choose_columns(opt, t, &saved);
        if (t.features.size() != t.model.in())
            throw std::runtime_error(opt.model + "/model.json: table.features has " + std::to_string(t.features.size()) +
                                     " names but the model takes " + std::to_string(t.model.in()) + " inputs");
        t.means = saved["means"].get<std::vector<double>>();
        t.sds = saved["sds"].get<std::vector<double>>();
        t.y_mean = saved["target_mean"].get<double>();
        t.y_sd = saved["target_sd"].get<double>();
        if (t.means.size() != t.features.size() || t.sds.size() != t.features.size())
            throw std::runtime_error(opt.model + "/model.json: table.means and table.sds need one value per feature");
        read_target(opt, t, &saved);
        attribution_target(opt, t);                                       // refuses --attribution-target on a regression
        read_features(t);
        t.validation_rows.resize(t.csv.size());                          // a saved model: every row is new
        std::iota(t.validation_rows.begin(), t.validation_rows.end(), std::size_t(0));
    } else {
        choose_columns(opt, t, nullptr);
        read_target(opt, t, nullptr);
        attribution_target(opt, t);                                       // refuses --attribution-target on a regression
        read_features(t);                                                 // every check before any training
        split(opt, t);
        fit_standardization(t);
        train(opt, t);
    }
    t.report["table"] = {{"csv", opt.csv}, {"rows", t.csv.size()}, {"target", t.target}, {"task", t.task},
                         {"features", t.features}, {"meta", t.meta}, {"train_rows", t.train_rows.size()},
                         {"validation_rows", t.validation_rows.size()}, {"model", opt.model.empty() ? "trained" : opt.model}};
    evaluate(t);
    if (opt.model.empty()) save(opt, t);
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
    if (opt.quiet && !t.fd_summary.empty()) std::cout << t.fd_summary << "\n";
    std::cout << "total time:    " << fixed(seconds_since(t0), 1) << " s\n"
              << "features:      " << (fs::path(opt.out) / "sensitivity" / "features.csv").string() << "\n"
              << "page:          " << (fs::path(opt.out) / "report.html").string() << "\n";
    return 0;
}

}  // namespace app
