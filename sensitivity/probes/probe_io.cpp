// sensitivity/probes/probe_io.cpp — turning a ProbeResult into CSV, JSON (nlohmann::ordered_json) and a terminal table.
// Atomic writes go through nn/atomic_file; nothing here computes statistics.
#include "sensitivity/probes/probe_io.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "nn/training/atomic_file.hpp"

namespace sensitivity::probes {

std::string probe_csv(const ProbeResult& result) {
    std::ostringstream os;
    os.precision(10);
    os << "p,n,mean_score,std_score,accuracy\n";
    for (const ProbeRow& r : result.rows)
        os << r.p << ',' << r.n << ',' << r.mean_score << ',' << r.std_score << ',' << r.accuracy << '\n';
    return os.str();
}

void write_probe_csv(const ProbeResult& result, const std::string& path) {
    nn::training::write_file_atomic(path, probe_csv(result));
}

namespace {

nlohmann::ordered_json optional_number(const std::optional<double>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

void add_half_points(nlohmann::ordered_json& j, const ProbeResult& result) {
    using json = nlohmann::ordered_json;
    auto put = [&](const std::string& key, const std::optional<HalfPoint>& h) {
        if (!h) {
            j[key] = nullptr;
            j[key + "_ci95"] = nullptr;
            return;
        }
        j[key] = optional_number(h->point);
        j[key + "_ci95"] = json::array({optional_number(h->lo), optional_number(h->hi)});
        j[key + "_level"] = h->level;
    };
    put("half_point", result.half_score);
    put("half_point_accuracy", result.half_accuracy);
}

nlohmann::ordered_json probe_json(const ProbeResult& result) {
    using json = nlohmann::ordered_json;
    json j;
    j["name"] = result.name;
    j["kind"] = result.kind;
    j["units"] = result.units;
    if (result.binning.empty()) j["binning"] = nullptr;
    else j["binning"] = result.binning;
    j["n_examples"] = result.n_examples;
    json rows = json::array();
    for (const ProbeRow& r : result.rows)
        rows.push_back(json{{"p", r.p}, {"n", r.n}, {"mean_score", r.mean_score}, {"std_score", r.std_score},
                            {"accuracy", r.accuracy}});
    j["rows"] = std::move(rows);
    if (result.fit) {
        const ProbeFit& f = *result.fit;
        json fit;
        fit["slope"] = f.slope;
        fit["intercept"] = f.intercept;
        fit["ci50"] = {f.ci50.lo, f.ci50.hi};
        fit["ci95"] = {f.ci95.lo, f.ci95.hi};
        fit["interval"] = f.interval;
        fit["df"] = f.df;                               // infinity is written as null (Normal marginal)
        fit["naive_ci95"] = {f.naive_ci95.lo, f.naive_ci95.hi};
        if (f.lack_of_fit) {
            fit["lack_of_fit"] = f.lack_of_fit->chi2_per_dof;
            fit["lack_of_fit_dof"] = f.lack_of_fit->dof;
            fit["lack_of_fit_p"] = f.lack_of_fit->p_value;
            fit["misfit"] = f.lack_of_fit->misfit();
            fit["lack_of_fit_variance"] = "pooled within-row";
            fit["lack_of_fit_pooled_sd"] = f.lack_of_fit->pooled_sd;
            fit["lack_of_fit_flat_rows"] = f.lack_of_fit->flat_rows;
        } else {
            fit["lack_of_fit"] = nullptr;
            fit["lack_of_fit_dof"] = nullptr;
            fit["lack_of_fit_p"] = nullptr;
            fit["misfit"] = false;
        }
        fit["significance"] = f.significance;
        fit["floor"] = f.floor;
        fit["score_floor"] = f.score_floor;
        fit["fit_range"] = {f.fit_range.lo, f.fit_range.hi};
        fit["n_points"] = f.n_points;
        fit["fit_on"] = fit_on_name(f.on);
        fit["weights"] = f.on == FitOn::BinMeans ? bin_weights_name(f.weights) : "equal";
        j["fit"] = std::move(fit);
    } else {
        j["fit"] = nullptr;
    }
    if (result.kind == "perturbation") add_half_points(j, result);
    j["note"] = result.note;
    return j;
}

void write_probe_json(const ProbeResult& result, const std::string& path) {
    nn::training::write_file_atomic(path, probe_json(result).dump(2) + "\n");
}

void print_probe_summary(std::ostream& os, const std::vector<ProbeResult>& results) {
    // The name column is as wide as the longest name (at least 19), so every row's numbers start at the same column.
    int name_w = 19;
    for (const ProbeResult& r : results) name_w = std::max(name_w, static_cast<int>(r.name.size()));
    char line[640];
    std::snprintf(line, sizeof line, "%-*s %10s  %-24s %7s  %-12s %-16s %s\n", name_w, "probe", "slope", "95% CI", "/naive",
                  "significance", "lack of fit", "half-point [95% CI]");
    os << line;
    auto num = [](const std::optional<double>& v) {
        char b[32];
        if (v) std::snprintf(b, sizeof b, "%.3g", *v);
        else std::snprintf(b, sizeof b, "-");
        return std::string(b);
    };
    for (const ProbeResult& r : results) {
        if (!r.fit) {
            os << r.name << std::string(static_cast<std::size_t>(name_w) + 1 - r.name.size(), ' ') << "-  (" << r.note << ")\n";
            continue;
        }
        const ProbeFit& f = *r.fit;
        char ci95[64], ratio[16], lof[32], half[64];
        std::snprintf(ci95, sizeof ci95, "[%.4g, %.4g]", f.ci95.lo, f.ci95.hi);
        const double naive = f.naive_ci95.hi - f.naive_ci95.lo;
        std::snprintf(ratio, sizeof ratio, "%.2fx", naive > 0 ? (f.ci95.hi - f.ci95.lo) / naive : 1.0);
        if (f.lack_of_fit)
            std::snprintf(lof, sizeof lof, "%.3g%s", f.lack_of_fit->chi2_per_dof, f.lack_of_fit->misfit() ? " MISFIT" : "");
        else
            std::snprintf(lof, sizeof lof, "-");
        if (r.half_score && !r.half_score->point)
            std::snprintf(half, sizeof half, "never (in range)");
        else if (r.half_score)
            std::snprintf(half, sizeof half, "%s [%s, %s]", num(r.half_score->point).c_str(), num(r.half_score->lo).c_str(),
                          num(r.half_score->hi).c_str());
        else
            std::snprintf(half, sizeof half, "-");
        std::snprintf(line, sizeof line, "%-*s %10.4g  %-24s %7s  %-12s %-16s %s\n", name_w, r.name.c_str(), f.slope, ci95, ratio,
                      f.significance.c_str(), lof, half);
        os << line;
    }
    for (const ProbeResult& r : results)   // rows that would have had no variance of their own: kept, with the pool's
        if (r.fit && r.fit->lack_of_fit && !r.fit->lack_of_fit->flat_rows.empty()) {
            const auto& flat = r.fit->lack_of_fit->flat_rows;
            os << "  " << r.name << ": " << flat.size() << " of " << r.rows.size() << " bins without spread (n < 2 or sd < 0.1 x pooled sd "
               << num(r.fit->lack_of_fit->pooled_sd) << ") at p =";
            for (std::size_t k = 0; k < flat.size() && k < 6; ++k) os << (k ? ", " : " ") << num(flat[k]);
            os << (flat.size() > 6 ? ", ..." : "") << "; kept in the lack of fit with the pooled variance\n";
        }
}

}  // namespace sensitivity::probes
