// examples/train_and_explain/table_explain.cpp — train-and-explain --csv, explaining: the feature Jacobian of every row from one tape, the
// per-feature table and figures, the categorical columns' level effects, the finite-difference check, and a Sensie probe
// over every feature and meta column.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "examples/train_and_explain/table.hpp"
#include "examples/train_and_explain/table_groups.hpp"
#include "examples/train_and_explain/util.hpp"
#include "nn/training/atomic_file.hpp"
#include "nn/training/evaluate.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "sensitivity/figures/feature_plots.hpp"
#include "sensitivity/probes/probe_curve.hpp"
#include "sensitivity/tables/features.hpp"
#include "sensitivity/tables/log_odds.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "sensitivity/figures/lineplot.hpp"
#include "sensitivity/probes/probe.hpp"
#include "sensitivity/probes/probe_io.hpp"
#include "sensitivity/figures/probe_plot.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {

// A column name as a file name: letters, digits, '-', '_' and '.' kept, anything else '_'; unique within `used`.
std::string file_stem(const std::string& name, std::set<std::string>& used) {
    std::string s;
    for (char ch : name) s += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.') ? ch : '_';
    if (s.empty() || s[0] == '.') s = "_" + s;
    std::string unique = s;
    for (int k = 2; !used.insert(unique).second; ++k) unique = s + "_" + std::to_string(k);
    return unique;
}

