// sensitivity/probes/probe_io.cpp — turning a ProbeResult into CSV, JSON (nlohmann::ordered_json) and a terminal table.
// Atomic writes go through nn/atomic_file; nothing here computes statistics.
#include "sensitivity/probes/probe_io.hpp"

#include <cstdio>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "nn/atomic_file.hpp"

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
    nn::write_file_atomic(path, probe_csv(result));
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
        fit["significance"] = f.significance;
        fit["fit_range"] = {f.fit_range.lo, f.fit_range.hi};
        fit["df"] = f.df;                               // infinity is written as null (Normal marginal)
        fit["n_points"] = f.n_points;
        fit["fit_on"] = fit_on_name(f.on);
        fit["weights"] = f.on == FitOn::BinMeans ? bin_weights_name(f.weights) : "equal";
        fit["slope_floor"] = f.slope_floor;
        j["fit"] = std::move(fit);
    } else {
        j["fit"] = nullptr;
    }
    j["note"] = result.note;
    return j;
}

void write_probe_json(const ProbeResult& result, const std::string& path) {
    nn::write_file_atomic(path, probe_json(result).dump(2) + "\n");
}

void print_probe_summary(std::ostream& os, const std::vector<ProbeResult>& results) {
    char line[256];
    std::snprintf(line, sizeof line, "%-16s %11s  %-25s %-25s %s\n", "probe", "slope", "50% CI", "95% CI",
                  "significance");
    os << line;
    for (const ProbeResult& r : results) {
        if (!r.fit) {
            os << r.name << std::string(r.name.size() < 16 ? 17 - r.name.size() : 1, ' ') << "-  (" << r.note << ")\n";
            continue;
        }
        const ProbeFit& f = *r.fit;
        char ci50[64], ci95[64];
        std::snprintf(ci50, sizeof ci50, "[%.4g, %.4g]", f.ci50.lo, f.ci50.hi);
        std::snprintf(ci95, sizeof ci95, "[%.4g, %.4g]", f.ci95.lo, f.ci95.hi);
        std::snprintf(line, sizeof line, "%-16s %11.4g  %-25s %-25s %s\n", r.name.c_str(), f.slope, ci50, ci95,
                      f.significance.c_str());
        os << line;
    }
}

}  // namespace sensitivity::probes
