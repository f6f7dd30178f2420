// sensitivity/probes/probe_io.hpp — probe results as files and text: a CSV table, a JSON document, a terminal summary.
// Formatting only (files are written to a temporary name and renamed); the probes themselves are probe.hpp.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "sensitivity/probes/probe.hpp"

namespace sensitivity::probes {

// The table: header `p,n,mean_score,std_score,accuracy`, then one line per row (10 significant digits).
std::string probe_csv(const ProbeResult& result);
void write_probe_csv(const ProbeResult& result, const std::string& path);

// {"name", "kind", "units", "binning" (null unless a property probe), "n_examples",
//  "rows": [{"p", "n", "mean_score", "std_score", "accuracy"}, ...],
//  "fit": {"slope", "intercept", "ci50": [lo, hi], "ci95": [lo, hi], "significance", "fit_range": [lo, hi],
//          "df" (null = Normal, known noise), "n_points", "fit_on", "weights", "slope_floor"} or null,
//  "note"}
nlohmann::ordered_json probe_json(const ProbeResult& result);
void write_probe_json(const ProbeResult& result, const std::string& path);   // indented by 2

// One line per probe: name, slope, 50% CI, 95% CI, significance (the class probe says why it has no slope).
void print_probe_summary(std::ostream& os, const std::vector<ProbeResult>& results);

}  // namespace sensitivity::probes
