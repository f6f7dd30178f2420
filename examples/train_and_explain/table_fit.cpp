// examples/train_and_explain/table_fit.cpp — train-and-explain --csv, how far to trust the fit: the loss curve with the kept
// epoch, the K-fold scores of the net and the linear baseline, and the sensitivities' refit intervals. The work is in
// nn/training/ and sensitivity/tables/refit.hpp; this stage calls them, prints one verdict and fills t.report.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <sstream>
#include <thread>

#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/table.hpp"
#include "examples/train_and_explain/table_groups.hpp"
#include "examples/train_and_explain/util.hpp"
#include "nn/argmax.hpp"
#include "nn/training/cross_validate.hpp"
#include "nn/training/linear_model.hpp"
#include "sensitivity/figures/lineplot.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "sensitivity/tables/log_odds.hpp"
#include "sensitivity/tables/refit.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {

nlohmann::ordered_json summary(const std::vector<double>& v) {
    const nn::training::MeanSd m = nn::training::mean_sd(v);
    return {{"mean", m.mean}, {"sd", m.sd}, {"folds", v}};
}

// The baseline fitted to the model's own training rows, per SD of each input in `columns`: its signed coefficient
// (regression), or for classification the net's measure applied to the linear model, mean |∂(explained output)/∂x_j|
// per SD, of the predicted class's log-odds (its Jacobian is W on every row) or probability.
std::vector<double> baseline_per_sd(const TableRun& t, const nn::training::LinearModel& base,
                                    const std::vector<std::size_t>& columns, bool log_odds) {
    const nn::Tensor<float> z = standardized(t);                            // [N, D], every row
    const std::size_t N = z.shape(0), D = z.shape(1);
    std::vector<double> sd_z(D, 0), out(D, 0), picked;
    for (std::size_t j = 0; j < D; ++j) {
        double m = 0, ss = 0;
        for (std::size_t n = 0; n < N; ++n) m += z(n, j) / static_cast<double>(N);
        for (std::size_t n = 0; n < N; ++n) ss += (z(n, j) - m) * (z(n, j) - m);
        sd_z[j] = std::sqrt(ss / static_cast<double>(N));
    }
    if (!base.classification) {
        for (std::size_t j = 0; j < D; ++j) out[j] = t.y_sd * base.W(j, 0) * sd_z[j];
    } else {
        const nn::Tensor<float> p = nn::training::predict(base, z);         // [N, C]
        const std::size_t C = p.shape(1);
        xt::xtensor<double, 2> g = xt::zeros<double>({N, D});               // [N, D] ∂(output)/∂z of each row
        if (log_odds) {
            xt::xtensor<double, 3> J = xt::zeros<double>({N, C, D});        // [N, C, D] logits' Jacobian: Wᵀ on every row
            xt::xtensor<double, 2> logits = xt::zeros<double>({N, C});      // [N, C] (softmax is shift-invariant)
            for (std::size_t n = 0; n < N; ++n)
                for (std::size_t k = 0; k < C; ++k) {
                    logits(n, k) = std::log(std::max(1e-30, static_cast<double>(p(n, k))));
                    for (std::size_t j = 0; j < D; ++j) J(n, k, j) = base.W(j, k);
                }
            g = sensitivity::tables::predicted_class_log_odds(J, logits).J;
        } else {
            const std::vector<int> pred = nn::argmax_rows(p);
            for (std::size_t n = 0; n < N; ++n) {                           // ∂p_c/∂z_j = p_c (W_jc − Σ_k p_k W_jk)
                const std::size_t c = static_cast<std::size_t>(pred[n]);
                for (std::size_t j = 0; j < D; ++j) {
                    double avg = 0;
                    for (std::size_t k = 0; k < C; ++k) avg += p(n, k) * base.W(j, k);
                    g(n, j) = p(n, c) * (base.W(j, c) - avg);
                }
            }
        }
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t j = 0; j < D; ++j) out[j] += std::abs(g(n, j)) * sd_z[j] / static_cast<double>(N);
    }
    for (std::size_t c : columns) picked.push_back(out[c]);
    return picked;
}

}  // namespace

