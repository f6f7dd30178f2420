// sensitivity/figures/lineplot.cpp — stacked x–y panels with PLplot: spans, bands, series with error bars, legends.
// Not for statistics: fitted lines and credible bands arrive as data (see sensitivity/ probes).
#include "sensitivity/figures/lineplot.hpp"
#include "sensitivity/figures/ticks.hpp"

#include <plplot.h>
#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "sensitivity/figures/figure.hpp"

namespace sensitivity::figures {

namespace {

// Pixel sizes of the fixed parts of the layout.
constexpr double kLeft = 92;          // y tick numbers and the y label
constexpr double kRight = 28;
constexpr double kFigureTitle = 48;
constexpr double kNoTitle = 16;
constexpr double kPanelTitle = 30;    // above a panel with a title
constexpr double kPanelGap = 16;      // above a panel without one
constexpr double kBottom = 62;        // x tick numbers and the x label
constexpr const char* kDot = "●";     // the point marker (DejaVu Sans has it)

struct Range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool empty() const { return !(lo <= hi); }
};

std::string where(std::size_t panel, const std::string& what, std::size_t index, const std::string& label) {
    return "lineplot panel " + std::to_string(panel) + ", " + what + " " + std::to_string(index) +
           (label.empty() ? "" : " (\"" + label + "\")");
}

void need_finite(const std::vector<double>& v, const std::string& name, const char* field) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            throw std::invalid_argument(name + ": " + field + "[" + std::to_string(i) + "] is not finite");
}

void need_positive(const std::vector<double>& v, const std::string& name, const char* field, const char* axis) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!(v[i] > 0))
            throw std::invalid_argument(name + ": " + field + "[" + std::to_string(i) + "] = " +
                                        std::to_string(v[i]) + " cannot be drawn on a log " + axis + " axis");
}

void validate(const LinePlotFigure& f) {
    if (f.panels.empty()) throw std::invalid_argument("lineplot: the figure has no panels");
    if (f.xmin && f.xmax && !(*f.xmin < *f.xmax)) throw std::invalid_argument("lineplot: xmin must be below xmax");
    for (std::size_t p = 0; p < f.panels.size(); ++p) {
        const PlotPanel& panel = f.panels[p];
        if (panel.ymin && panel.ymax && !(*panel.ymin < *panel.ymax))
            throw std::invalid_argument("lineplot panel " + std::to_string(p) + ": ymin must be below ymax");
        if (!(panel.height_ratio > 0))
            throw std::invalid_argument("lineplot panel " + std::to_string(p) + ": height_ratio must be > 0");
        for (std::size_t i = 0; i < panel.series.size(); ++i) {
            const Series& s = panel.series[i];
            const std::string name = where(p, "series", i, s.label);
            if (s.x.size() != s.y.size() || (!s.yerr.empty() && s.yerr.size() != s.y.size()))
                throw std::invalid_argument(name + ": x, y, yerr have lengths " + std::to_string(s.x.size()) + ", " +
                                            std::to_string(s.y.size()) + ", " + std::to_string(s.yerr.size()) +
                                            " (yerr may be empty)");
            need_finite(s.x, name, "x");
            need_finite(s.y, name, "y");
            need_finite(s.yerr, name, "yerr");
            if (f.log_x) need_positive(s.x, name, "x", "x");
            if (panel.log_y) need_positive(s.y, name, "y", "y");
            for (std::size_t k = 0; k < s.yerr.size(); ++k)
                if (s.yerr[k] < 0) throw std::invalid_argument(name + ": yerr[" + std::to_string(k) + "] is negative");
        }
        for (std::size_t i = 0; i < panel.bands.size(); ++i) {
            const Band& b = panel.bands[i];
            const std::string name = where(p, "band", i, b.label);
            if (b.x.size() < 2 || b.lo.size() != b.x.size() || b.hi.size() != b.x.size())
                throw std::invalid_argument(name + ": x, lo, hi have lengths " + std::to_string(b.x.size()) + ", " +
                                            std::to_string(b.lo.size()) + ", " + std::to_string(b.hi.size()) +
                                            " (equal, at least 2)");
            need_finite(b.x, name, "x");
            need_finite(b.lo, name, "lo");
            need_finite(b.hi, name, "hi");
            if (f.log_x) need_positive(b.x, name, "x", "x");
            if (panel.log_y) need_positive(b.lo, name, "lo", "y");
            if (!(b.alpha >= 0 && b.alpha <= 1)) throw std::invalid_argument(name + ": alpha must be in [0, 1]");
        }
        for (std::size_t i = 0; i < panel.spans.size(); ++i) {
            const XSpan& s = panel.spans[i];
            const std::string name = where(p, "span", i, s.label);
            if (!std::isfinite(s.from) || !std::isfinite(s.to) || !(s.from < s.to))
                throw std::invalid_argument(name + ": needs finite from < to");
            if (f.log_x && !(s.from > 0)) throw std::invalid_argument(name + ": from must be > 0 on a log x axis");
            if (!(s.alpha >= 0 && s.alpha <= 1)) throw std::invalid_argument(name + ": alpha must be in [0, 1]");
        }
    }
}