std::string csv_field(const std::string& s) {   // RFC 4180 quoting when needed
    if (s.find_first_of(",\";\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
}

// The refit columns of feature j from t.report["refit"] (empty fields for a --model run, which refits nothing).
std::string refit_fields(const nlohmann::ordered_json& refit, std::size_t j) {
    if (refit.is_null()) return ",,,,,,";
    const auto& r = refit["features"][j];
    std::ostringstream s;
    s << std::setprecision(10) << r["mean_over_fits"].get<double>() << ',' << r["refit_lo"].get<double>() << ','
      << r["refit_hi"].get<double>() << ',' << r["top3_share"].get<double>() << ',' << r["rank_min"].get<std::size_t>()
      << '-' << r["rank_max"].get<std::size_t>() << ',' << (r["unstable"].get<bool>() ? "unstable" : "") << ','
      << r["baseline_per_sd"].get<double>();
    return s.str();
}

std::string features_csv(const std::vector<sensitivity::tables::FeatureSensitivity>& fs_, const TableGroups& g,
                         const TableImportance& imp, const nlohmann::ordered_json& refit) {
    std::ostringstream s;
    s << std::setprecision(10)
      << "feature,mean_abs,mean_abs_row_bootstrap_one_fit_lo,mean_abs_row_bootstrap_one_fit_hi,mean,sd,mean_abs_per_sd,"
         "per_sd_row_bootstrap_one_fit_lo,per_sd_row_bootstrap_one_fit_hi,mean_per_sd,rank_per_sd,correlated_with,group,"
         "perm_rise,perm_lo,perm_hi,rank_perm,ranks_disagree,"
         "per_sd_mean_over_fits,per_sd_refit_lo,per_sd_refit_hi,top3_share,rank_range,unstable,baseline_per_sd\n";
    const std::vector<std::size_t> order = sensitivity::tables::rank_by_per_sd(fs_);
    std::vector<std::size_t> rank(fs_.size());
    for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = k + 1;
    for (std::size_t j = 0; j < fs_.size(); ++j) {
        const auto& f = fs_[j];
        s << csv_field(f.name) << ',' << f.mean_abs << ',' << f.mean_abs_lo << ',' << f.mean_abs_hi << ',' << f.mean << ','
          << f.sd << ',' << f.mean_abs_per_sd << ',' << f.mean_abs_per_sd_lo << ',' << f.mean_abs_per_sd_hi << ','
          << f.mean_per_sd << ',' << rank[j] << ',' << csv_field(join(f.correlated_with, ";")) << ','
          << (g.group_of[j] < 0 ? std::string() : "G" + std::to_string(g.group_of[j] + 1));
        if (imp.empty()) s << ",,,,,";
        else
            s << ',' << imp.features[j].rise << ',' << imp.features[j].lo << ',' << imp.features[j].hi << ','
              << imp.permutation_rank[j] << ',' << (imp.disagree[j] ? "yes" : "no");
        s << ',' << refit_fields(refit, j) << '\n';
    }
    return s.str();
}

// Sensitivities of every row: J [N, C, D] in the target's units per unit of each feature, and the summary of the
// differentiated output (regression: y; classification: each row's predicted class, its log-odds or its probability).
void sensitivities(const Options& opt, TableRun& t, const nn::Tensor<float>& z, const fs::path& dir) {
    std::optional<StageClock> clock(std::in_place, t.seconds, "sensitivities and row bootstrap");
    const AttributionTarget target = attribution_target(opt, t);
    const bool classify = t.task == "classification";
    const auto out = classify && !target.log_odds ? sensitivity::maps::Output::Softmax : sensitivity::maps::Output::Logits;
    const xt::xtensor<float, 3> Jz = sensitivity::maps::jacobian(t.model, z, out);   // [N, C, D] per standardized unit
    const std::size_t N = Jz.shape(0), C = Jz.shape(1), D = Jz.shape(2);
    const double scale = classify ? 1.0 : t.y_sd;                              // ∂y/∂x_j = y_sd · ∂f/∂z_j / sd_j
    xt::xtensor<double, 3> J = xt::zeros<double>({N, C, D});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t i = 0; i < C; ++i)
            for (std::size_t j = 0; j < D; ++j) J(n, i, j) = scale * Jz(n, i, j) / t.sds[j];
    save_npy(dir / "jacobian.npy", J);

    // The Jacobian table holds the numeric (and date) columns; one-hot levels and missing indicators are not
    // differentiated (a categorical column has its own table, categorical_effects below).
    const std::vector<std::size_t> numeric = numeric_inputs(t);                // input index of each numeric column
    std::vector<std::string> names;
    for (std::size_t c = 0; c < t.plan.columns.size(); ++c)
        if (t.plan.columns[c].kind != datasets::ColumnKind::Categorical) names.push_back(t.plan.columns[c].name);
    const std::size_t F = numeric.size();
    xt::xtensor<double, 2> Jall = xt::zeros<double>({N, D});                   // [N, D] every input
    if (target.log_odds) {
        const xt::xtensor<double, 2> logits = xt::cast<double>(sensitivity::maps::predict(t.model, z, out));   // [N, C]
        Jall = sensitivity::tables::predicted_class_log_odds(J, logits).J;
    } else {
        std::vector<int> chosen(N, 0);
        if (classify) chosen = nn::argmax_rows(sensitivity::maps::predict(t.model, z, out));
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t j = 0; j < D; ++j) Jall(n, j) = J(n, static_cast<std::size_t>(chosen[n]), j);
    }
    xt::xtensor<double, 2> Jsel = xt::zeros<double>({N, F}), xnum = xt::zeros<double>({N, F});   // [N, F]
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < F; ++j) {
            Jsel(n, j) = Jall(n, numeric[j]);
            xnum(n, j) = t.x(n, numeric[j]);
        }
    auto features = F ? sensitivity::tables::feature_sensitivity(Jsel, xnum, names, opt.group_threshold, 1000, opt.seed)
                      : std::vector<sensitivity::tables::FeatureSensitivity>{};
    clock.emplace(t.seconds, "groups");
    const TableGroups groups = group_features(opt, t, Jsel, features, numeric, names);
    clock.emplace(t.seconds, "permutation importance");
    const TableImportance importance = permutation_stage(opt, t, groups, features, numeric);
    clock.emplace(t.seconds, "sensitivities and row bootstrap");
    const nlohmann::ordered_json refit = t.report.contains("refit") ? t.report["refit"] : nlohmann::ordered_json();
    nn::training::write_file_atomic((dir / "features.csv").string(), features_csv(features, groups, importance, refit));

    clock.emplace(t.seconds, "figures");
    if (F)
        sensitivity::figures::feature_bars_png((dir / "features.png").string(), features, group_notes(groups),
                                               target.name);
    std::set<std::string> used;
    nlohmann::ordered_json rows = nlohmann::ordered_json::array(), dependence = nlohmann::ordered_json::array();
    for (std::size_t j = 0; j < F; ++j) {
        std::vector<double> xs(N), gs(N);
        for (std::size_t n = 0; n < N; ++n) { xs[n] = xnum(n, j); gs[n] = Jsel(n, j); }
        const std::string name = "dependence_" + file_stem(names[j], used) + ".png";
        sensitivity::figures::dependence_png((dir / name).string(), features[j], xs, gs, target.name);
        dependence.push_back("sensitivity/" + name);
    }
    clock.emplace(t.seconds, "sensitivities and row bootstrap");
    // Ranked by the mean over the refits when there are refits, else by the one fit's per-SD value.
    std::vector<std::size_t> order = sensitivity::tables::rank_by_per_sd(features);
    if (!refit.is_null())
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return refit["features"][a]["mean_over_fits"].get<double>() > refit["features"][b]["mean_over_fits"].get<double>();
        });
    for (std::size_t j : order) {
        const auto& f = features[j];
        nlohmann::ordered_json r = {{"feature", f.name}, {"mean_abs", f.mean_abs}, {"mean_abs_lo", f.mean_abs_lo},
                                    {"mean_abs_hi", f.mean_abs_hi}, {"mean", f.mean}, {"sd", f.sd},
                                    {"mean_abs_per_sd", f.mean_abs_per_sd}, {"mean_abs_per_sd_lo", f.mean_abs_per_sd_lo},
                                    {"mean_abs_per_sd_hi", f.mean_abs_per_sd_hi}, {"mean_per_sd", f.mean_per_sd},
                                    {"correlated_with", f.correlated_with},
                                    {"group", groups.group_of[j] < 0 ? nlohmann::ordered_json(nullptr)
                                                                     : nlohmann::ordered_json("G" + std::to_string(groups.group_of[j] + 1))}};
        if (!importance.empty())
            r["permutation"] = {{"rise", importance.features[j].rise}, {"lo", importance.features[j].lo},
                                {"hi", importance.features[j].hi}, {"rank", importance.permutation_rank[j]},
                                {"rank_jacobian", importance.jacobian_rank[j]}, {"disagree", bool(importance.disagree[j])}};
        if (!refit.is_null()) r["refit"] = refit["features"][j];
        rows.push_back(r);
    }
    t.report["sensitivity"] = {{"output", target.name},
                               {"attribution_target", classify ? (target.log_odds ? "logodds" : "prob") : "value"},
                               {"jacobian_npy", classify ? (target.log_odds ? "logits" : "softmax") : "prediction"},
                               {"rows", N}, {"units", "target units per feature unit; per_sd: per SD of the feature"},
                               {"bootstrap", "95% percentile interval over rows of one fit, 1000 resamples: not the variation of refitting"},
                               {"features", rows}, {"groups", groups_json(groups, importance)},
                               {"permutation", permutation_json(importance, names)},
                               {"figure", F ? "sensitivity/features.png" : ""}, {"dependence_figures", dependence}};
    if (!opt.quiet) print_features(std::cout, target, N, features, groups, importance, refit);
}