void loss_curve_figure(const Options& opt, TableRun& t) {
    const auto& tr = t.report["training"];
    sensitivity::figures::LinePlotFigure f;
    f.title = "training curve: the weights of epoch " + std::to_string(tr["best_epoch"].get<std::size_t>()) + " are kept";
    f.xlabel = "epoch";
    sensitivity::figures::PlotPanel p;
    p.ylabel = tr["loss"].get<std::string>();
    sensitivity::figures::Series train, validation;
    train.label = "train loss";
    validation.label = "validation loss";
    for (const auto& e : tr["curve"]) {
        train.x.push_back(e["epoch"].get<double>());
        train.y.push_back(e["train_loss"].get<double>());
        validation.x.push_back(e["epoch"].get<double>());
        validation.y.push_back(e["validation_loss"].get<double>());
    }
    const double best = tr["best_epoch"].get<double>();
    p.series = {train, validation};
    p.spans.push_back({"kept epoch " + std::to_string(tr["best_epoch"].get<std::size_t>()), best - 0.5, best + 0.5,
                       {214, 39, 40}, 0.35});
    p.log_y = true;
    for (double y : train.y) p.log_y = p.log_y && y > 0;
    for (double y : validation.y) p.log_y = p.log_y && y > 0;
    f.panels.push_back(p);
    fs::create_directories(fs::path(opt.out) / "sensitivity");
    sensitivity::figures::lineplot_png((fs::path(opt.out) / "sensitivity" / "loss_curve.png").string(), f);
    t.report["training"]["curve_figure"] = "sensitivity/loss_curve.png";
}

void check_folds(const Options& opt, const TableRun& t) {
    const std::size_t N = t.x.shape(0);
    if (opt.folds * 4 > N)
        throw UsageError("--folds " + std::to_string(opt.folds) + ": the table has " + std::to_string(N) +
                         " rows; cross-validation needs at least 4 rows per fold");
}

