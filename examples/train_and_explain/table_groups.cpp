// examples/train_and_explain/table_groups.cpp — train-and-explain --csv: the attribution target, Spearman groups with one caveat each,
// permutation importance on the held-out rows and the aligned terminal table. Glue and formatting; statistics in sensitivity/tables/.
#include "examples/train_and_explain/table_groups.hpp"

#include <cmath>
#include <cstdlib>

#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/text_table.hpp"
#include "examples/train_and_explain/util.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace app {

namespace st = sensitivity::tables;

AttributionTarget attribution_target(const Options& opt, const TableRun& t) {
    AttributionTarget a;
    if (t.task != "classification") {
        if (!opt.attribution_target.empty())
            throw UsageError("--attribution-target " + opt.attribution_target + ": '" + t.target +
                             "' is a regression target; its sensitivity is that of " + t.target + " itself");
        a.name = t.target;
        return a;
    }
    a.log_odds = opt.attribution_target != "prob";
    a.name = a.log_odds ? "log-odds of the predicted class" : "p(predicted class)";
    return a;
}

namespace {

std::string group_name(std::size_t g) { return "G" + std::to_string(g + 1); }

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
}

xt::xtensor<double, 2> rows_of(const xt::xtensor<double, 2>& x, const std::vector<std::size_t>& rows) {
    xt::xtensor<double, 2> out = xt::zeros<double>({rows.size(), x.shape(1)});   // [rows, D]
    for (std::size_t n = 0; n < rows.size(); ++n)
        for (std::size_t j = 0; j < x.shape(1); ++j) out(n, j) = x(rows[n], j);
    return out;
}

std::string interval(double m, double lo, double hi) { return fmt(m) + " [" + fmt(lo) + ", " + fmt(hi) + "]"; }

}  // namespace

TableGroups group_features(const Options& opt, const TableRun& t, const xt::xtensor<double, 2>& Jsel,
                           std::vector<st::FeatureSensitivity>& features, const std::vector<std::size_t>& numeric,
                           const std::vector<std::string>& names) {
    TableGroups g;
    g.threshold = opt.group_threshold;
    const xt::xtensor<double, 2> rows = t.train_rows.empty() ? t.x : rows_of(t.x, t.train_rows);   // [R, inputs]
    xt::xtensor<double, 2> x = xt::zeros<double>({rows.shape(0), numeric.size()});            // [R, F]
    for (std::size_t n = 0; n < rows.shape(0); ++n)
        for (std::size_t j = 0; j < numeric.size(); ++j) x(n, j) = rows(n, numeric[j]);
    const xt::xtensor<double, 2> rho = st::spearman_matrix(x);
    g.groups = st::correlated_groups(rho, g.threshold);
    std::vector<double> sds;
    for (const auto& f : features) sds.push_back(f.sd);
    g.group_of.assign(features.size(), -1);
    for (auto& f : features) f.correlated_with.clear();
    for (std::size_t k = 0; k < g.groups.size(); ++k) {
        g.sensitivity.push_back(st::group_sensitivity(g.groups[k], Jsel, sds, names, 1000, opt.seed + 1000 + k));
        for (std::size_t j : g.groups[k].members) {
            g.group_of[j] = static_cast<int>(k);
            for (std::size_t other : g.groups[k].members)
                if (other != j) features[j].correlated_with.push_back(names[other]);
        }
    }
    return g;
}

