// sensitivity/probes/perturb.cpp — the image transforms behind the perturbation probes, and their catalogue by name.
// Geometric transforms share one bilinear sampler; no probe statistics here.
#include "sensitivity/probes/perturb.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sensitivity::probes {

namespace {

// in(y, x) at a real position, bilinear, 0 outside the image. Exact at integer positions (weights 1 and 0).
double sample(const Image& in, double x, double y) {
    const long H = static_cast<long>(in.shape(0)), W = static_cast<long>(in.shape(1));
    const double fx0 = std::floor(x), fy0 = std::floor(y);
    const long x0 = static_cast<long>(fx0), y0 = static_cast<long>(fy0);
    const double fx = x - fx0, fy = y - fy0;
    auto at = [&](long r, long c) -> double {
        return (r < 0 || c < 0 || r >= H || c >= W) ? 0.0 : in(r, c);
    };
    const double top = (1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1);
    const double bottom = (1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1);
    return (1 - fy) * top + fy * bottom;
}

// out(r, c) = in at source(c, r): the inverse map of a geometric transform, sampled bilinearly.
template <class SourceOf>
void warp(const Image& in, Image& out, SourceOf source_of) {
    nn::reshape_to(out, in.shape(0), in.shape(1));
    for (std::size_t r = 0; r < in.shape(0); ++r)
        for (std::size_t c = 0; c < in.shape(1); ++c) {
            double sx = 0, sy = 0;
            source_of(double(c), double(r), sx, sy);
            out(r, c) = static_cast<float>(sample(in, sx, sy));
        }
}

void copy(const Image& in, Image& out) {
    nn::reshape_to(out, in.shape(0), in.shape(1));
    std::copy(in.begin(), in.end(), out.begin());
}

}  // namespace

void rotate(const Image& in, double degrees, Image& out) {
    if (degrees == 0) return copy(in, out);                  // p = 0 is the identity, exactly
    rotate_about(in, degrees, centre_of_mass(in), out);
}

void rotate_about(const Image& in, double degrees, Centre centre, Image& out) {
    const double cx = centre.x, cy = centre.y;
    const double a = degrees * M_PI / 180, ca = std::cos(a), sa = std::sin(a);
    // With y pointing down, an on-screen CCW turn by a maps (x, y) -> (x cos a + y sin a, -x sin a + y cos a);
    // each output pixel samples the inverse of that.
    warp(in, out, [&](double x, double y, double& sx, double& sy) {
        const double dx = x - cx, dy = y - cy;
        sx = cx + (dx * ca - dy * sa);
        sy = cy + (dx * sa + dy * ca);
    });
}

void shift(const Image& in, double dx, double dy, Image& out) {
    warp(in, out, [&](double x, double y, double& sx, double& sy) {
        sx = x - dx;
        sy = y - dy;
    });
}

void rescale(const Image& in, double change, Image& out) {
    const double factor = 1 + change;
    if (!(factor > 0))
        throw std::invalid_argument("rescale: change must be > -1 (scale factor 1 + change > 0), got " +
                                    std::to_string(change));
    const double cx = (double(in.shape(1)) - 1) / 2, cy = (double(in.shape(0)) - 1) / 2;
    warp(in, out, [&](double x, double y, double& sx, double& sy) {
        sx = cx + (x - cx) / factor;
        sy = cy + (y - cy) / factor;
    });
}