std::string categorical_csv(const std::vector<sensitivity::tables::LevelEffect>& effects) {
    std::ostringstream s;
    s << std::setprecision(10) << "column,level,rows_at_level,mean_change,sd_change,mean_abs_change\n";
    for (const auto& e : effects)
        s << csv_field(e.column) << ',' << csv_field(e.level) << ',' << e.rows_at_level << ',' << e.mean << ',' << e.sd
          << ',' << e.mean_abs << '\n';
    return s.str();
}

// The output of every row with its inputs `x` [N, D]: y in the target's units (regression), or the probability of the
// class `chosen` predicts for the row as it is (classification, as the Jacobian table).
std::vector<double> outputs(const TableRun& t, const xt::xtensor<double, 2>& x, const std::vector<int>& chosen) {
    const std::size_t N = x.shape(0);
    const nn::Tensor<float> z = standardized(t, x);                            // [N, D]
    const bool classify = t.task == "classification";
    const nn::Tensor<float> f = classify ? nn::predict(t.model, z) : nn::predict_logits(t.model, z);   // [N, C]
    std::vector<double> y(N);
    for (std::size_t n = 0; n < N; ++n)
        y[n] = classify ? f(n, static_cast<std::size_t>(chosen[n])) : t.y_mean + t.y_sd * f(n, 0);
    return y;
}

