// tests/test_figures.cpp — the figures are real PNGs with the pixels where the data say: read back with stb_image.
// Not a test of how the figures look (that is for a person); of size, orientation, colour scales, errors.
#include <doctest/doctest.h>

#include <stb_image.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include <plstream.h>

#include "sensitivity/figures/colormap.hpp"
#include "sensitivity/figures/figure.hpp"
#include "sensitivity/figures/heatmap.hpp"
#include "sensitivity/figures/lineplot.hpp"
#include "sensitivity/figures/ticks.hpp"

namespace fs = std::filesystem;
using namespace sensitivity::figures;

namespace {

// A fresh directory per test case, removed at the end; PLplot runs headless.
struct TempDir {
    fs::path dir;
    TempDir() {
        ::unsetenv("DISPLAY");
        static int n = 0;
        dir = fs::temp_directory_path() / ("nnsense_figures_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~TempDir() { fs::remove_all(dir); }
    std::string file(const std::string& name) const { return (dir / name).string(); }
    std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {})); }
};

struct Png {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    explicit Png(const std::string& path) {
        int channels = 0;
        unsigned char* px = stbi_load(path.c_str(), &width, &height, &channels, 3);
        REQUIRE_MESSAGE(px != nullptr, path << ": " << stbi_failure_reason());
        rgb.assign(px, px + static_cast<std::size_t>(width) * height * 3);
        stbi_image_free(px);
    }
    Rgb at(double x, double y) const {
        const auto i = (static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)) * 3;
        return {rgb[i], rgb[i + 1], rgb[i + 2]};
    }
    std::set<int> colours() const {
        std::set<int> out;
        for (std::size_t i = 0; i < rgb.size(); i += 3) out.insert(rgb[i] << 16 | rgb[i + 1] << 8 | rgb[i + 2]);
        return out;
    }
    bool has(Rgb c, int tolerance = 0) const {
        for (std::size_t i = 0; i < rgb.size(); i += 3)
            if (std::abs(rgb[i] - c.r) <= tolerance && std::abs(rgb[i + 1] - c.g) <= tolerance &&
                std::abs(rgb[i + 2] - c.b) <= tolerance)
                return true;
        return false;
    }
};

// The centre of data pixel (row, col) of a panel, in PNG pixels.
std::pair<double, double> centre(const PixelRect& r, std::size_t rows, std::size_t cols, std::size_t row, std::size_t col) {
    return {r.x0 + (static_cast<double>(col) + 0.5) * r.width() / static_cast<double>(cols),
            r.y0 + (static_cast<double>(row) + 0.5) * r.height() / static_cast<double>(rows)};
}

Rgb pixel_of(const Png& png, const PixelRect& r, std::size_t rows, std::size_t cols, std::size_t row, std::size_t col) {
    const auto [x, y] = centre(r, rows, cols, row, col);
    return png.at(x, y);
}

ImagePanel one_hot(std::size_t row, std::size_t col, PanelKind kind) {
    ImagePanel p;
    p.values.assign(28 * 28, 0.0);
    p.values[row * 28 + col] = 1.0;
    p.kind = kind;
    return p;
}

std::string text(const Rgb& c) {
    return "(" + std::to_string(c.r) + ", " + std::to_string(c.g) + ", " + std::to_string(c.b) + ")";
}

}  // namespace

namespace doctest {
template <>
struct StringMaker<Rgb> {
    static String convert(const Rgb& c) { return text(c).c_str(); }
};
}  // namespace doctest

TEST_CASE("colormaps interpolate linearly between their anchors and clamp outside [0, 1]") {
    CHECK(colormap_at(Colormap::Gray, 0.5) == Rgb{128, 128, 128});
    CHECK(colormap_at(Colormap::Gray, -3) == Rgb{0, 0, 0});
    CHECK(colormap_at(Colormap::Gray, 7) == Rgb{255, 255, 255});
    // diverging: blue below the middle, red above, symmetric lightness around a near-white centre
    const Rgb lo = colormap_at(Colormap::Diverging, 0.1), mid = colormap_at(Colormap::Diverging, 0.5),
              hi = colormap_at(Colormap::Diverging, 0.9);
    CHECK(lo.b > lo.r);
    CHECK(hi.r > hi.b);
    CHECK(mid.r > 240);
    CHECK(mid.g > 240);
    CHECK(mid.b > 240);
    // viridis and inferno get brighter from 0 to 1 (perceptual, sequential)
    for (Colormap m : {Colormap::Viridis, Colormap::Inferno}) {
        double previous = -1;
        for (int i = 0; i <= 20; ++i) {
            const Rgb c = colormap_at(m, i / 20.0);
            const double luma = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
            CHECK(luma > previous);
            previous = luma;
        }
    }
    CHECK(palette(0) == palette(10));
    CHECK(palette(0) != palette(1));
}

