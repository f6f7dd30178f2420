// sensitivity/figures/heatmap.hpp — grids of image panels as one PNG: input digits, |J| maps, signed maps, with colour bars.
// Draws what it is given; computing Jacobians, class means or attributions is the job of the rest of sensitivity/.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sensitivity/figures/colormap.hpp"
#include "sensitivity/figures/figure.hpp"

namespace sensitivity::figures {

// How a panel's values become colours.
enum class PanelKind {
    Gray,        // an input image: low = black, high = white; auto limits = data min..max
    Sequential,  // a non-negative map such as |∂p/∂x|: HeatmapFigure::sequential (viridis); auto = data min..max
    Diverging,   // a signed map: blue < 0 < red, white at 0; auto limits = ±max|v| (always symmetric)
};

// One panel: a rows×cols image given row-major with row 0 at the TOP (as MNIST stores it).
// Pixels are drawn square. Fill `values` from an nn::Tensor with `{t.begin(), t.end()}`.
struct ImagePanel {
    std::string title;            // above the panel, e.g. "digit 4 — predicted 4 (p = 0.998)"
    std::size_t rows = 28, cols = 28;
    std::vector<double> values;   // rows*cols, row-major, row 0 at the top
    PanelKind kind = PanelKind::Sequential;
    std::optional<double> zmin, zmax;  // colour limits; unset = automatic (see PanelKind); a Diverging panel
                                       // given only one of them mirrors it (zmax = 0.01 -> -0.01 .. 0.01)
    bool colorbar = true;         // a colour bar right of the panel (ignored when the figure has a shared bar)
    std::string colorbar_label;   // beside the bar, e.g. "|∂p₄/∂x|"
    // Optional outline drawn over the panel: the iso-line `contour_level` of another rows×cols image
    // (e.g. the mean input of a class, so a signed map shows where the digits' strokes are). Empty = none.
    std::vector<double> contour;
    double contour_level = 0.3;
    Rgb contour_colour{0, 0, 0};
};

// A figure of grid_rows × grid_cols panels, filled row by row (panels.size() <= grid_rows*grid_cols).
struct HeatmapFigure {
    std::string title;            // above the grid; empty = none
    std::size_t grid_rows = 1, grid_cols = 1;
    std::vector<ImagePanel> panels;
    Colormap sequential = Colormap::Viridis;  // the map for PanelKind::Sequential (Viridis or Inferno)
    // One shared colour scale for every non-Gray panel (which must then all be of one kind), drawn as a
    // single colour bar right of the grid; per-panel bars are then not drawn. Limits: the panels' own
    // zmin/zmax if all set alike, else automatic over all of them.
    bool shared_colorbar = false;
    std::string shared_colorbar_label;
    int panel_pixels = 0;         // the longer image side of each panel in pixels; 0 = automatic (140..252)
};

// Draw the figure into the PNG `path` (written atomically). Throws std::invalid_argument for a malformed
// figure (naming the panel and what is wrong) and std::runtime_error naming `path` when writing fails.
void heatmap_png(const std::string& path, const HeatmapFigure& figure);

// The size of the PNG heatmap_png(figure) writes, and where panel `index`'s image lands in it.
// Exposed so tests (and HTML reports) can find a pixel of a panel: row r, col c of the panel's image covers
// x in [x0 + c*w/cols, x0 + (c+1)*w/cols), y in [y0 + r*h/rows, ...).
struct HeatmapLayout {
    int width = 0, height = 0;
    std::vector<PixelRect> images;  // one per panel
};
HeatmapLayout heatmap_layout(const HeatmapFigure& figure);

}  // namespace sensitivity::figures