TableImportance permutation_stage(const Options& opt, const TableRun& t, const TableGroups& g,
                                  const std::vector<st::FeatureSensitivity>& features,
                                  const std::vector<std::size_t>& numeric) {
    TableImportance imp;
    const std::vector<std::size_t>& rows = t.validation_rows;
    if (!t.has_target || rows.size() < 2 || numeric.empty()) return imp;
    const bool classify = t.task == "classification";
    const std::size_t D = numeric.size();                              // D features, each one input of the model
    // The training loss of each held-out row: softmax cross-entropy, or the squared error of the standardized target.
    const st::RowLoss loss = [&](const xt::xtensor<double, 2>& x) {
        const nn::Tensor<float> f = nn::predict_logits(t.model, standardized(t, x));   // [V, C]
        std::vector<double> l(x.shape(0));
        for (std::size_t n = 0; n < l.size(); ++n) {
            if (classify) {
                double top = f(n, 0), s = 0;
                for (std::size_t k = 1; k < f.shape(1); ++k) top = std::max<double>(top, f(n, k));
                for (std::size_t k = 0; k < f.shape(1); ++k) s += std::exp(double(f(n, k)) - top);
                l[n] = top + std::log(s) - f(n, static_cast<std::size_t>(t.labels[rows[n]]));
            } else {
                const double e = (t.y[rows[n]] - t.y_mean) / t.y_sd - f(n, 0);
                l[n] = e * e;
            }
        }
        return l;
    };
    std::vector<std::vector<std::size_t>> blocks;
    for (std::size_t j = 0; j < D; ++j) blocks.push_back({numeric[j]});     // blocks name inputs (columns of t.x)
    for (const auto& grp : g.groups) {
        std::vector<std::size_t> block;
        for (std::size_t m : grp.members) block.push_back(numeric[m]);
        blocks.push_back(block);
    }
    imp.repeats = 20;
    imp.rows = rows.size();
    imp.loss = classify ? "cross-entropy" : "squared error of the standardized " + t.target;
    auto all = st::permutation_importance(loss, rows_of(t.x, rows), blocks, imp.repeats, opt.seed);
    imp.features.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(D));
    imp.groups.assign(all.begin() + static_cast<std::ptrdiff_t>(D), all.end());
    std::vector<double> per_sd, rise;
    for (std::size_t j = 0; j < D; ++j) {
        per_sd.push_back(features[j].mean_abs_per_sd);
        rise.push_back(imp.features[j].rise);
    }
    imp.jacobian_rank = st::descending_ranks(per_sd);
    imp.permutation_rank = st::descending_ranks(rise);
    imp.limit = st::rank_disagreement_limit(D);
    for (std::size_t j = 0; j < D; ++j) {
        const auto a = imp.jacobian_rank[j], b = imp.permutation_rank[j];
        imp.disagree.push_back((a > b ? a - b : b - a) > imp.limit);
    }
    return imp;
}

void print_features(std::ostream& os, const AttributionTarget& target, std::size_t rows,
                    const std::vector<st::FeatureSensitivity>& features, const TableGroups& g, const TableImportance& imp,
                    const nlohmann::ordered_json& refit) {
    const bool refits = !refit.is_null();
    os << "sensitivity of " << target.name << " (" << rows << " rows; ranked by the per-SD value"
       << (refits ? " over " + std::to_string(refit["fits"].get<std::size_t>()) + " refits, two without each fold; ! = rank "
                    "unstable over the refits; baseline: " + refit["baseline"].get<std::string>()
                  : std::string())
       << ")";
    if (!imp.empty())
        os << "; shuffled: rise in " << imp.loss << " on " << imp.rows << " held-out rows when the column is shuffled ("
           << imp.repeats << " shuffles, 95% bootstrap over rows); rank J/shuffled differing by more than " << imp.limit
           << " places is flagged";
    os << ":\n";
    std::vector<std::vector<std::string>> table;
    table.push_back({"feature", "mean|J| [95% row bootstrap, one fit]", "mean J", "per SD [95% row bootstrap, one fit]"});
    if (refits) table[0].insert(table[0].end(), {"per SD over refits [95% refit]", "top-3", "ranks", "baseline per SD"});
    if (!imp.empty()) table[0].insert(table[0].end(), {"shuffled: loss rise [95%]", "rank J/shuffled"});
    table[0].push_back("group");
    std::vector<std::size_t> order = st::rank_by_per_sd(features);
    if (refits)
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return refit["features"][a]["mean_over_fits"].get<double>() > refit["features"][b]["mean_over_fits"].get<double>();
        });
    std::vector<bool> right = {false, false, true, false};
    if (refits) right.insert(right.end(), {false, true, false, true});
    if (!imp.empty()) right.insert(right.end(), {false, false});
    right.push_back(false);
    for (std::size_t j : order) {
        const auto& f = features[j];
        std::vector<std::string> r = {f.name, interval(f.mean_abs, f.mean_abs_lo, f.mean_abs_hi), fmt(f.mean),
                                      interval(f.mean_abs_per_sd, f.mean_abs_per_sd_lo, f.mean_abs_per_sd_hi)};
        if (refits) {
            const auto& q = refit["features"][j];
            r.push_back(interval(q["mean_over_fits"].get<double>(), q["refit_lo"].get<double>(), q["refit_hi"].get<double>()));
            r.push_back(fixed(100 * q["top3_share"].get<double>(), 0) + "%");
            r.push_back(std::to_string(q["rank_min"].get<std::size_t>()) + "-" + std::to_string(q["rank_max"].get<std::size_t>()) +
                        (q["unstable"].get<bool>() ? " !" : ""));
            r.push_back(fmt(q["baseline_per_sd"].get<double>()));
        }
        if (!imp.empty()) {
            const auto& p = imp.features[j];
            r.push_back(interval(p.rise, p.lo, p.hi));
            r.push_back(std::to_string(imp.jacobian_rank[j]) + "/" + std::to_string(imp.permutation_rank[j]) +
                        (imp.disagree[j] ? " DISAGREE" : ""));
        }
        r.push_back(g.group_of[j] < 0 ? "" : group_name(static_cast<std::size_t>(g.group_of[j])));
        table.push_back(r);
    }
    os << text_table(table, right);
    if (g.groups.empty()) return;
    os << "groups (|Spearman rho| >= " << fmt(g.threshold) << " on the training rows, single linkage); per SD along the "
       << "group's standardized direction:\n";
    std::vector<std::vector<std::string>> gt;
    gt.push_back({"group", "per SD [95% bootstrap]", "mean"});
    if (!imp.empty()) gt[0].push_back("shuffled together [95%]");
    gt[0].push_back("members");
    for (std::size_t k = 0; k < g.groups.size(); ++k) {
        const auto& s = g.sensitivity[k];
        std::vector<std::string> names;
        for (std::size_t m = 0; m < s.names.size(); ++m) names.push_back((g.groups[k].signs[m] < 0 ? "-" : "") + s.names[m]);
        std::vector<std::string> r = {group_name(k), interval(s.mean_abs, s.mean_abs_lo, s.mean_abs_hi), fmt(s.mean)};
        if (!imp.empty()) r.push_back(interval(imp.groups[k].rise, imp.groups[k].lo, imp.groups[k].hi));
        r.push_back(join(names, ", "));
        gt.push_back(r);
    }
    os << text_table(gt, {false, false, true, false, false});
    for (std::size_t k = 0; k < g.groups.size(); ++k)
        os << "  caveat: " << group_name(k) << " (" << join(g.sensitivity[k].names, ", ") << ") move together (|rho| >= "
           << fmt(g.groups[k].min_abs_rho, 4) << " within the group): the model may split their sensitivity among them "
           << "arbitrarily; read the group's line\n";
}