TEST_CASE("a heat map's hottest pixel lands at its row and column, row 0 at the top, in the colormap's top colour") {
    TempDir tmp;
    for (Colormap map : {Colormap::Viridis, Colormap::Inferno}) {
        HeatmapFigure f;
        f.title = "one hot pixel";
        f.grid_cols = 2;
        f.sequential = map;
        ImagePanel input = one_hot(3, 20, PanelKind::Gray);
        input.title = "input";
        input.colorbar = false;
        ImagePanel hot = one_hot(3, 20, PanelKind::Sequential);
        hot.title = "|∂p/∂x|";
        hot.colorbar_label = "|∂p/∂x|";
        f.panels = {input, hot};
        const std::string path = tmp.file("hot.png");
        heatmap_png(path, f);
        const HeatmapLayout layout = heatmap_layout(f);
        const Png png(path);
        CHECK(png.width == layout.width);
        CHECK(png.height == layout.height);
        // pixels are square
        CHECK(layout.images[1].width() == doctest::Approx(layout.images[1].height()));
        CHECK(pixel_of(png, layout.images[1], 28, 28, 3, 20) == colormap_at(map, 1));
        CHECK(pixel_of(png, layout.images[1], 28, 28, 20, 3) == colormap_at(map, 0));  // the transposed place is cold
        CHECK(pixel_of(png, layout.images[1], 28, 28, 24, 20) == colormap_at(map, 0));  // so is the flipped one
        CHECK(pixel_of(png, layout.images[0], 28, 28, 3, 20) == Rgb{255, 255, 255});
        CHECK(pixel_of(png, layout.images[0], 28, 28, 24, 20) == Rgb{0, 0, 0});
        // not blank: the colour bar and anti-aliased text bring many colours
        CHECK(png.colours().size() > 50);
    }
}

TEST_CASE("a grid with a shared colour bar colours every panel on one scale") {
    TempDir tmp;
    HeatmapFigure f;
    f.title = "class means";
    f.grid_rows = 2;
    f.grid_cols = 5;
    f.shared_colorbar = true;
    f.shared_colorbar_label = "mean |∂p/∂x|";
    for (int k = 0; k < 10; ++k) {
        ImagePanel p;
        p.title = std::to_string(k);
        p.values.assign(28 * 28, 0.01 * k);
        p.colorbar = true;  // ignored: the figure has a shared bar
        f.panels.push_back(p);
    }
    const std::string path = tmp.file("grid.png");
    heatmap_png(path, f);
    const HeatmapLayout layout = heatmap_layout(f);
    const Png png(path);
    REQUIRE(png.width == layout.width);
    REQUIRE(png.height == layout.height);
    REQUIRE(layout.images.size() == 10);
    for (int k = 0; k < 10; ++k) {
        const Rgb got = pixel_of(png, layout.images[k], 28, 28, 14, 14), want = colormap_at(Colormap::Viridis, k / 9.0);
        INFO("panel " << k << ": " << text(got) << " vs " << text(want));
        // PLplot's cmap1 has 256 entries: allow one step of quantisation
        CHECK(std::abs(got.r - want.r) <= 3);
        CHECK(std::abs(got.g - want.g) <= 3);
        CHECK(std::abs(got.b - want.b) <= 3);
    }
    // panels sit in a 2x5 grid: same columns on both rows, row 2 below row 1
    CHECK(layout.images[5].x0 == layout.images[0].x0);
    CHECK(layout.images[5].y0 > layout.images[0].y1);
    CHECK(layout.images[1].x0 > layout.images[0].x1);
}