void cross_validate(const Options& opt, TableRun& t) {
    const bool classify = t.task == "classification";
    const std::size_t N = t.x.shape(0), out = classify ? t.class_names.size() : 1;
    check_folds(opt, t);
    std::vector<std::size_t> all(N);
    std::iota(all.begin(), all.end(), std::size_t(0));
    nn::training::TrainConfig config = table_train_config(opt);
    config.weight_decay = t.weight_decay;
    const bool log_odds = attribution_target(opt, t).log_odds;            // the output the Jacobian table explains
    const std::vector<std::size_t> numeric = numeric_inputs(t);
    namespace maps = sensitivity::maps;
    const auto gradient = [classify, log_odds](nn::MLP<float>& model, const nn::Tensor<float>& z) -> nn::Tensor<float> {
        if (!classify) return maps::class_gradient(model, z, 0, maps::Output::Logits);
        if (!log_odds) return maps::predicted_class_gradient(model, z, maps::Output::Softmax);
        const xt::xtensor<double, 3> J = xt::cast<double>(maps::jacobian(model, z, maps::Output::Logits));   // [N, C, D]
        const xt::xtensor<double, 2> logits = xt::cast<double>(maps::predict(model, z, maps::Output::Logits));
        return xt::cast<float>(sensitivity::tables::predicted_class_log_odds(J, logits).J);                // [N, D]
    };
    const auto t0 = std::chrono::steady_clock::now();
    // Each fold chooses its own weight decay on its own rows (the main split's choice would leak its validation rows,
    // which lie in the held-out folds); --weight-decay fixes it everywhere.
    sensitivity::tables::RefitPlan plan;
    plan.weight_decays = opt.weight_decay >= 0 ? std::vector<double>{opt.weight_decay} : kWeightDecayGrid;
    plan.replicates = opt.refit_replicates;
    plan.threads = std::max(1u, std::thread::hardware_concurrency());
    const sensitivity::tables::CrossFit cf = sensitivity::tables::cross_fit(
        table_data(t, all), out, config, nn::training::EarlyStopping{opt.patience}, opt.folds, classify ? 1.0 : t.y_sd, gradient,
        numeric, plan);

    // The scores: R² and RMSE, or accuracy and log-loss, per fold; the verdict compares the paired per-fold gain.
    const std::string main_metric = classify ? "accuracy" : "r2";
    std::vector<double> net_a, net_b, base_a, base_b, gain;
    nlohmann::ordered_json epochs = nlohmann::ordered_json::array(), penalties = nlohmann::ordered_json::array(),
                           decays = nlohmann::ordered_json::array();
    for (const auto& f : cf.folds) {
        net_a.push_back(classify ? f.net.accuracy : f.net.r2);
        net_b.push_back(classify ? f.net.log_loss : f.net.rmse);
        base_a.push_back(classify ? f.baseline.accuracy : f.baseline.r2);
        base_b.push_back(classify ? f.baseline.log_loss : f.baseline.rmse);
        gain.push_back(net_a.back() - base_a.back());
        epochs.push_back(f.best_epoch);
        decays.push_back(f.weight_decay);
        penalties.push_back(f.baseline_penalty);
    }
    const std::string second = classify ? "log_loss" : "rmse";
    const nn::training::MeanSd g = nn::training::mean_sd(gain);
    const bool better = g.mean > g.sd;
    const std::string baseline_name = classify ? "multinomial logistic regression" : "ridge least squares";
    t.report["cv"] = {{"folds", opt.folds},
                      {"seconds", seconds_since(t0)},
                      {"net", {{main_metric, summary(net_a)}, {second, summary(net_b)}, {"best_epochs", epochs},
                               {"weight_decays", decays}}},
                      {"baseline", {{"model", baseline_name}, {main_metric, summary(base_a)}, {second, summary(base_b)},
                                    {"penalties", penalties}}},
                      {"gain", {{"metric", main_metric}, {"mean", g.mean}, {"sd", g.sd}}},
                      {"net_better", better}};

    // The baseline's per-SD coefficients, fitted to the rows the net trained on.
    const nn::training::LinearModel base = nn::training::fit_baseline(table_data(t, t.train_rows), out, opt.seed);
    const std::vector<double> coef = baseline_per_sd(t, base, numeric, log_odds);
    nlohmann::ordered_json features = nlohmann::ordered_json::array();
    for (std::size_t j = 0; j < numeric.size(); ++j) {
        const auto& r = cf.features[j];
        features.push_back({{"feature", t.inputs[numeric[j]]}, {"mean_over_fits", r.mean}, {"refit_lo", r.lo}, {"refit_hi", r.hi},
                            {"top3_share", r.top3_share}, {"rank_min", r.rank_min}, {"rank_max", r.rank_max},
                            {"unstable", r.unstable}, {"se", r.se}, {"noise_sd", r.noise_sd},
                            {"replicate_sd", r.replicate_sd}, {"df", r.df},
                            {"baseline_per_sd", coef[j]}});
    }
    t.report["refit"] = {{"fits", opt.folds * plan.repeats},
                         {"bootstrap_replicates", plan.replicates},
                         {"interval", "95%: the mean over K folds x 2 refits (each its own seed) ± t(B-1)·√V, V from B bootstrap "
                                      "replicates of the whole cross-fitting (rows drawn again with replacement; new folds, early "
                                      "stopping and seeds, one net a fold, the weight decay the folds chose most often): their "
                                      "variance, less the training "
                                      "noise one net a fold adds beyond the mean of 2 (the spread of a fold's two refits). "
                                      "Includes the between-fit variance"},
                         {"baseline", !classify ? "signed ridge coefficient per SD"
                                     : log_odds ? "mean |d log-odds(predicted)/dx| per SD of the logistic regression"
                                                : "mean |dp(predicted)/dx| per SD of the logistic regression"},
                         {"baseline_penalty", base.penalty},
                         {"features", features}};

    std::ostringstream line;
    const auto pm = [](const std::vector<double>& v, int digits) {
        const nn::training::MeanSd m = nn::training::mean_sd(v);
        return fixed(m.mean, digits) + " ± " + fixed(m.sd, digits);
    };
    const std::string label = classify ? "accuracy" : "R²";
    line << "cross-validated (" << opt.folds << " folds): net " << label << " " << pm(net_a, 3) << ", " << baseline_name
         << " " << label << " " << pm(base_a, 3) << " -> ";
    if (better)
        line << "the net is better by " << fixed(g.mean, 3) << " ± " << fixed(g.sd, 3);
    else
        line << "the net is NOT better than the linear baseline (gain " << fixed(g.mean, 3) << " ± " << fixed(g.sd, 3)
             << "): its sensitivities describe a model no better than a straight line";
    t.cv_summary = line.str();                                              // printed with the run's summary
}

}  // namespace app
