// sensitivity/figures/probe_plot.hpp — the figure of one probe: mean correct-class score ± 1 sd with the fitted slope, and accuracy.
// Turns a ProbeCurve (plain numbers, probe_curve.hpp) into a LinePlotFigure (lineplot.hpp draws it); no statistics here.
#pragma once

#include <string>

#include "sensitivity/figures/lineplot.hpp"
#include "sensitivity/figures/probe_figure_data.hpp"

namespace sensitivity::figures {

// Two panels sharing the x axis (p):
//   top:    mean score per row with ±1 sd error bars (plain points when there are more than 200 rows, e.g. no
//           binning); the fitted line over the fit range, dashed; two shaded fans, the 50% and 95% credible
//           intervals of the SLOPE pivoting about the fitted points' mean p (they show the slope's uncertainty only,
//           not the intercept's); a grey span marking the fit range when it is narrower than the rows' p range.
//   bottom: accuracy per row.
// A categorical curve's points (the class probe) are not joined by lines (classes have no order).
//   A perturbation curve that halves gets a red marker at its half-point (the p where the mean score reaches half
//   its first value) and a red span for that point's 95% interval (to the last row when the upper end is open).
// The title gives the slope, its 95% interval and the significance, and says when the line misfits the rows (the fit's
// legend entry then shows χ²/dof); or it says that there is no slope.
LinePlotFigure probe_figure(const ProbeCurve& curve);

// probe_figure drawn into the PNG `path` (written atomically by lineplot_png).
void probe_plot_png(const std::string& path, const ProbeCurve& curve, int width = 900, int height = 640);

}  // namespace sensitivity::figures
