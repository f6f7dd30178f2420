// sensitivity/figures/probe_plot.cpp — laying out a probe's table and fit as line-plot data: series, slope fans, the fit range.
// Drawing (PLplot) is lineplot.cpp's job; the numbers all come from the ProbeCurve.
#include "sensitivity/figures/probe_plot.hpp"

#include <algorithm>
#include <cstdio>

namespace sensitivity::figures {

namespace {

// The region between the lines of slope lo and hi through (pivot_x, pivot_y), over [x0, x1].
Band slope_fan(const std::string& label, const CurveRange& slope, double pivot_x, double pivot_y, double x0, double x1,
               double alpha) {
    Band b;
    b.label = label;
    b.colour = Rgb{31, 119, 180};
    b.alpha = alpha;
    const int steps = 48;                                  // fine enough that the kink at the pivot stays sharp
    for (int i = 0; i <= steps; ++i) {
        const double x = x0 + (x1 - x0) * i / steps, dx = x - pivot_x;
        b.x.push_back(x);
        b.lo.push_back(pivot_y + std::min(slope.lo * dx, slope.hi * dx));
        b.hi.push_back(pivot_y + std::max(slope.lo * dx, slope.hi * dx));
    }
    return b;
}

}  // namespace

LinePlotFigure probe_figure(const ProbeCurve& r) {
    LinePlotFigure f;
    const bool categorical = r.categorical;
    f.xlabel = categorical ? "true class" : r.name + (r.units.empty() ? "" : " (" + r.units + ")");
    char title[320];
    if (r.fit)
        std::snprintf(title, sizeof title, "%s: slope %.3g per unit, 95%% CI [%.3g, %.3g], significance %s%s",
                      r.name.c_str(), r.fit->slope, r.fit->ci95.lo, r.fit->ci95.hi, r.fit->significance.c_str(),
                      r.fit->misfit ? " - the line MISFITS (see lack of fit)" : "");
    else
        std::snprintf(title, sizeof title, "%s: no slope (%s)", r.name.c_str(),
                      categorical ? "categorical" : "no fit");
    f.title = title;

    Series mean;
    mean.label = "mean score";
    Series accuracy;
    accuracy.label = "accuracy";
    // Classes have no order, so their points are not joined by lines.
    accuracy.marks = categorical ? Marks::Points : Marks::LinesPoints;
    const bool many = r.rows.size() > 200;
    mean.marks = many || categorical ? Marks::Points : Marks::LinesPoints;
    if (!many) mean.label += " ± 1 sd";
    for (const CurveRow& row : r.rows) {
        mean.x.push_back(row.p);
        mean.y.push_back(row.mean_score);
        if (!many) mean.yerr.push_back(row.std_score);
        accuracy.x.push_back(row.p);
        accuracy.y.push_back(row.accuracy);
    }

    PlotPanel score;
    score.ylabel = "correct-class score";
    score.ymin = 0;
    score.ymax = 1;
    score.legend = LegendAt::BottomLeft;
    if (r.fit && !r.rows.empty()) {
        const CurveFit& fit = *r.fit;
        const double x0 = fit.fit_range.lo, x1 = fit.fit_range.hi;
        const double pivot_y = fit.intercept + fit.slope * fit.x_mean;
        score.bands.push_back(slope_fan("95% slope interval", fit.ci95, fit.x_mean, pivot_y, x0, x1, 0.18));
        score.bands.push_back(slope_fan("50% slope interval", fit.ci50, fit.x_mean, pivot_y, x0, x1, 0.30));
        Series line;
        char fit_label[96];
        if (fit.misfit && fit.lack_of_fit)
            std::snprintf(fit_label, sizeof fit_label, "fit (misfits: chi2/dof %.3g)", *fit.lack_of_fit);
        else
            std::snprintf(fit_label, sizeof fit_label, "fit");
        line.label = fit_label;
        line.x = {x0, x1};
        line.y = {fit.intercept + fit.slope * x0, fit.intercept + fit.slope * x1};
        line.colour = Rgb{31, 119, 180};
        line.dashed = true;
        score.series.push_back(line);
        double lo = r.rows.front().p, hi = r.rows.front().p;
        for (const CurveRow& row : r.rows) {
            lo = std::min(lo, row.p);
            hi = std::max(hi, row.p);
        }
        if (x0 > lo || x1 < hi) {
            XSpan span;
            span.label = "fit range";
            span.from = x0;
            span.to = x1;
            score.spans.push_back(span);
        }
    }
    if (r.half_score && r.half_score->point) {
        // The half-point: a marker where the curve crosses half its starting value, its 95% interval as a span.
        const CurveHalf& h = *r.half_score;
        char label[96];
        std::snprintf(label, sizeof label, "half-point %.3g", *h.point);
        Series mark;
        mark.label = label;
        mark.x = {*h.point};
        mark.y = {h.level};
        mark.marks = Marks::Points;
        mark.colour = Rgb{214, 39, 40};
        score.series.push_back(mark);
        XSpan span;
        span.label = "half-point 95% CI";
        span.from = h.lo ? *h.lo : *h.point;
        span.to = h.hi ? *h.hi : r.rows.back().p;
        span.colour = Rgb{214, 39, 40};
        span.alpha = 0.2;
        if (span.from < span.to) score.spans.push_back(span);      // a zero-width interval: the point alone shows it
    }
    mean.colour = Rgb{0, 0, 0};
    score.series.push_back(mean);

    PlotPanel acc;
    acc.ylabel = "accuracy";
    acc.ymin = 0;
    acc.ymax = 1;
    acc.legend = LegendAt::None;
    acc.height_ratio = 0.6;
    acc.series.push_back(accuracy);
    f.panels = {score, acc};
    return f;
}

void probe_plot_png(const std::string& path, const ProbeCurve& curve, int width, int height) {
    LinePlotFigure f = probe_figure(curve);
    f.width = width;
    f.height = height;
    lineplot_png(path, f);
}

}  // namespace sensitivity::figures
