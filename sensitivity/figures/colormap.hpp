// sensitivity/figures/colormap.hpp — the colours of every nnsense figure: viridis, inferno, a diverging RdBu, a line palette.
// Pure colour arithmetic, no PLplot: the figure code and the tests read the same anchors from here.
#pragma once

#include <cstddef>

namespace sensitivity::figures {

struct Rgb {
    unsigned char r = 0, g = 0, b = 0;
    bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
    bool operator!=(const Rgb& o) const { return !(*this == o); }
};

// Gray: black (low) to white (high), for input images.
// Viridis / Inferno: perceptual, sequential, for |J| and other non-negative maps.
// Diverging: RdBu reversed (blue = negative, white = 0, red = positive), for signed maps with limits symmetric about 0.
enum class Colormap { Gray, Viridis, Inferno, Diverging };

// The colour at t in [0, 1] (clamped), linearly interpolated between the map's anchors.
// colormap_at(m, 0) and colormap_at(m, 1) are exactly the first and last anchors.
Rgb colormap_at(Colormap map, double t);

// The anchors themselves (what PLplot's cmap1 is built from): count, positions in [0, 1], colours.
struct ColormapAnchors {
    std::size_t count;
    const double* position;
    const Rgb* colour;
};
ColormapAnchors colormap_anchors(Colormap map);

// The i-th line colour of the default palette (matplotlib's tab10, cycling).
Rgb palette(std::size_t i);

}  // namespace sensitivity::figures