std::vector<std::string> group_notes(const TableGroups& g) {
    std::vector<std::string> notes;
    for (std::size_t k = 0; k < g.groups.size(); ++k)
        notes.push_back(group_name(k) + " (" + join(g.sensitivity[k].names, ", ") + ") move together (|rho| >= " +
                        fmt(g.groups[k].min_abs_rho, 4) + "): the model may split their sensitivity arbitrarily");
    return notes;
}

nlohmann::ordered_json groups_json(const TableGroups& g, const TableImportance& imp) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < g.groups.size(); ++k) {
        const auto& s = g.sensitivity[k];
        nlohmann::ordered_json j = {{"name", group_name(k)}, {"members", s.names}, {"signs", g.groups[k].signs},
                                    {"min_abs_rho", g.groups[k].min_abs_rho}, {"mean_abs_per_sd", s.mean_abs},
                                    {"mean_abs_per_sd_lo", s.mean_abs_lo}, {"mean_abs_per_sd_hi", s.mean_abs_hi},
                                    {"mean_per_sd", s.mean}};
        if (!imp.empty())
            j["permutation"] = {{"rise", imp.groups[k].rise}, {"lo", imp.groups[k].lo}, {"hi", imp.groups[k].hi}};
        list.push_back(j);
    }
    return {{"threshold", g.threshold}, {"correlation", "Spearman rho on the training rows"}, {"linkage", "single"},
            {"direction", "sum of the members' per-SD unit vectors, signed by rho, normalized to length 1"},
            {"list", list}};
}

nlohmann::ordered_json permutation_json(const TableImportance& imp, const std::vector<std::string>& names) {
    if (imp.empty()) return nullptr;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (std::size_t j = 0; j < imp.features.size(); ++j) {
        const auto& p = imp.features[j];
        list.push_back({{"feature", names[j]}, {"rise", p.rise}, {"lo", p.lo}, {"hi", p.hi}, {"repeat_lo", p.repeat_lo},
                        {"repeat_hi", p.repeat_hi}, {"rank_jacobian", imp.jacobian_rank[j]},
                        {"rank_permutation", imp.permutation_rank[j]}, {"disagree", bool(imp.disagree[j])}});
    }
    return {{"rows", imp.rows}, {"repeats", imp.repeats}, {"loss", imp.loss},
            {"interval", "95% percentile bootstrap over the held-out rows of the per-row rise averaged over the shuffles"},
            {"rank_limit", imp.limit}, {"features", list}};
}

}  // namespace app