// Per categorical column and level: the change of the output when every row is moved to that level (its indicator, if
// any, set to 0: the value is then known). Into sensitivity/categorical.csv, the report, and the terminal.
void categorical_effects(const Options& opt, TableRun& t, const nn::Tensor<float>& z, const fs::path& dir) {
    const bool classify = t.task == "classification";
    std::vector<int> chosen(t.x.shape(0), 0);
    if (classify) chosen = nn::argmax_rows(sensitivity::maps::predict(t.model, z, sensitivity::maps::Output::Softmax));
    const std::vector<double> base = outputs(t, t.x, chosen);
    std::vector<sensitivity::tables::LevelEffect> effects;
    for (std::size_t c = 0; c < t.plan.columns.size(); ++c) {
        const auto& p = t.plan.columns[c];
        if (p.kind != datasets::ColumnKind::Categorical) continue;
        const std::size_t k0 = t.plan.first_input(c), L = p.levels.size(), N = t.x.shape(0);
        std::vector<std::size_t> level_of(N, 0);
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t l = 0; l < L; ++l)
                if (t.x(n, k0 + l) == 1) level_of[n] = l;
        xt::xtensor<double, 2> moved = xt::zeros<double>({L, N});               // [L, N]
        for (std::size_t l = 0; l < L; ++l) {
            xt::xtensor<double, 2> x = t.x;                                       // [N, D]
            for (std::size_t n = 0; n < N; ++n) {
                for (std::size_t k = 0; k < L; ++k) x(n, k0 + k) = k == l;
                if (p.indicator) x(n, k0 + L) = 0;
            }
            const std::vector<double> y = outputs(t, x, chosen);
            for (std::size_t n = 0; n < N; ++n) moved(l, n) = y[n];
        }
        const auto e = sensitivity::tables::level_effects(p.name, p.levels, moved, base, level_of);
        effects.insert(effects.end(), e.begin(), e.end());
    }
    nn::training::write_file_atomic((dir / "categorical.csv").string(), categorical_csv(effects));
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& e : effects)
        rows.push_back({{"column", e.column}, {"level", e.level}, {"rows_at_level", e.rows_at_level},
                        {"mean_change", e.mean}, {"sd_change", e.sd}, {"mean_abs_change", e.mean_abs}});
    t.report["sensitivity"]["categorical"] = rows;
    if (opt.quiet || effects.empty()) return;
    std::cout << "categorical columns: change of " << (classify ? "p(predicted class)" : t.target)
              << " when every row is moved to each level (" << t.x.shape(0) << " rows):\n"
              << "  column                level                  rows at level   mean change      sd   mean |change|\n";
    for (const auto& e : effects)
        std::cout << "  " << std::left << std::setw(20) << e.column << "  " << std::setw(22) << e.level << " " << std::right
                  << std::setw(13) << e.rows_at_level << " " << std::setw(13) << fmt(e.mean) << " " << std::setw(8)
                  << fmt(e.sd) << " " << std::setw(14) << fmt(e.mean_abs) << std::left << "\n";
}

void finite_differences(const Options& opt, TableRun& t, const nn::Tensor<float>& z) {
    if (opt.fd_images == 0) return;
    const auto out = t.task == "classification" ? sensitivity::maps::Output::Softmax : sensitivity::maps::Output::Logits;
    const auto r = sensitivity::maps::fd_check(t.model, z, opt.fd_images, 1e-5, out);
    std::ostringstream line;
    line << "finite differences: " << r.images << " rows, " << r.pairs_compared << " output/feature pairs ("
         << r.pairs_skipped << " skipped at relu kinks): max relative error " << fmt(r.max_rel_error) << " in double (target "
         << fmt(r.tol_double) << "), " << fmt(r.float_max_rel_error) << " float tape vs double FD (target "
         << fmt(r.tol_float) << ") -> " << (r.passed ? "PASS" : "FAIL");
    t.fd_summary = line.str();
    t.report["fd_check"] = {{"rows", r.images},           {"h", r.h},
                            {"pairs_compared", r.pairs_compared}, {"pairs_skipped", r.pairs_skipped},
                            {"max_rel_error", r.max_rel_error},   {"float_max_rel_error", r.float_max_rel_error},
                            {"tol_double", r.tol_double},         {"tol_float", r.tol_float},
                            {"passed", r.passed}};
    if (!opt.quiet) std::cout << t.fd_summary << "\n";
}

