// sensitivity/probe_plot.hpp — the figure of one probe: mean correct-class score ± 1 sd with the fitted slope, and accuracy.
// Turns a ProbeResult into a LinePlotFigure (sensitivity/lineplot.hpp draws it); no statistics are computed here.
#pragma once

#include <string>

#include "sensitivity/lineplot.hpp"
#include "sensitivity/probe.hpp"

namespace sensitivity {

// Two panels sharing the x axis (p):
//   top:    mean score per row with ±1 sd error bars (plain points when there are more than 200 rows, e.g. no
//           binning); the fitted line over the fit range, dashed; two shaded fans, the 50% and 95% credible
//           intervals of the SLOPE pivoting about the fitted points' mean p (they show the slope's uncertainty only,
//           not the intercept's); a grey span marking the fit range when it is narrower than the rows' p range.
//   bottom: accuracy per row.
// The class probe's points are not joined by lines (classes have no order).
// The title gives the slope, its 95% interval and the significance, or says that there is no slope.
LinePlotFigure probe_figure(const ProbeResult& result);

// probe_figure drawn into the PNG `path` (written atomically by lineplot_png).
void probe_plot_png(const std::string& path, const ProbeResult& result, int width = 900, int height = 640);

}  // namespace sensitivity
