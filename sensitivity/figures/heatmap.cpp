// sensitivity/figures/heatmap.cpp — lays out a grid of image panels in pixels, then draws each with PLplot's image and colorbar.
// Not for computing what is shown: every value arrives ready in an ImagePanel.
#include "sensitivity/figures/heatmap.hpp"

#include <plplot.h>
#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sensitivity::figures {

namespace {

// Pixel sizes of the fixed parts of the layout.
constexpr double kMargin = 24;         // left and right page margin
constexpr double kFigureTitle = 52;    // band for the figure title
constexpr double kNoTitle = 14;        // top margin when there is no figure title
constexpr double kPanelTitle = 34;     // band above each image for its title
constexpr double kBelow = 18;          // space under each image
constexpr double kGap = 30;            // between columns
constexpr double kBarGap = 12;         // image to colour bar
constexpr double kBarWidth = 16;       // the colour bar itself
constexpr double kBarLabels = 96;      // tick labels and the bar's label, right of the bar

std::string panel_name(std::size_t i, const ImagePanel& p) {
    return "heatmap panel " + std::to_string(i) + (p.title.empty() ? "" : " (\"" + p.title + "\")");
}

void validate(const HeatmapFigure& f) {
    if (f.grid_rows == 0 || f.grid_cols == 0)
        throw std::invalid_argument("heatmap: grid is " + std::to_string(f.grid_rows) + "x" +
                                    std::to_string(f.grid_cols) + "; both must be at least 1");
    if (f.panels.empty() || f.panels.size() > f.grid_rows * f.grid_cols)
        throw std::invalid_argument("heatmap: " + std::to_string(f.panels.size()) + " panels for a " +
                                    std::to_string(f.grid_rows) + "x" + std::to_string(f.grid_cols) + " grid");
    if (f.sequential != Colormap::Viridis && f.sequential != Colormap::Inferno)
        throw std::invalid_argument("heatmap: the sequential colormap must be Viridis or Inferno");
    std::optional<PanelKind> shared_kind;
    for (std::size_t i = 0; i < f.panels.size(); ++i) {
        const ImagePanel& p = f.panels[i];
        const std::string name = panel_name(i, p);
        if (p.rows == 0 || p.cols == 0 || p.values.size() != p.rows * p.cols)
            throw std::invalid_argument(name + ": " + std::to_string(p.values.size()) + " values for " +
                                        std::to_string(p.rows) + "x" + std::to_string(p.cols) + " pixels");
        for (std::size_t k = 0; k < p.values.size(); ++k)
            if (!std::isfinite(p.values[k]))
                throw std::invalid_argument(name + ": value at row " + std::to_string(k / p.cols) + ", col " +
                                            std::to_string(k % p.cols) + " is not finite");
        if (!p.contour.empty() && p.contour.size() != p.values.size())
            throw std::invalid_argument(name + ": contour has " + std::to_string(p.contour.size()) +
                                        " values, the panel " + std::to_string(p.values.size()));
        if (p.zmin && p.zmax && !(*p.zmin < *p.zmax))
            throw std::invalid_argument(name + ": zmin must be below zmax");
        if (f.shared_colorbar && p.kind != PanelKind::Gray) {
            if (shared_kind && *shared_kind != p.kind)
                throw std::invalid_argument(name + ": a shared colour bar needs all non-gray panels of one kind");
            shared_kind = p.kind;
        }
    }
}

// Automatic colour limits of a set of panels (see PanelKind), widened when the data are constant.
std::pair<double, double> auto_limits(const std::vector<const ImagePanel*>& panels) {
    double lo = panels.front()->values.front(), hi = lo, absmax = 0;
    for (const ImagePanel* p : panels)
        for (double v : p->values) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            absmax = std::max(absmax, std::abs(v));
        }
    if (panels.front()->kind == PanelKind::Diverging) {
        if (absmax == 0) absmax = 1;
        return {-absmax, absmax};
    }
    if (lo == hi) hi = lo + 1;
    return {lo, hi};
}

