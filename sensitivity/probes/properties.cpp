// sensitivity/probes/properties.cpp — measuring one digit: moments of the intensity, the ink outline, the bounding box.
// Each property is a short loop over the pixels, in double; nothing here knows about models or probes.
#include "sensitivity/probes/properties.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "names/names.hpp"

namespace sensitivity::probes {

double ink_mass(const Image& img) {
    double m = 0;
    for (float v : img) m += v;
    return m;
}

namespace {

// Intensity-weighted centre of mass (x = column, y = row); false for an image with no ink.
bool mass_centre(const Image& img, double& cx, double& cy) {
    double m = 0, sx = 0, sy = 0;
    for (std::size_t r = 0; r < img.shape(0); ++r)
        for (std::size_t c = 0; c < img.shape(1); ++c) {
            const double v = img(r, c);
            m += v;
            sx += v * static_cast<double>(c);
            sy += v * static_cast<double>(r);
        }
    if (!(m > 0)) return false;
    cx = sx / m;
    cy = sy / m;
    return true;
}

struct Point {
    double x, y;
};

}  // namespace

double contour_length(const Image& img, float level) {
    if (!(level > 0))
        throw std::invalid_argument("contour_length: level must be > 0 (the zero padding must lie outside), got " +
                                    std::to_string(level));
    const long H = static_cast<long>(img.shape(0)), W = static_cast<long>(img.shape(1));
    auto v = [&](long r, long c) -> double {                 // the image padded with 0
        return (r < 0 || c < 0 || r >= H || c >= W) ? 0.0 : img(r, c);
    };
    double length = 0;
    // Cells have corners at pixel centres; cells over the padding close contours that touch the border.
    for (long r = -1; r < H; ++r) {
        for (long c = -1; c < W; ++c) {
            // Corners: 0 top-left (r, c), 1 top-right (r, c+1), 2 bottom-right (r+1, c+1), 3 bottom-left (r+1, c).
            const double val[4] = {v(r, c), v(r, c + 1), v(r + 1, c + 1), v(r + 1, c)};
            const Point pos[4] = {{double(c), double(r)}, {double(c + 1), double(r)},
                                  {double(c + 1), double(r + 1)}, {double(c), double(r + 1)}};
            bool in[4];
            int n_in = 0;
            for (int k = 0; k < 4; ++k) n_in += (in[k] = val[k] >= level);
            if (n_in == 0 || n_in == 4) continue;
            // Edge e joins corners e and e+1 (top, right, bottom, left); where the level crosses it.
            Point cross[4];
            for (int e = 0; e < 4; ++e) {
                const int a = e, b = (e + 1) % 4;
                if (in[a] == in[b]) continue;
                const double t = (level - val[a]) / (val[b] - val[a]);
                cross[e] = {pos[a].x + t * (pos[b].x - pos[a].x), pos[a].y + t * (pos[b].y - pos[a].y)};
            }
            auto seg = [&](int e1, int e2) { return std::hypot(cross[e1].x - cross[e2].x, cross[e1].y - cross[e2].y); };
            // Corner k is cut off by the segment joining its two edges: edge k-1 and edge k.
            auto cut = [&](int k) { return seg((k + 3) % 4, k); };
            if (n_in == 1 || n_in == 3) {
                for (int k = 0; k < 4; ++k)
                    if (in[k] == (n_in == 1)) length += cut(k);   // the odd corner out
            } else if (in[0] == in[2]) {
                // Saddle (diagonal corners alike): the cell centre decides which pair is joined through the middle.
                const bool centre_in = (val[0] + val[1] + val[2] + val[3]) / 4 >= level;
                for (int k = 0; k < 4; ++k)
                    if (in[k] != centre_in) length += cut(k);
            } else {
                // Two adjacent corners inside: one straight segment between the two crossed edges.
                int e1 = -1, e2 = -1;
                for (int e = 0; e < 4; ++e)
                    if (in[e] != in[(e + 1) % 4]) (e1 < 0 ? e1 : e2) = e;
                length += seg(e1, e2);
            }
        }
    }
    return length;
}

double stroke_thickness(const Image& img, float threshold) {
    const double outline = contour_length(img, threshold);
    return outline > 0 ? 2 * ink_mass(img) / outline : 0.0;
}

double slant(const Image& img) {
    double cx = 0, cy = 0;
    if (!mass_centre(img, cx, cy)) return 0.0;
    double mu11 = 0, mu02 = 0;
    for (std::size_t r = 0; r < img.shape(0); ++r)
        for (std::size_t c = 0; c < img.shape(1); ++c) {
            const double v = img(r, c), dx = double(c) - cx, dy = double(r) - cy;
            mu11 += v * dx * dy;
            mu02 += v * dy * dy;
        }
    return mu02 > 0 ? -mu11 / mu02 : 0.0;   // y grows downward, so "/" has μ11 < 0
}

namespace {

// Inclusive index range of the rows (axis 0) or columns (axis 1) holding ink; false if there is none.
bool ink_extent(const Image& img, float threshold, int axis, std::size_t& lo, std::size_t& hi) {
    bool any = false;
    for (std::size_t r = 0; r < img.shape(0); ++r)
        for (std::size_t c = 0; c < img.shape(1); ++c) {
            if (img(r, c) < threshold) continue;
            const std::size_t i = axis == 0 ? r : c;
            lo = any ? std::min(lo, i) : i;
            hi = any ? std::max(hi, i) : i;
            any = true;
        }
    return any;
}

}  // namespace

double bbox_width(const Image& img, float threshold) {
    std::size_t lo = 0, hi = 0;
    return ink_extent(img, threshold, 1, lo, hi) ? double(hi - lo + 1) : 0.0;
}

double bbox_height(const Image& img, float threshold) {
    std::size_t lo = 0, hi = 0;
    return ink_extent(img, threshold, 0, lo, hi) ? double(hi - lo + 1) : 0.0;
}

double centroid_offset(const Image& img, Centre centre) {
    double cx = 0, cy = 0;
    if (!mass_centre(img, cx, cy)) return 0.0;
    return std::hypot(cx - centre.x, cy - centre.y);
}

Centre centre_of_mass(const Image& img) {
    Centre c{(double(img.shape(1)) - 1) / 2, (double(img.shape(0)) - 1) / 2};
    mass_centre(img, c.x, c.y);
    return c;
}

Centre mean_centre_of_mass(const nn::Tensor<float>& images) {
    const std::size_t n = images.shape(0), d = images.shape(1);
    const auto side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(d))));
    if (side * side != d)
        throw std::invalid_argument("mean_centre_of_mass: images have " + std::to_string(d) +
                                    " pixels per row, which is not a square image");
    Image img({side, side});                                          // [side, side], reused
    double sx = 0, sy = 0;
    std::size_t inked = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::copy_n(&images(i, 0), d, img.data());
        double cx = 0, cy = 0;
        if (!mass_centre(img, cx, cy)) continue;
        sx += cx;
        sy += cy;
        ++inked;
    }
    if (inked == 0) return Centre{(double(side) - 1) / 2, (double(side) - 1) / 2};
    return Centre{sx / double(inked), sy / double(inked)};
}