// One probe per feature and meta column over the evaluated rows. Regression: the score is |error| in the target's units
// and "accuracy" is the share of rows whose |error| is at most the median |error|. Classification: the probability of the
// true class, and whether the argmax is right.
void probes(const Options& opt, TableRun& t, const fs::path& dir) {
    if (opt.no_probes || !t.has_target) return;
    std::optional<StageClock> clock(std::in_place, t.seconds, "probes");
    const std::vector<std::size_t>& rows = t.validation_rows;
    const bool classify = t.task == "classification";
    const nn::Tensor<float> z = standardized(t, rows);
    const nn::Tensor<float> f = sensitivity::maps::predict(t.model, z, classify ? sensitivity::maps::Output::Softmax
                                                                          : sensitivity::maps::Output::Logits);
    sensitivity::probes::Outcomes o;
    if (classify) {
        const std::vector<int> pred = nn::argmax_rows(f);
        for (std::size_t n = 0; n < rows.size(); ++n) {
            o.score.push_back(f(n, static_cast<std::size_t>(t.labels[rows[n]])));
            o.correct.push_back(pred[n] == t.labels[rows[n]]);
        }
    } else {
        for (std::size_t n = 0; n < rows.size(); ++n) o.score.push_back(std::abs(t.y[rows[n]] - (t.y_mean + t.y_sd * f(n, 0))));
        std::vector<double> sorted = o.score;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
        const double median = sorted[sorted.size() / 2];
        for (double e : o.score) o.correct.push_back(e <= median);
    }
    fs::create_directories(dir);
    std::vector<std::string> columns = t.features;
    columns.insert(columns.end(), t.meta.begin(), t.meta.end());
    sensitivity::probes::BinOptions bins;
    bins.bins = std::max<std::size_t>(2, std::min<std::size_t>(10, rows.size() / 5));
    // The floor is a change of the score across the 5-95% range of the column, so the column's units do not matter;
    // the score's do: 0.02 of probability for classification, 0.02 standard deviations of the target for regression.
    sensitivity::probes::FitOptions fit;
    fit.score_floor = classify ? 0.02 : 0.02 * t.y_sd;
    std::set<std::string> used;
    std::vector<sensitivity::probes::ProbeResult> results;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const std::string& c : columns) {
        const std::size_t col = t.csv.column(c);
        if (!t.csv.is_numeric(col)) {
            list.push_back({{"name", c}, {"note", "not numeric: no probe"}});
            continue;
        }
        const std::vector<double> all = t.csv.numbers(col);
        std::vector<double> p;
        for (std::size_t r : rows) p.push_back(all[r]);
        sensitivity::probes::ProbeResult r = sensitivity::probes::property_probe(c, "", p, o, bins, fit);
        const std::string stem = file_stem(c, used);
        sensitivity::probes::write_probe_csv(r, (dir / (stem + ".csv")).string());
        sensitivity::probes::write_probe_json(r, (dir / (stem + ".json")).string());
        sensitivity::figures::LinePlotFigure fig = sensitivity::figures::probe_figure(sensitivity::probes::probe_curve(r));
        if (!classify) {
            fig.panels[0].ylabel = "|error| of " + t.target;
            fig.panels[1].ylabel = "share |error| <= median";
        }
        clock.emplace(t.seconds, "figures");
        sensitivity::figures::lineplot_png((dir / (stem + ".png")).string(), fig);
        clock.emplace(t.seconds, "probes");
        nlohmann::ordered_json j = sensitivity::probes::probe_json(r);
        j["figure"] = "probes/" + stem + ".png";
        j["meta"] = std::find(t.meta.begin(), t.meta.end(), c) != t.meta.end();
        list.push_back(j);
        results.push_back(std::move(r));
    }
    t.report["probes"] = {{"score", classify ? "probability of the true class" : "|error| in " + t.target + "'s units"},
                          {"rows", rows.size()}, {"list", list}};
    if (!opt.quiet) {
        std::cout << "probes (" << (classify ? "true-class probability" : "|error|") << " against each column, "
                  << rows.size() << " rows):\n";
        sensitivity::probes::print_probe_summary(std::cout, results);
    }
}

}  // namespace

void explain_table(const Options& opt, TableRun& t) {
    const fs::path out(opt.out);
    fs::create_directories(out / "sensitivity");
    const nn::Tensor<float> z = standardized(t);                       // [N, D], every row of the table
    {
        StageClock clock(t.seconds, "finite-difference check");
        finite_differences(opt, t, z);
    }
    sensitivities(opt, t, z, out / "sensitivity");                      // times its own parts
    {
        StageClock clock(t.seconds, "categorical effects");
        categorical_effects(opt, t, z, out / "sensitivity");
    }
    probes(opt, t, out / "probes");                                     // times its own parts
}

}  // namespace app
