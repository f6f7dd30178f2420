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
        figures::CurveFit cf;
        cf.slope = f.slope;
        cf.intercept = f.intercept;
        cf.ci50 = {f.ci50.lo, f.ci50.hi};
        cf.ci95 = {f.ci95.lo, f.ci95.hi};
        cf.significance = f.significance;
        cf.fit_range = {f.fit_range.lo, f.fit_range.hi};
        cf.x_mean = f.x_mean;
        c.fit = cf;
        if (f.lack_of_fit) {
            c.fit->lack_of_fit = f.lack_of_fit->chi2_per_dof;
            c.fit->misfit = f.lack_of_fit->misfit();
        }
    }
    if (r.half_score) c.half_score = figures::CurveHalf{r.half_score->level, r.half_score->point, r.half_score->lo,
                                                        r.half_score->hi};
    return c;
}

}  // namespace sensitivity::probes