// A diverging panel given one limit mirrors it; a range that ends up empty is an error.
std::pair<double, double> limits(const ImagePanel& p, std::size_t index,
                                 std::optional<std::pair<double, double>> shared) {
    if (shared && p.kind != PanelKind::Gray) return *shared;
    auto [lo, hi] = auto_limits({&p});
    if (p.kind == PanelKind::Diverging && (p.zmin.has_value() != p.zmax.has_value())) {
        const double m = p.zmax ? std::abs(*p.zmax) : std::abs(*p.zmin);
        lo = -m;
        hi = m;
    } else {
        lo = p.zmin.value_or(lo);
        hi = p.zmax.value_or(hi);
    }
    if (!(lo < hi))
        throw std::invalid_argument(panel_name(index, p) + ": colour limits " + std::to_string(lo) + " .. " +
                                    std::to_string(hi) + " are empty (one of zmin/zmax is beyond the data)");
    return {lo, hi};
}

std::optional<std::pair<double, double>> shared_limits(const HeatmapFigure& f) {
    if (!f.shared_colorbar) return std::nullopt;
    std::vector<const ImagePanel*> maps;
    for (const ImagePanel& p : f.panels)
        if (p.kind != PanelKind::Gray) maps.push_back(&p);
    if (maps.empty()) return std::nullopt;
    const ImagePanel& first = *maps.front();
    const bool all_set = std::all_of(maps.begin(), maps.end(), [&](const ImagePanel* p) {
        return p->zmin == first.zmin && p->zmax == first.zmax && p->zmin && p->zmax;
    });
    if (all_set) return std::make_pair(*first.zmin, *first.zmax);
    return auto_limits(maps);
}

bool has_bar(const HeatmapFigure& f, const ImagePanel& p) { return p.colorbar && !f.shared_colorbar; }

// Pixels per image pixel: an integer, so every data pixel is the same square.
int scale(const HeatmapFigure& f) {
    std::size_t longest = 1;
    for (const ImagePanel& p : f.panels) longest = std::max({longest, p.rows, p.cols});
    int target = f.panel_pixels;
    if (target <= 0) target = f.grid_cols <= 2 ? 252 : f.grid_cols <= 3 ? 224 : f.grid_cols <= 5 ? 168 : 140;
    return std::max(1, target / static_cast<int>(longest));
}

struct Geometry {
    HeatmapLayout layout;
    std::vector<PixelRect> bars;  // one per panel; empty rect = no bar
    PixelRect shared_bar;         // empty = none
    double title_y = 0;
};

Geometry geometry(const HeatmapFigure& f) {
    const int k = scale(f);
    std::vector<double> col_width(f.grid_cols, 0);
    double image_height = 0;
    for (std::size_t i = 0; i < f.panels.size(); ++i) {
        const ImagePanel& p = f.panels[i];
        const double w = static_cast<double>(p.cols * k) + (has_bar(f, p) ? kBarGap + kBarWidth + kBarLabels : 0);
        col_width[i % f.grid_cols] = std::max(col_width[i % f.grid_cols], w);
        image_height = std::max(image_height, static_cast<double>(p.rows * k));
    }
    const double top = f.title.empty() ? kNoTitle : kFigureTitle;
    const double row_height = kPanelTitle + image_height + kBelow;
    std::vector<double> col_x(f.grid_cols, kMargin);
    for (std::size_t c = 1; c < f.grid_cols; ++c) col_x[c] = col_x[c - 1] + col_width[c - 1] + kGap;
    double right = col_x.back() + col_width.back();

    Geometry g;
    g.title_y = top / 2 + 4;
    for (std::size_t i = 0; i < f.panels.size(); ++i) {
        const ImagePanel& p = f.panels[i];
        const double x0 = col_x[i % f.grid_cols];
        const double y0 = top + static_cast<double>(i / f.grid_cols) * row_height + kPanelTitle;
        const PixelRect image{x0, y0, x0 + static_cast<double>(p.cols * k), y0 + static_cast<double>(p.rows * k)};
        g.layout.images.push_back(image);
        g.bars.push_back(has_bar(f, p) ? PixelRect{image.x1 + kBarGap, image.y0, image.x1 + kBarGap + kBarWidth,
                                                   image.y1}
                                       : PixelRect{});
    }
    if (shared_limits(f)) {
        const double y1 = top + static_cast<double>(f.grid_rows - 1) * row_height + kPanelTitle + image_height;
        g.shared_bar = {right + kBarGap, top + kPanelTitle, right + kBarGap + kBarWidth, y1};
        right = g.shared_bar.x1 + kBarLabels;
    }
    g.layout.width = static_cast<int>(std::ceil(right + kMargin));
    g.layout.height = static_cast<int>(std::ceil(top + static_cast<double>(f.grid_rows) * row_height));
    return g;
}

