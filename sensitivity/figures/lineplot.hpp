// sensitivity/figures/lineplot.hpp — x–y figures as one PNG: series with error bars, shaded credible bands, a marked x-range,
// panels stacked with a shared x axis (probe plots: score over accuracy; training curves: loss over accuracy).
// Draws what it is given; fitting lines or computing credible intervals is done by the probes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sensitivity/figures/colormap.hpp"

namespace sensitivity::figures {

enum class Marks { Lines, Points, LinesPoints };

// One curve. x and y have equal length; yerr is empty or of the same length (drawn as y ± yerr with caps).
struct Series {
    std::string label;              // legend text; empty = not in the legend
    std::vector<double> x, y;
    std::vector<double> yerr;       // e.g. ±1 std or the standard error
    Marks marks = Marks::Lines;
    std::optional<Rgb> colour;      // unset = palette(index of the series in its panel)
    double line_width = 2.0;
    bool dashed = false;
};

// A shaded region between lo(x) and hi(x), e.g. a 50% or 95% credible band around a fitted line.
// Drawn under the series; two bands of one colour with different alpha read as nested intervals.
struct Band {
    std::string label;              // legend text; empty = not in the legend
    std::vector<double> x, lo, hi;  // equal lengths, x increasing
    Rgb colour{31, 119, 180};
    double alpha = 0.25;            // 0 = invisible, 1 = opaque
};

// A marked range of x (e.g. the probe's fit range): a light full-height band with dashed edges.
struct XSpan {
    std::string label;              // legend text; empty = not in the legend
    double from = 0, to = 0;
    Rgb colour{128, 128, 128};
    double alpha = 0.15;
};

enum class LegendAt { TopRight, TopLeft, BottomRight, BottomLeft, None };

// One panel (axes). Limits left unset are taken from the data (with a small margin).
struct PlotPanel {
    std::string title;              // above the panel; empty = none
    std::string ylabel;
    std::vector<Series> series;
    std::vector<Band> bands;
    std::vector<XSpan> spans;
    std::optional<double> ymin, ymax;
    bool log_y = false;             // logarithmic y axis (all plotted y must be > 0)
    LegendAt legend = LegendAt::TopRight;
    double height_ratio = 1.0;      // relative height among the figure's panels
};

// Panels stacked top to bottom sharing one x axis; the x label and x tick labels are drawn under the last.
struct LinePlotFigure {
    std::string title;              // above everything; empty = none
    std::string xlabel;
    std::vector<PlotPanel> panels;  // at least one
    std::optional<double> xmin, xmax;
    bool log_x = false;             // logarithmic x axis (all plotted x must be > 0)
    int width = 900, height = 0;    // pixels; height 0 = 520 for one panel, 720 for two or more
};

// Draw the figure into the PNG `path` (written atomically). Throws std::invalid_argument for malformed data
// (naming the panel, the series and what is wrong, e.g. lengths that differ or a non-positive y on a log axis)
// and std::runtime_error naming `path` when writing fails.
void lineplot_png(const std::string& path, const LinePlotFigure& figure);

}  // namespace sensitivity::figures