// Log axes are drawn by plotting log10 of the data with PLplot's "l" box option.
double to_axis(double v, bool log) { return log ? std::log10(v) : v; }

std::vector<PLFLT> to_axis(const std::vector<double>& v, bool log) {
    std::vector<PLFLT> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = to_axis(v[i], log);
    return out;
}

// Data limits with a 4% margin; explicit limits win. A degenerate range is widened.
std::pair<double, double> pad(Range r, std::optional<double> lo, std::optional<double> hi, bool log,
                              const std::string& name) {
    if (r.empty() && !(lo && hi)) throw std::invalid_argument(name + ": nothing to draw and no axis limits given");
    if (r.empty()) r = {to_axis(*lo, log), to_axis(*hi, log)};
    if (r.lo == r.hi) {
        r.lo -= 0.5;
        r.hi += 0.5;
    }
    const double m = 0.04 * (r.hi - r.lo);
    return {lo ? to_axis(*lo, log) : r.lo - m, hi ? to_axis(*hi, log) : r.hi + m};
}

std::pair<double, double> x_limits(const LinePlotFigure& f) {
    Range r;
    for (const PlotPanel& p : f.panels) {
        for (const Series& s : p.series)
            for (double x : s.x) r.add(to_axis(x, f.log_x));
        for (const Band& b : p.bands)
            for (double x : b.x) r.add(to_axis(x, f.log_x));
        for (const XSpan& s : p.spans) {
            r.add(to_axis(s.from, f.log_x));
            r.add(to_axis(s.to, f.log_x));
        }
    }
    return pad(r, f.xmin, f.xmax, f.log_x, "lineplot x axis");
}

std::pair<double, double> y_limits(const PlotPanel& p, std::size_t index) {
    Range r;
    for (const Series& s : p.series)
        for (std::size_t i = 0; i < s.y.size(); ++i) {
            const double e = s.yerr.empty() ? 0 : s.yerr[i];
            r.add(to_axis(p.log_y ? std::max(s.y[i] - e, s.y[i] * 1e-3) : s.y[i] - e, p.log_y));
            r.add(to_axis(s.y[i] + e, p.log_y));
        }
    for (const Band& b : p.bands)
        for (std::size_t i = 0; i < b.x.size(); ++i) {
            r.add(to_axis(b.lo[i], p.log_y));
            r.add(to_axis(b.hi[i], p.log_y));
        }
    return pad(r, p.ymin, p.ymax, p.log_y, "lineplot panel " + std::to_string(index));
}

// Tick numbers of a log axis spanning log10 values lo..hi: 1, 2, 5 × 10^k when it covers under 2.5 decades
// (PLplot's own "l" option would label only the powers of ten, often a single number), else the powers of ten.
std::vector<double> log_ticks(double lo, double hi) {
    const bool fine = hi - lo < 2.5;
    std::vector<double> out;
    for (int k = static_cast<int>(std::floor(lo)); k <= static_cast<int>(std::ceil(hi)); ++k)
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1.0 && !fine) continue;
            const double v = std::log10(m) + k;
            if (v >= lo - 1e-9 && v <= hi + 1e-9) out.push_back(v);
        }
    return out;
}

std::string number(double log_value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", std::pow(10.0, log_value));
    return buf;
}

// The tick numbers of log axes, written in page pixels just outside the panel `area` (PLplot clips text to the
// viewport, so they cannot be written in the panel's own coordinates). Leaves the page viewport set.
void log_labels(Figure& fig, const PixelRect& area, std::pair<double, double> xs, std::pair<double, double> ys,
                bool x_axis, bool y_axis) {
    plstream& pls = fig.pls();
    const double h = fig.height();
    fig.viewport({0, 0, static_cast<double>(fig.width()), h});
    pls.wind(0, fig.width(), 0, h);
    if (y_axis)
        for (double v : log_ticks(ys.first, ys.second)) {
            const double y = area.y1 - (v - ys.first) / (ys.second - ys.first) * area.height();
            pls.ptex(area.x0 - 8, h - y - 5, 1, 0, 1.0, number(v).c_str());
        }
    if (x_axis)
        for (double v : log_ticks(xs.first, xs.second)) {
            const double x = area.x0 + (v - xs.first) / (xs.second - xs.first) * area.width();
            pls.ptex(x, h - area.y1 - 20, 1, 0, 0.5, number(v).c_str());
        }
}

