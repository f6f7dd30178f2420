// sensitivity/probes/probe_curve.cpp — copying a ProbeResult's rows and fit into the figure's plain ProbeCurve.
// Nothing is computed here: the statistics are probe.cpp's, the layout probe_plot.cpp's.
#include "sensitivity/probes/probe_curve.hpp"

namespace sensitivity::probes {

figures::ProbeCurve probe_curve(const ProbeResult& r) {
    figures::ProbeCurve c;
    c.name = r.name;
    c.units = r.units;
    c.categorical = r.kind == "class";
    for (const ProbeRow& row : r.rows) c.rows.push_back({row.p, row.mean_score, row.std_score, row.accuracy});
    if (r.fit) {
        const ProbeFit& f = *r.fit;
        c.fit = figures::CurveFit{f.slope,        f.intercept, {f.ci50.lo, f.ci50.hi}, {f.ci95.lo, f.ci95.hi},
                                  f.significance, {f.fit_range.lo, f.fit_range.hi},    f.x_mean};
    }
    return c;
}

}  // namespace sensitivity::probes
