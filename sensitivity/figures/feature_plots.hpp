// sensitivity/figures/feature_plots.hpp — the figures of a table model: features ranked by sensitivity per SD with their bootstrap
// intervals (correlated features flagged), and per feature the gradient-dependence plot ∂y/∂x_j against x_j.
// Drawing only; the numbers come from sensitivity/tables/features.hpp.
#pragma once

#include <string>
#include <vector>

#include "sensitivity/tables/features.hpp"

namespace sensitivity::figures {

// Horizontal bars, largest on top: mean |∂y/∂x_j| · sd_j with its 95% interval; each bar is labelled with the per-unit
// value. A feature with correlated partners (a non-empty correlated_with) gets a '*'; `notes` are footnotes under the
// axis, one line each (the table mode writes one per group of correlated features).
// `target` names the output in the title (e.g. "y", or "log-odds of the predicted class").
void feature_bars_png(const std::string& path, const std::vector<tables::FeatureSensitivity>& features,
                      const std::vector<std::string>& notes, const std::string& target);

// Points (x_j of row n, ∂y/∂x_j of row n) and a dashed zero line; the title gives mean |J| and mean J.
void dependence_png(const std::string& path, const sensitivity::tables::FeatureSensitivity& feature, const std::vector<double>& x,
                    const std::vector<double>& dydx, const std::string& target);

}  // namespace sensitivity::figures