// One legend entry: PLplot's legend takes parallel arrays, built here one entry at a time.
struct Legend {
    std::vector<PLINT> opt, text_colour, box_colour, box_pattern, line_colour, line_style, symbol_colour, symbol_count;
    std::vector<PLFLT> box_scale, box_width, line_width, symbol_scale;
    std::vector<std::string> text, symbol;

    void add(const std::string& label, PLINT options, PLINT colour, double width = 1, bool dashed = false) {
        opt.push_back(options);
        text.push_back(label);
        text_colour.push_back(1);
        box_colour.push_back(colour);
        box_pattern.push_back(0);
        box_scale.push_back(0.9);
        box_width.push_back(1);
        line_colour.push_back(colour);
        line_style.push_back(dashed ? 2 : 1);
        line_width.push_back(width);
        symbol_colour.push_back(colour);
        symbol_scale.push_back(0.8);
        symbol_count.push_back(1);
        symbol.push_back(kDot);
    }

    void draw(Figure& fig, LegendAt at) const {
        if (opt.empty() || at == LegendAt::None) return;
        plstream& pls = fig.pls();
        const PLINT background = fig.pen({255, 255, 255}, 0.85);  // data stay faintly visible behind the legend
        fig.ink();
        PLINT position = PL_POSITION_INSIDE | PL_POSITION_VIEWPORT;
        position |= (at == LegendAt::TopLeft || at == LegendAt::BottomLeft) ? PL_POSITION_LEFT : PL_POSITION_RIGHT;
        position |= (at == LegendAt::TopLeft || at == LegendAt::TopRight) ? PL_POSITION_TOP : PL_POSITION_BOTTOM;
        std::vector<const char*> texts, symbols;
        for (const std::string& t : text) texts.push_back(t.c_str());
        for (const std::string& s : symbol) symbols.push_back(s.c_str());
        PLFLT width = 0, height = 0;
        pls.legend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, position, 0.02, 0.03, 0.07, background, 1,
                   1, 0, 0, static_cast<PLINT>(opt.size()), opt.data(), 0.8, 1.0, 1.9, 0.0, text_colour.data(),
                   texts.data(), box_colour.data(), box_pattern.data(), box_scale.data(), box_width.data(),
                   line_colour.data(), line_style.data(), line_width.data(), symbol_colour.data(),
                   symbol_scale.data(), symbol_count.data(), symbols.data());
    }
};