// ---------------------------------------------------------------- the catalogue
// One row per property, in the enum's order: its name, then its units.
const names::NameTable<Property, 6> kPropertyNames = {{{Property::InkMass, "ink_mass"},
                                                    {Property::Thickness, "thickness"},
                                                    {Property::Slant, "slant"},
                                                    {Property::BBoxWidth, "bbox_width"},
                                                    {Property::BBoxHeight, "bbox_height"},
                                                    {Property::CentroidOffset, "centroid_offset"}}};
const names::NameTable<Property, 6> kPropertyUnits = {{{Property::InkMass, "pixels of full ink"},
                                                    {Property::Thickness, "pixels"},
                                                    {Property::Slant, "horizontal pixels per pixel of height"},
                                                    {Property::BBoxWidth, "pixels"},
                                                    {Property::BBoxHeight, "pixels"},
                                                    {Property::CentroidOffset, "pixels"}}};

const char* property_name(Property p) { return names::name_of(kPropertyNames, p); }
const char* property_units(Property p) { return names::name_of(kPropertyUnits, p); }
Property parse_property(const std::string& name) { return names::parse_name(kPropertyNames, name, "property"); }

std::vector<Property> all_properties() {
    std::vector<Property> all;
    for (const auto& [p, name] : kPropertyNames) all.push_back(p);
    return all;
}

std::vector<double> compute_property(const nn::Tensor<float>& images, Property p) {
    const std::size_t n = images.shape(0), d = images.shape(1);
    const auto side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(d))));
    if (side * side != d)
        throw std::invalid_argument("compute_property: images have " + std::to_string(d) +
                                    " pixels per row, which is not a square image");
    std::vector<double> out(n);
    const Centre centre = p == Property::CentroidOffset ? mean_centre_of_mass(images) : Centre{};
    Image img({side, side});                                          // [side, side], reused
    for (std::size_t i = 0; i < n; ++i) {
        std::copy_n(&images(i, 0), d, img.data());
        switch (p) {
            case Property::InkMass: out[i] = ink_mass(img); break;
            case Property::Thickness: out[i] = stroke_thickness(img); break;
            case Property::Slant: out[i] = slant(img); break;
            case Property::BBoxWidth: out[i] = bbox_width(img); break;
            case Property::BBoxHeight: out[i] = bbox_height(img); break;
            case Property::CentroidOffset: out[i] = centroid_offset(img, centre); break;
        }
    }
    return out;
}

}  // namespace sensitivity::probes
