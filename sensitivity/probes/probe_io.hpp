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
//  "fit": {"slope", "intercept", "ci50": [lo, hi], "ci95": [lo, hi], "interval" (the method), "df" (null = Normal),
//          "naive_ci95": [lo, hi] (every point independent), "lack_of_fit" (χ²/dof of the rows around the line, or
//          null), "lack_of_fit_dof", "lack_of_fit_p", "misfit", "lack_of_fit_variance" ("pooled within-row"),
//          "lack_of_fit_pooled_sd", "lack_of_fit_flat_rows" (p of the rows without spread of their own), "significance" ("high" | "uncertain" | "negligible"),
//          "floor" (per unit of p), "score_floor", "fit_range": [lo, hi], "n_points", "fit_on", "weights"} or null,
//  perturbation probes only: "half_point", "half_point_ci95": [lo, hi], "half_point_level", and the same three with
//  "half_point_accuracy"; a null number means "does not halve within the probed strengths",
//  "note"}
nlohmann::ordered_json probe_json(const ProbeResult& result);
void write_probe_json(const ProbeResult& result, const std::string& path);   // indented by 2

// The half-point keys of probe_json, added to `j` (the train-and-explain summary uses them too).
void add_half_points(nlohmann::ordered_json& j, const ProbeResult& result);

// One line per probe: name, slope, 95% CI, its width over the naive interval's, significance, lack of fit (χ²/dof,
// "MISFIT" when flagged) and the score's half-point with its interval (the class probe says why it has no slope); the
// name column is as wide as the longest name. After the table, one line per probe with bins without spread.
void print_probe_summary(std::ostream& os, const std::vector<ProbeResult>& results);

}  // namespace sensitivity::probes
