// sensitivity/figures/feature_plots.cpp — the ranked bar chart (drawn in page pixels on a Figure) and the dependence scatter
// (a LinePlotFigure). Nothing is computed here except positions.
#include "sensitivity/figures/feature_plots.hpp"
#include "sensitivity/figures/ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <plstream.h>

#include "sensitivity/figures/figure.hpp"
#include "sensitivity/figures/lineplot.hpp"

namespace sensitivity::figures {

namespace {
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}
}  // namespace

void feature_bars_png(const std::string& path, const std::vector<tables::FeatureSensitivity>& features,
                      const std::vector<std::string>& notes, const std::string& target) {
    const std::vector<std::size_t> order = tables::rank_by_per_sd(features);
    const double row_h = 34, top = 70, bottom = 70 + 18.0 * static_cast<double>(notes.size());
    const int W = 900, H = static_cast<int>(top + bottom + row_h * static_cast<double>(std::max<std::size_t>(order.size(), 1)));
    const double x0 = 220, x1 = W - 150.0;   // the bars' area, in page pixels from the left
    double vmax = 0;
    for (const auto& f : features) vmax = std::max(vmax, f.mean_abs_per_sd_hi);
    if (!(vmax > 0)) vmax = 1;
    const auto px = [&](double v) { return x0 + (x1 - x0) * v / vmax; };

    Figure fig(path, W, H);
    plstream& pls = fig.pls();
    fig.viewport({0, 0, static_cast<double>(W), static_cast<double>(H)});
    pls.wind(0, W, 0, H);                                   // page pixels, y upward
    const auto y = [&](double from_top) { return H - from_top; };
    fig.ink();
    fig.fit_text("Sensitivity of " + target + " per SD of each feature (mean |J|·sd, 95% bootstrap interval)", 16, W - 40);
    pls.ptex(W / 2.0, y(30), 1, 0, 0.5,
             ("Sensitivity of " + target + " per SD of each feature (mean |J|·sd, 95% bootstrap interval)").c_str());
    fig.text_height(13);
    for (std::size_t k = 0; k < order.size(); ++k) {
        const tables::FeatureSensitivity& f = features[order[k]];
        const double yc = top + row_h * (static_cast<double>(k) + 0.5);
        fig.pen({31, 119, 180});
        PLFLT bx[4] = {px(0), px(f.mean_abs_per_sd), px(f.mean_abs_per_sd), px(0)};
        PLFLT by[4] = {y(yc - 10), y(yc - 10), y(yc + 10), y(yc + 10)};
        pls.fill(4, bx, by);
        fig.ink();
        pls.width(2);
        pls.join(px(f.mean_abs_per_sd_lo), y(yc), px(f.mean_abs_per_sd_hi), y(yc));
        for (double e : {f.mean_abs_per_sd_lo, f.mean_abs_per_sd_hi}) pls.join(px(e), y(yc - 6), px(e), y(yc + 6));
        pls.width(1);
        std::string label = f.name + (f.correlated_with.empty() ? "" : " *");
        if (!f.correlated_with.empty()) fig.pen({200, 30, 30});
        fig.fit_text(label, 13, x0 - 20);
        pls.ptex(x0 - 10, y(yc + 5), 1, 0, 1.0, label.c_str());
        fig.ink();
        fig.text_height(11);
        pls.ptex(px(f.mean_abs_per_sd_hi) + 8, y(yc + 4), 1, 0, 0.0, (num(f.mean_abs) + " per unit").c_str());
        fig.text_height(13);
    }
    // x axis, ticks on round numbers (ticks.hpp)
    const double axis_y = top + row_h * static_cast<double>(order.size()) + 4;
    pls.join(x0, y(axis_y), x1, y(axis_y));
    for (double v : nice_ticks(0, vmax, 6)) {
        pls.join(px(v), y(axis_y), px(v), y(axis_y + 5));
        pls.ptex(px(v), y(axis_y + 20), 1, 0, 0.5, num(v).c_str());
    }
    pls.ptex((x0 + x1) / 2, y(axis_y + 42), 1, 0, 0.5, ("change of " + target + " per SD of the feature").c_str());
    for (std::size_t i = 0; i < notes.size(); ++i) {
        const std::string note = "* " + notes[i];
        fig.pen({200, 30, 30});
        fig.fit_text(note, 12, W - 40);
        pls.ptex(20, y(axis_y + 62 + 18.0 * static_cast<double>(i)), 1, 0, 0.0, note.c_str());
    }
    fig.check();
    fig.finish();
}

void dependence_png(const std::string& path, const tables::FeatureSensitivity& f, const std::vector<double>& x,
                    const std::vector<double>& dydx, const std::string& target) {
    LinePlotFigure fig;
    fig.title = "∂" + target + "/∂" + f.name + " against " + f.name + ": mean |J| " + num(f.mean_abs) + ", mean J " +
                num(f.mean) + (f.correlated_with.empty() ? "" : "  (* correlated with another feature)");
    fig.xlabel = f.name;
    PlotPanel p;
    p.ylabel = "∂" + target + "/∂" + f.name;
    p.legend = LegendAt::None;
    Series s;
    s.x = x;
    s.y = dydx;
    s.marks = Marks::Points;
    p.series.push_back(s);
    if (!x.empty()) {
        const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
        Series zero;
        zero.x = {*lo, *hi};
        zero.y = {0, 0};
        zero.dashed = true;
        zero.line_width = 1;
        zero.colour = Rgb{128, 128, 128};
        p.series.push_back(zero);
    }
    fig.panels.push_back(p);
    lineplot_png(path, fig);
}

}  // namespace sensitivity::figures