TEST_CASE("a signed map uses limits symmetric about zero: zero is the diverging map's middle") {
    TempDir tmp;
    ImagePanel p;
    p.title = "∂(p₄ − p₉)/∂x";
    p.kind = PanelKind::Diverging;
    p.values.assign(28 * 28, 0.0);
    p.values[5 * 28 + 5] = -1.0;   // the largest |v|: sets the limits to ±1
    p.values[20 * 28 + 10] = 0.5;  // three quarters up the scale
    p.contour.assign(28 * 28, 0.0);
    for (std::size_t r = 10; r < 18; ++r)
        for (std::size_t c = 10; c < 18; ++c) p.contour[r * 28 + c] = 1.0;
    p.contour_level = 0.5;
    HeatmapFigure f;
    f.panels = {p};
    const std::string path = tmp.file("signed.png");
    heatmap_png(path, f);
    const HeatmapLayout layout = heatmap_layout(f);
    const Png png(path);
    const PixelRect& r = layout.images[0];
    CHECK(pixel_of(png, r, 28, 28, 5, 5) == colormap_at(Colormap::Diverging, 0));
    const Rgb zero = pixel_of(png, r, 28, 28, 0, 27), mid = colormap_at(Colormap::Diverging, 0.5);
    CHECK(std::abs(zero.r - mid.r) <= 2);
    CHECK(std::abs(zero.g - mid.g) <= 2);
    CHECK(std::abs(zero.b - mid.b) <= 2);
    const Rgb half = pixel_of(png, r, 28, 28, 20, 10), want = colormap_at(Colormap::Diverging, 0.75);
    CHECK(std::abs(half.r - want.r) <= 3);
    CHECK(std::abs(half.g - want.g) <= 3);
    CHECK(std::abs(half.b - want.b) <= 3);
    // the contour of the 8x8 block is drawn in black along its edge (between data rows 9 and 10 .. 17 and 18)
    const auto [x, y] = centre(r, 28, 28, 14, 10);
    const double edge_x = x - 0.5 * r.width() / 28;  // the block's left edge, where the iso-line 0.5 runs
    bool dark = false;
    for (int dx = -2; dx <= 2; ++dx) {
        const Rgb c = png.at(edge_x + dx, y);
        dark = dark || (c.r < 100 && c.g < 100 && c.b < 100);
    }
    CHECK(dark);
}

TEST_CASE("explicit colour limits clamp values outside them to the ends of the colormap") {
    TempDir tmp;
    ImagePanel p = one_hot(2, 2, PanelKind::Sequential);
    p.values[3 * 28 + 3] = -5;  // below zmin
    p.values[2 * 28 + 2] = 9;   // above zmax
    p.zmin = 0;
    p.zmax = 1;
    HeatmapFigure f;
    f.panels = {p};
    const std::string path = tmp.file("clamp.png");
    heatmap_png(path, f);
    const Png png(path);
    const PixelRect r = heatmap_layout(f).images[0];
    CHECK(pixel_of(png, r, 28, 28, 2, 2) == colormap_at(Colormap::Viridis, 1));
    CHECK(pixel_of(png, r, 28, 28, 3, 3) == colormap_at(Colormap::Viridis, 0));
}

TEST_CASE("a diverging panel given one limit mirrors it; limits beyond the data are refused") {
    TempDir tmp;
    ImagePanel p;
    p.kind = PanelKind::Diverging;
    p.values.assign(28 * 28, 0.0);
    p.values[0] = 0.25;
    p.values[1] = -0.25;
    p.zmax = 0.5;  // -> limits -0.5 .. 0.5, so ±0.25 sit at a quarter and three quarters
    HeatmapFigure f;
    f.panels = {p};
    heatmap_png(tmp.file("mirror.png"), f);
    const Png png(tmp.file("mirror.png"));
    const PixelRect r = heatmap_layout(f).images[0];
    for (auto [col, t] : {std::pair<std::size_t, double>{0, 0.75}, {1, 0.25}}) {
        const Rgb got = pixel_of(png, r, 28, 28, 0, col), want = colormap_at(Colormap::Diverging, t);
        INFO("col " << col << ": " << text(got) << " vs " << text(want));
        CHECK(std::abs(got.r - want.r) <= 3);
        CHECK(std::abs(got.g - want.g) <= 3);
        CHECK(std::abs(got.b - want.b) <= 3);
    }
    f.panels[0].kind = PanelKind::Sequential;
    f.panels[0].zmax.reset();
    f.panels[0].zmin = 3;  // above every value
    CHECK_THROWS_WITH_AS(heatmap_png(tmp.file("empty.png"), f), doctest::Contains("colour limits 3.000000 .. 0.250000"),
                         std::invalid_argument);
    CHECK(tmp.entries() == 1);
}