void gaussian_blur(const Image& in, double sigma, Image& out) {
    if (sigma < 0) throw std::invalid_argument("gaussian_blur: sigma must be >= 0, got " + std::to_string(sigma));
    if (sigma == 0) return copy(in, out);                    // p = 0 is the identity, exactly
    const long radius = static_cast<long>(std::ceil(4 * sigma));
    std::vector<double> k(static_cast<std::size_t>(2 * radius + 1));
    double total = 0;
    for (long i = -radius; i <= radius; ++i) total += (k[std::size_t(i + radius)] = std::exp(-0.5 * i * i / (sigma * sigma)));
    for (double& v : k) v /= total;

    const long H = static_cast<long>(in.shape(0)), W = static_cast<long>(in.shape(1));
    std::vector<double> rows(static_cast<std::size_t>(H * W));  // horizontal pass, kept in double
    for (long r = 0; r < H; ++r)
        for (long c = 0; c < W; ++c) {
            double s = 0;
            for (long i = std::max(-radius, -c); i <= std::min(radius, W - 1 - c); ++i)
                s += k[std::size_t(i + radius)] * in(r, c + i);
            rows[std::size_t(r * W + c)] = s;
        }
    nn::reshape_to(out, in.shape(0), in.shape(1));
    for (long r = 0; r < H; ++r)                             // vertical pass
        for (long c = 0; c < W; ++c) {
            double s = 0;
            for (long i = std::max(-radius, -r); i <= std::min(radius, H - 1 - r); ++i)
                s += k[std::size_t(i + radius)] * rows[std::size_t((r + i) * W + c)];
            out(r, c) = static_cast<float>(s);
        }
}

void add_noise(const Image& in, double sigma, std::mt19937_64& rng, Image& out) {
    if (sigma < 0) throw std::invalid_argument("add_noise: sigma must be >= 0, got " + std::to_string(sigma));
    if (sigma == 0) return copy(in, out);                    // p = 0 is the identity, exactly
    nn::reshape_to(out, in.shape(0), in.shape(1));
    std::normal_distribution<double> z(0.0, sigma);
    for (std::size_t i = 0; i < in.size(); ++i)
        out.data()[i] = static_cast<float>(std::clamp(in.data()[i] + z(rng), 0.0, 1.0));
}

void reduce_contrast(const Image& in, double amount, Image& out) {
    if (amount == 0) return copy(in, out);                   // p = 0 is the identity, exactly (no m + (x - m) rounding)
    double m = 0;
    for (float v : in) m += v;
    m /= static_cast<double>(in.size());
    nn::reshape_to(out, in.shape(0), in.shape(1));
    for (std::size_t i = 0; i < in.size(); ++i)
        out.data()[i] = static_cast<float>(std::clamp(m + (1 - amount) * (in.data()[i] - m), 0.0, 1.0));
}

void occlude(const Image& in, double side, Image& out) {
    if (side < 0) throw std::invalid_argument("occlude: side must be >= 0 pixels, got " + std::to_string(side));
    copy(in, out);
    const std::size_t H = in.shape(0), W = in.shape(1);
    const std::size_t s = std::min<std::size_t>(static_cast<std::size_t>(std::lround(side)), std::min(H, W));
    const std::size_t r0 = (H - s) / 2, c0 = (W - s) / 2;
    for (std::size_t r = r0; r < r0 + s; ++r)
        for (std::size_t c = c0; c < c0 + s; ++c) out(r, c) = 0.0f;
}

// ---------------------------------------------------------------- the catalogue
std::vector<std::string> perturber_names() {
    return {"rotation", "blur", "noise", "shift", "scale", "contrast", "occlusion"};
}

Perturber make_perturber(const std::string& name) {
    using Rng = std::mt19937_64;
    if (name == "rotation")
        return {name, "degrees", [](const Image& in, double p, Rng&, Image& out) { rotate(in, p, out); }};
    if (name == "blur")
        return {name, "pixels (σ)", [](const Image& in, double p, Rng&, Image& out) { gaussian_blur(in, p, out); }};
    if (name == "noise")
        return {name, "intensity (σ)", [](const Image& in, double p, Rng& rng, Image& out) { add_noise(in, p, rng, out); }};
    if (name == "shift")
        return {name, "pixels right", [](const Image& in, double p, Rng&, Image& out) { shift(in, p, 0.0, out); }};
    if (name == "scale")
        return {name, "relative size change", [](const Image& in, double p, Rng&, Image& out) { rescale(in, p, out); }};
    if (name == "contrast")
        return {name, "contrast reduction", [](const Image& in, double p, Rng&, Image& out) { reduce_contrast(in, p, out); }};
    if (name == "occlusion")
        return {name, "pixels (square side)", [](const Image& in, double p, Rng&, Image& out) { occlude(in, p, out); }};
    std::string names;
    for (const auto& n : perturber_names()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown perturber '" + name + "' (expected one of " + names + ")");
}

}  // namespace sensitivity::probes