Colormap colormap_of(const HeatmapFigure& f, PanelKind kind) {
    switch (kind) {
        case PanelKind::Gray: return Colormap::Gray;
        case PanelKind::Sequential: return f.sequential;
        case PanelKind::Diverging: return Colormap::Diverging;
    }
    return f.sequential;
}

// PLplot wants data[ix][iy] with iy going up; the panel is row-major with row 0 at the top.
// Values are clamped to [lo, hi] because PLplot leaves values outside its z range undrawn.
std::vector<PLFLT> columns_upward(const std::vector<double>& v, std::size_t rows, std::size_t cols, double lo,
                                  double hi) {
    std::vector<PLFLT> out(rows * cols);
    for (std::size_t ix = 0; ix < cols; ++ix)
        for (std::size_t iy = 0; iy < rows; ++iy)
            out[ix * rows + iy] = std::clamp(v[(rows - 1 - iy) * cols + ix], lo, hi);
    return out;
}

std::vector<const PLFLT*> column_pointers(const std::vector<PLFLT>& data, std::size_t rows, std::size_t cols) {
    std::vector<const PLFLT*> ptr(cols);
    for (std::size_t ix = 0; ix < cols; ++ix) ptr[ix] = data.data() + ix * rows;
    return ptr;
}

// `title_width`: the pixels the title may take, centred over the image.
void draw_image(Figure& fig, const ImagePanel& p, const PixelRect& r, double lo, double hi, double title_width) {
    plstream& pls = fig.pls();
    const auto rows = static_cast<PLINT>(p.rows), cols = static_cast<PLINT>(p.cols);
    fig.viewport(r);
    pls.wind(0, cols, 0, rows);
    const std::vector<PLFLT> data = columns_upward(p.values, p.rows, p.cols, lo, hi);
    const std::vector<const PLFLT*> ptr = column_pointers(data, p.rows, p.cols);
    // With a transform PLplot fills one square per value (corners at integer grid points); without one, the cairo
    // driver's fast path treats the values as corner samples and stretches the image by cols/(cols-1).
    pls.imagefr(ptr.data(), cols, rows, 0, cols, 0, rows, lo, hi, lo, hi, pltr0, nullptr);
    if (!p.contour.empty()) {
        const std::vector<PLFLT> cdata = columns_upward(p.contour, p.rows, p.cols, -1e300, 1e300);
        const std::vector<const PLFLT*> cptr = column_pointers(cdata, p.rows, p.cols);
        std::vector<PLFLT> xg(p.cols), yg(p.rows);
        for (std::size_t i = 0; i < p.cols; ++i) xg[i] = static_cast<PLFLT>(i) + 0.5;
        for (std::size_t i = 0; i < p.rows; ++i) yg[i] = static_cast<PLFLT>(i) + 0.5;
        PLcGrid grid{xg.data(), yg.data(), nullptr, cols, rows, 0};
        const PLFLT level = p.contour_level;
        fig.pen(p.contour_colour);
        pls.width(1.2);
        pls.cont(cptr.data(), cols, rows, 1, cols, 1, rows, &level, 1, pltr1, &grid);
        pls.width(1.0);
    }
    fig.ink();
    pls.box("bc", 0, 0, "bc", 0, 0);
    if (!p.title.empty()) {
        fig.fit_text(p.title, 13, title_width);
        pls.mtex("t", 0.9, 0.5, 0.5, p.title.c_str());
        fig.text_height(13);
    }
}

