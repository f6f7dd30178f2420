// sensitivity/figures/colormap.cpp — anchor tables of the colormaps and linear interpolation between them.
// Viridis and inferno are sampled at 9 evenly spaced points (as viridisLite prints them); RdBu is ColorBrewer's 11.
#include "sensitivity/figures/colormap.hpp"

#include <algorithm>
#include <cmath>

namespace sensitivity::figures {

namespace {

const double kNine[9] = {0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1};
const double kEleven[11] = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};
const double kTwo[2] = {0, 1};

const Rgb kViridis[9] = {{68, 1, 84},    {71, 45, 123},  {59, 82, 139},  {44, 114, 142}, {33, 144, 140},
                         {39, 173, 129}, {93, 200, 99},  {170, 220, 50}, {253, 231, 37}};
const Rgb kInferno[9] = {{0, 0, 4},     {31, 12, 72},  {85, 15, 109},  {136, 34, 106}, {186, 54, 85},
                         {227, 89, 50}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164}};
// ColorBrewer RdBu, reversed: dark blue (most negative) .. near-white (0) .. dark red (most positive).
const Rgb kDiverging[11] = {{5, 48, 97},     {33, 102, 172},  {67, 147, 195}, {146, 197, 222},
                            {209, 229, 240}, {247, 247, 247}, {253, 219, 199}, {244, 165, 130},
                            {214, 96, 77},   {178, 24, 43},   {103, 0, 31}};
const Rgb kGray[2] = {{0, 0, 0}, {255, 255, 255}};

// matplotlib's tab10.
const Rgb kPalette[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},   {148, 103, 189},
                          {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

unsigned char mix(unsigned char a, unsigned char b, double f) {
    return static_cast<unsigned char>(std::lround(a + (b - a) * f));
}

}  // namespace

ColormapAnchors colormap_anchors(Colormap map) {
    switch (map) {
        case Colormap::Gray: return {2, kTwo, kGray};
        case Colormap::Viridis: return {9, kNine, kViridis};
        case Colormap::Inferno: return {9, kNine, kInferno};
        case Colormap::Diverging: return {11, kEleven, kDiverging};
    }
    return {2, kTwo, kGray};
}

Rgb colormap_at(Colormap map, double t) {
    const ColormapAnchors a = colormap_anchors(map);
    t = std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0);
    std::size_t i = 1;
    while (i + 1 < a.count && a.position[i] < t) ++i;
    const double f = (t - a.position[i - 1]) / (a.position[i] - a.position[i - 1]);
    const Rgb lo = a.colour[i - 1], hi = a.colour[i];
    return {mix(lo.r, hi.r, f), mix(lo.g, hi.g, f), mix(lo.b, hi.b, f)};
}

Rgb palette(std::size_t i) { return kPalette[i % 10]; }

}  // namespace sensitivity::figures
