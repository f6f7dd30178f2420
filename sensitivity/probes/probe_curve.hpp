// sensitivity/probes/probe_curve.hpp — a ProbeResult as the plain numbers its figure draws (sensitivity/figures/probe_plot.hpp).
// Copies only; the figures library stays free of probe types, and the probes library free of PLplot.
#pragma once

#include "sensitivity/figures/probe_figure_data.hpp"
#include "sensitivity/probes/probe.hpp"

namespace sensitivity::probes {

// The rows, the fit (when there is one) and the labels of `result`; the class probe is categorical.
figures::ProbeCurve probe_curve(const ProbeResult& result);

}  // namespace sensitivity::probes