void draw_panel(Figure& fig, const LinePlotFigure& f, std::size_t index, const PixelRect& area,
                std::pair<double, double> xs, bool last) {
    plstream& pls = fig.pls();
    const PlotPanel& p = f.panels[index];
    const auto ys = y_limits(p, index);
    fig.viewport(area);
    pls.wind(xs.first, xs.second, ys.first, ys.second);
    Legend legend;

    for (const XSpan& s : p.spans) {  // full-height shading with dashed edges
        const double a = to_axis(s.from, f.log_x), b = to_axis(s.to, f.log_x);
        const PLFLT px[4] = {a, b, b, a}, py[4] = {ys.first, ys.first, ys.second, ys.second};
        const int slot = fig.pen(s.colour, s.alpha);
        pls.fill(4, px, py);
        fig.pen(s.colour);
        pls.lsty(2);
        for (double e : {a, b}) pls.join(e, ys.first, e, ys.second);
        pls.lsty(1);
        if (!s.label.empty()) legend.add(s.label, PL_LEGEND_COLOR_BOX, slot);
    }
    const std::string grid_x = f.log_x ? "gl" : "g", grid_y = p.log_y ? "gl" : "g";
    fig.pen({225, 225, 225});
    pls.width(0.8);
    // Linear axes tick on multiples of a 1-2-5 step (ticks.hpp); log axes keep PLplot's decades and log_labels' numbers.
    const double xtick = f.log_x || !(xs.second > xs.first) ? 0 : nice_step(xs.first, xs.second, 7);
    const double ytick = p.log_y || !(ys.second > ys.first) ? 0 : nice_step(ys.first, ys.second, 6);
    pls.box(grid_x.c_str(), xtick, 0, grid_y.c_str(), ytick, 0);
    for (const Band& b : p.bands) {  // lower edge forward, upper edge back
        std::vector<PLFLT> px = to_axis(b.x, f.log_x), py = to_axis(b.lo, p.log_y);
        for (std::size_t i = b.x.size(); i-- > 0;) {
            px.push_back(to_axis(b.x[i], f.log_x));
            py.push_back(to_axis(b.hi[i], p.log_y));
        }
        const int slot = fig.pen(b.colour, b.alpha);
        pls.fill(static_cast<PLINT>(px.size()), px.data(), py.data());
        if (!b.label.empty()) legend.add(b.label, PL_LEGEND_COLOR_BOX, slot);
    }
    for (std::size_t i = 0; i < p.series.size(); ++i) {
        const Series& s = p.series[i];
        const Rgb colour = s.colour.value_or(palette(i));
        const auto n = static_cast<PLINT>(s.x.size());
        const std::vector<PLFLT> px = to_axis(s.x, f.log_x), py = to_axis(s.y, p.log_y);
        const int slot = fig.pen(colour);
        if (!s.yerr.empty()) {
            std::vector<PLFLT> lo(s.y.size()), hi(s.y.size());
            for (std::size_t k = 0; k < s.y.size(); ++k) {
                lo[k] = to_axis(p.log_y ? std::max(s.y[k] - s.yerr[k], s.y[k] * 1e-3) : s.y[k] - s.yerr[k], p.log_y);
                hi[k] = to_axis(s.y[k] + s.yerr[k], p.log_y);
            }
            pls.width(1.2);
            pls.erry(n, px.data(), lo.data(), hi.data());
        }
        const bool lines = s.marks != Marks::Points, points = s.marks != Marks::Lines;
        if (lines && n > 1) {
            pls.width(s.line_width);
            pls.lsty(s.dashed ? 2 : 1);
            pls.line(n, px.data(), py.data());
            pls.lsty(1);
        }
        if (points) pls.string(n, px.data(), py.data(), kDot);
        pls.width(1);
        if (!s.label.empty())
            legend.add(s.label, (lines ? PL_LEGEND_LINE : 0) | (points ? PL_LEGEND_SYMBOL : 0), slot, s.line_width,
                       s.dashed);
    }
    fig.ink();
    pls.width(1);
    std::string xopt = last && !f.log_x ? "bcnst" : "bcst", yopt = p.log_y ? "bcst" : "bcnstv";
    if (f.log_x) xopt += "l";
    if (p.log_y) yopt += "l";
    pls.box(xopt.c_str(), xtick, 0, yopt.c_str(), ytick, 0);
    if (!p.title.empty()) {
        fig.fit_text(p.title, 13, area.width());
        pls.mtex("t", 0.8, 0.5, 0.5, p.title.c_str());
        fig.text_height(13);
    }
    if (last && !f.xlabel.empty()) pls.mtex("b", 3.0, 0.5, 0.5, f.xlabel.c_str());
    legend.draw(fig, p.legend);
    log_labels(fig, area, xs, ys, last && f.log_x, p.log_y);
    if (!p.ylabel.empty())  // written upward in the left margin, centred on the panel
        pls.ptex(22, fig.height() - (area.y0 + area.y1) / 2, 0, 1, 0.5, p.ylabel.c_str());
}

}  // namespace

void lineplot_png(const std::string& path, const LinePlotFigure& f) {
    validate(f);
    const int width = f.width;
    const int height = f.height > 0 ? f.height : f.panels.size() == 1 ? 520 : 720;
    const auto xs = x_limits(f);

    const double top = f.title.empty() ? kNoTitle : kFigureTitle;
    double fixed = top + kBottom, ratios = 0;
    for (const PlotPanel& p : f.panels) {
        fixed += p.title.empty() ? kPanelGap : kPanelTitle;
        ratios += p.height_ratio;
    }
    const double free = height - fixed;
    if (width < kLeft + kRight + 100 || free < 60.0 * static_cast<double>(f.panels.size()))
        throw std::invalid_argument(path + ": " + std::to_string(width) + "x" + std::to_string(height) +
                                    " pixels is too small for " + std::to_string(f.panels.size()) + " panel(s)");

    Figure fig(path, width, height);
    fig.pls().sxax(6, 0);  // numbers of up to 6 digits rather than "9.76" and a separate "(x10^-1)"
    fig.pls().syax(6, 0);
    double y = top;
    for (std::size_t i = 0; i < f.panels.size(); ++i) {
        const PlotPanel& p = f.panels[i];
        y += p.title.empty() ? kPanelGap : kPanelTitle;
        const double h = free * p.height_ratio / ratios;
        draw_panel(fig, f, i, {kLeft, y, width - kRight, y + h}, xs, i + 1 == f.panels.size());
        y += h;
    }
    if (!f.title.empty()) {
        fig.viewport({0, 0, static_cast<double>(width), static_cast<double>(height)});
        plstream& pls = fig.pls();
        pls.wind(0, width, 0, height);
        fig.ink();
        fig.fit_text(f.title, 17, width - 2 * kRight);
        pls.ptex(width / 2.0, height - top / 2 - 4, 1, 0, 0.5, f.title.c_str());
    }
    fig.check();
    fig.finish();
}

}  // namespace sensitivity::figures