// A vertical colour bar filling the pixel rectangle `r`: an image of the colormap from lo (bottom) to hi (top),
// ticks and numbers on its right, `label` written upward at the right edge of the space reserved for it.
// (Drawn by hand rather than with plcolorbar, whose placement relative to the viewport is not pixel-exact.)
void draw_bar(Figure& fig, const PixelRect& r, double lo, double hi, const std::string& label) {
    plstream& pls = fig.pls();
    constexpr int steps = 256;
    std::vector<PLFLT> ramp(steps);
    for (int i = 0; i < steps; ++i) ramp[i] = std::min(hi, lo + (hi - lo) * i / (steps - 1));  // never above hi
    const PLFLT* columns[2] = {ramp.data(), ramp.data()};  // plimage needs at least two columns
    fig.viewport(r);
    pls.wind(0, 2, 0, steps);  // one square per ramp value, as in draw_image
    pls.imagefr(columns, 2, steps, 0, 2, 0, steps, lo, hi, lo, hi, pltr0, nullptr);
    pls.wind(0, 1, lo, hi);
    fig.ink();
    pls.box("bc", 0, 0, "bcmstv", 0, 0);
    if (label.empty()) return;
    fig.viewport({0, 0, static_cast<double>(fig.width()), static_cast<double>(fig.height())});
    pls.wind(0, fig.width(), 0, fig.height());
    const double y_mid = fig.height() - (r.y0 + r.y1) / 2;
    pls.ptex(r.x1 + kBarLabels - 4, y_mid, 0, 1, 0.5, label.c_str());
}

}  // namespace

HeatmapLayout heatmap_layout(const HeatmapFigure& figure) {
    validate(figure);
    return geometry(figure).layout;
}

void heatmap_png(const std::string& path, const HeatmapFigure& f) {
    validate(f);
    const Geometry g = geometry(f);
    const auto shared = shared_limits(f);
    std::vector<std::pair<double, double>> z;
    for (std::size_t i = 0; i < f.panels.size(); ++i) z.push_back(limits(f.panels[i], i, shared));
    Figure fig(path, g.layout.width, g.layout.height);
    plstream& pls = fig.pls();
    for (std::size_t i = 0; i < f.panels.size(); ++i) {
        const ImagePanel& p = f.panels[i];
        const auto [lo, hi] = z[i];
        fig.use_colormap(colormap_of(f, p.kind));
        draw_image(fig, p, g.layout.images[i], lo, hi, g.layout.images[i].width() + kGap - 6);
        if (g.bars[i].width() > 0) draw_bar(fig, g.bars[i], lo, hi, p.colorbar_label);
    }
    if (shared) {
        PanelKind kind = PanelKind::Sequential;
        for (const ImagePanel& p : f.panels)
            if (p.kind != PanelKind::Gray) kind = p.kind;
        fig.use_colormap(colormap_of(f, kind));
        draw_bar(fig, g.shared_bar, shared->first, shared->second, f.shared_colorbar_label);
    }
    if (!f.title.empty()) {
        fig.viewport({0, 0, static_cast<double>(g.layout.width), static_cast<double>(g.layout.height)});
        pls.wind(0, g.layout.width, 0, g.layout.height);
        fig.ink();
        fig.fit_text(f.title, 17, g.layout.width - 2 * kMargin);
        pls.ptex(g.layout.width / 2.0, g.layout.height - g.title_y, 1, 0, 0.5, f.title.c_str());
    }
    fig.check();
    fig.finish();
}

}  // namespace sensitivity::figures