TEST_CASE("an error PLplot only prints becomes an exception naming the path, and no file is left") {
    TempDir tmp;
    const std::string path = tmp.file("broken.png");
    {
        sensitivity::figures::Figure fig(path, 200, 100);
        fig.viewport({10, 10, 190, 90});
        fig.pls().wind(0, 1, 0, 1);
        fig.check();  // nothing wrong yet
        // PLplot prints "*** PLPLOT ERROR, ABORTING OPERATION ***" to stderr here and carries on
        fig.pls().image(nullptr, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
        const std::string expected = path + ": PLplot error: plimage: nx and ny must be positive";
        CHECK_THROWS_WITH_AS(fig.finish(), doctest::Contains(expected.c_str()), std::runtime_error);
    }
    CHECK(tmp.entries() == 0);
}

TEST_CASE("the temporary of an unfinished figure is removed when the figure is destroyed") {
    TempDir tmp;
    {
        sensitivity::figures::Figure fig(tmp.file("abandoned.png"), 100, 100);
        CHECK(tmp.entries() == 1);  // the temporary, next to the final path
    }
    CHECK(tmp.entries() == 0);
}

TEST_CASE("a malformed heat map is refused before any file is written, naming the panel") {
    TempDir tmp;
    HeatmapFigure f;
    ImagePanel p;
    p.title = "short";
    p.values.assign(10, 0.0);
    f.panels = {p};
    CHECK_THROWS_WITH_AS(heatmap_png(tmp.file("x.png"), f), doctest::Contains("panel 0 (\"short\"): 10 values for 28x28"),
                         std::invalid_argument);
    f.panels[0].values.assign(784, 0.0);
    f.panels[0].values[30] = std::nan("");
    CHECK_THROWS_WITH_AS(heatmap_png(tmp.file("x.png"), f), doctest::Contains("row 1, col 2 is not finite"),
                         std::invalid_argument);
    f.panels[0].values[30] = 0;
    f.grid_cols = 1;
    f.panels.push_back(f.panels[0]);
    CHECK_THROWS_WITH_AS(heatmap_png(tmp.file("x.png"), f), doctest::Contains("2 panels for a 1x1 grid"),
                         std::invalid_argument);
    CHECK(tmp.entries() == 0);
}

TEST_CASE("writing into a missing directory throws naming the path and leaves no temporary file") {
    TempDir tmp;
    HeatmapFigure f;
    f.panels = {one_hot(1, 1, PanelKind::Sequential)};
    const std::string path = tmp.file("no/such/dir/fig.png");
    const std::string expected = path + ": cannot write";
    CHECK_THROWS_WITH_AS(heatmap_png(path, f), doctest::Contains(expected.c_str()), std::runtime_error);
    CHECK(tmp.entries() == 0);
}

TEST_CASE("a figure whose final rename fails throws naming the path and removes its temporary") {
    TempDir tmp;
    const std::string path = tmp.file("taken");
    fs::create_directories(fs::path(path) / "occupied");  // a non-empty directory cannot be replaced by a file
    HeatmapFigure f;
    f.panels = {one_hot(1, 1, PanelKind::Sequential)};
    const std::string expected = path + ": cannot rename";
    CHECK_THROWS_WITH_AS(heatmap_png(path, f), doctest::Contains(expected.c_str()), std::runtime_error);
    CHECK(tmp.entries() == 1);  // only the directory that was in the way
}

TEST_CASE("a figure replaces an existing file at its path only once it is complete") {
    TempDir tmp;
    const std::string path = tmp.file("fig.png");
    std::ofstream(path) << "old";
    HeatmapFigure f;
    f.panels = {one_hot(1, 1, PanelKind::Sequential)};
    f.panels[0].values.resize(5);  // malformed: refused, the old file stays
    CHECK_THROWS_AS(heatmap_png(path, f), std::invalid_argument);
    CHECK(fs::file_size(path) == 3);
    f.panels = {one_hot(1, 1, PanelKind::Sequential)};
    heatmap_png(path, f);
    CHECK(Png(path).width == heatmap_layout(f).width);
    CHECK(tmp.entries() == 1);
}

TEST_CASE("a line plot has the requested size and shows its series, bands and span in their colours") {
    TempDir tmp;
    Series points;
    points.label = "mean score ± sd";
    points.marks = Marks::Points;
    points.colour = Rgb{0, 0, 255};
    for (int i = 0; i <= 10; ++i) {
        points.x.push_back(i / 10.0);
        points.y.push_back(1 - 0.5 * i / 10.0);
        points.yerr.push_back(0.05);
    }
    Series fit;
    fit.label = "fit";
    fit.x = {0, 0.6};
    fit.y = {1, 0.7};
    fit.colour = Rgb{0, 160, 0};
    Band band;
    band.label = "95% credible";
    band.x = {0, 0.6};
    band.lo = {0.9, 0.6};
    band.hi = {1.1, 0.8};
    band.colour = Rgb{255, 0, 0};
    band.alpha = 0.5;
    XSpan span;
    span.label = "fit range";
    span.from = 0.7;
    span.to = 0.9;
    span.colour = Rgb{0, 0, 0};
    span.alpha = 0.2;
    PlotPanel score;
    score.ylabel = "score";
    score.series = {points, fit};
    score.bands = {band};
    score.spans = {span};
    PlotPanel accuracy;
    accuracy.ylabel = "accuracy";
    Series acc;
    acc.x = points.x;
    acc.y.assign(acc.x.size(), 0.9);
    accuracy.series = {acc};
    accuracy.ymin = 0;
    accuracy.ymax = 1;
    LinePlotFigure f;
    f.title = "probe";
    f.xlabel = "p";
    f.width = 800;
    f.height = 640;
    f.panels = {score, accuracy};
    const std::string path = tmp.file("probe.png");
    lineplot_png(path, f);
    const Png png(path);
    CHECK(png.width == 800);
    CHECK(png.height == 640);
    CHECK(png.colours().size() > 50);
    CHECK(png.has({0, 0, 255}));    // the points
    CHECK(png.has({0, 160, 0}));    // the fitted line
    CHECK(png.has(palette(0)));     // the accuracy series, default colour
    CHECK(png.has({255, 128, 128}, 2));  // red at alpha 0.5 over white
    CHECK(png.has({204, 204, 204}, 2));  // black at alpha 0.2 over white
}

TEST_CASE("training curves with a log-scale loss panel draw, and bad data is refused naming the series") {
    TempDir tmp;
    Series loss;
    loss.label = "train loss";
    for (int e = 1; e <= 10; ++e) {
        loss.x.push_back(e);
        loss.y.push_back(2.0 / e);
    }
    PlotPanel lp;
    lp.ylabel = "loss";
    lp.log_y = true;
    lp.series = {loss};
    LinePlotFigure f;
    f.xlabel = "epoch";
    f.panels = {lp};
    const std::string path = tmp.file("train.png");
    lineplot_png(path, f);
    const Png png(path);
    CHECK(png.width == 900);
    CHECK(png.height == 520);
    CHECK(png.has(palette(0)));

    f.panels[0].series[0].y[3] = 0;
    CHECK_THROWS_WITH_AS(lineplot_png(path, f), doctest::Contains("series 0 (\"train loss\"): y[3] = 0"),
                         std::invalid_argument);
    f.panels[0].series[0].y.pop_back();
    CHECK_THROWS_WITH_AS(lineplot_png(path, f), doctest::Contains("x, y, yerr have lengths 10, 9, 0"),
                         std::invalid_argument);
    f.panels.clear();
    CHECK_THROWS_AS(lineplot_png(path, f), std::invalid_argument);
    CHECK(tmp.entries() == 1);  // the first, good figure
}

TEST_CASE("axis ticks fall on round numbers: steps of 1, 2 or 5 x 10^k, on multiples of the step, at most max_ticks") {
    using sensitivity::figures::nice_step;
    using sensitivity::figures::nice_ticks;
    CHECK(nice_ticks(0, 1, 6) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0});
    CHECK(nice_ticks(0, 0.0737, 6) == std::vector<double>{0, 0.02, 0.04, 0.06});
    CHECK(nice_ticks(-3.7, 12.2, 6) == std::vector<double>{0, 5, 10});
    CHECK(nice_ticks(0.31, 0.36, 6) == std::vector<double>{0.31, 0.32, 0.33, 0.34, 0.35, 0.36});
    CHECK(nice_step(0, 1437, 6) == 500);
    // Every step over a sweep of ranges is 1, 2 or 5 times a power of ten, and no axis gets more than max_ticks.
    for (double hi = 0.013; hi < 5e4; hi *= 1.37)
        for (double lo : {-hi, 0.0, hi / 3}) {
            const double step = nice_step(lo, hi, 6);
            const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-12));
            CAPTURE(lo);
            CAPTURE(hi);
            CHECK((std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9));
            const auto t = nice_ticks(lo, hi, 6);
            CHECK(t.size() <= 6);
            CHECK(t.size() >= 2);
            for (double v : t) CHECK(std::abs(v / step - std::round(v / step)) < 1e-6);
        }
    CHECK_FALSE(std::signbit(nice_ticks(0, 1, 6)[0]));                 // "0", not "-0"
    CHECK_THROWS(nice_step(1, 1));
}
