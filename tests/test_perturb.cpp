// tests/test_perturb.cpp — each perturber does what its name says: exact identity at p = 0, stated error bounds otherwise.
// Reference images are drawn analytically here (Gaussian blobs, deltas), never taken from the perturbers' own output.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "sensitivity/probes/perturb.hpp"

using sensitivity::probes::Centre;
using sensitivity::probes::Image;

namespace {

Image filled(std::size_t h, std::size_t w, float v) { return Image(std::array<std::size_t, 2>{h, w}, v); }

Image random_image(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    Image img = filled(28, 28, 0);
    for (auto& v : img) v = u(rng);
    return img;
}

// exp(-((x - x0)² + (y - y0)²) / (2 s²)) sampled at the pixel centres (x = column, y = row).
Image blob(double x0, double y0, double s, std::size_t side = 28) {
    Image img = filled(side, side, 0);
    for (std::size_t r = 0; r < side; ++r)
        for (std::size_t c = 0; c < side; ++c)
            img(r, c) = float(std::exp(-((c - x0) * (c - x0) + (r - y0) * (r - y0)) / (2 * s * s)));
    return img;
}

double max_abs_diff(const Image& a, const Image& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a.data()[i]) - b.data()[i]));
    return m;
}

// Σ v·((x - cx)² + (y - cy)²) / Σ v about the intensity centroid.
double second_moment(const Image& img) {
    double m = 0, sx = 0, sy = 0;
    for (std::size_t r = 0; r < img.shape(0); ++r)
        for (std::size_t c = 0; c < img.shape(1); ++c) {
            m += img(r, c);
            sx += img(r, c) * double(c);
            sy += img(r, c) * double(r);
        }
    const double cx = sx / m, cy = sy / m;
    double v = 0;
    for (std::size_t r = 0; r < img.shape(0); ++r)
        for (std::size_t c = 0; c < img.shape(1); ++c)
            v += img(r, c) * ((double(c) - cx) * (double(c) - cx) + (double(r) - cy) * (double(r) - cy));
    return v / m;
}

}  // namespace

TEST_CASE("every perturber is exactly the identity at p = 0") {
    const Image img = random_image(1);
    for (const auto& name : sensitivity::probes::perturber_names()) {
        const auto perturber = sensitivity::probes::make_perturber(name);
        std::mt19937_64 rng(5);
        Image out;
        perturber.apply(img, 0.0, rng, out);
        CAPTURE(name);
        CHECK(out.shape() == img.shape());
        CHECK(max_abs_diff(out, img) == 0.0);
    }
}

TEST_CASE("rotation by +90 degrees about the image centre turns a blob right of it to above it (counter-clockwise)") {
    // At multiples of 90° every sample lands on a pixel centre (up to cos 90° ≈ 6e-17), so the only error is float rounding.
    const Centre mid{13.5, 13.5};
    Image out;
    sensitivity::probes::rotate_about(blob(20.5, 13.5, 2.0), 90.0, mid, out);
    CHECK(max_abs_diff(out, blob(13.5, 6.5, 2.0)) < 1e-6);
    sensitivity::probes::rotate_about(blob(20.5, 13.5, 2.0), -90.0, mid, out);
    CHECK(max_abs_diff(out, blob(13.5, 20.5, 2.0)) < 1e-6);
}

TEST_CASE("rotating a smooth image by 90 degrees four times returns it (error < 1e-6)") {
    const Image img = blob(17.0, 10.0, 3.0);
    const Centre mid{13.5, 13.5};
    Image a, b;
    sensitivity::probes::rotate_about(img, 90, mid, a);
    sensitivity::probes::rotate_about(a, 90, mid, b);
    sensitivity::probes::rotate_about(b, 90, mid, a);
    sensitivity::probes::rotate_about(a, 90, mid, b);
    CHECK(max_abs_diff(b, img) < 1e-6);
}

TEST_CASE("rotate() turns a digit about its own centre of mass: an off-centre blob stays where it is") {
    // Two blobs, centre of mass at (16, 12) — off the image centre, as MNIST's (14, 14) is by half a pixel.
    Image img = blob(12.0, 12.0, 1.5);
    const Image right = blob(20.0, 12.0, 1.5);
    for (std::size_t i = 0; i < img.size(); ++i) img.data()[i] += right.data()[i];
    const Centre c = sensitivity::probes::centre_of_mass(img);
    CHECK(c.x == doctest::Approx(16.0).epsilon(1e-6));
    CHECK(c.y == doctest::Approx(12.0).epsilon(1e-6));
    Image out;
    sensitivity::probes::rotate(img, 90, out);
    const Centre after = sensitivity::probes::centre_of_mass(out);
    CHECK(std::hypot(after.x - 16.0, after.y - 12.0) < 0.01);
    // The two blobs now stand one above the other at x = 16: (16, 8) and (16, 16).
    CHECK(max_abs_diff(out, [] {
        Image e = blob(16.0, 8.0, 1.5);
        const Image f = blob(16.0, 16.0, 1.5);
        for (std::size_t i = 0; i < e.size(); ++i) e.data()[i] += f.data()[i];
        return e;
    }()) < 0.03);                                // (16, 12) is a pixel centre: a 90° turn samples pixel centres
    // About the image centre instead, the same turn moves the centre of mass to (13.5 + (12 - 13.5), 13.5 - (16 - 13.5)).
    sensitivity::probes::rotate_about(img, 90, Centre{13.5, 13.5}, out);
    const Centre moved = sensitivity::probes::centre_of_mass(out);
    CHECK(moved.x == doctest::Approx(12.0).epsilon(1e-3));
    CHECK(moved.y == doctest::Approx(11.0).epsilon(1e-3));
}

TEST_CASE("bilinear rotation by 30 degrees matches the analytically rotated blob within h^2/8 (|f_xx| + |f_yy|)") {
    // Blob of width s = 3: |f_xx| + |f_yy| <= 2/s² = 0.222, so bilinear interpolation errs by at most 0.222/8 = 0.028.
    // Where the blob centre (18.5, 11.5) lands after turning 30° CCW on screen about (13.5, 13.5):
    const double a = 30 * M_PI / 180, dx = 18.5 - 13.5, dy = 11.5 - 13.5;
    const double x1 = 13.5 + dx * std::cos(a) + dy * std::sin(a), y1 = 13.5 - dx * std::sin(a) + dy * std::cos(a);
    Image out, back;
    sensitivity::probes::rotate_about(blob(18.5, 11.5, 3.0), 30, Centre{13.5, 13.5}, out);
    const double err = max_abs_diff(out, blob(x1, y1, 3.0));
    MESSAGE("max error of a 30 degree bilinear rotation: " << err << " (bound 0.028)");
    CHECK(err < 0.028);
    CHECK(err > 1e-4);                           // it is an interpolation, not a lucky exact case
    sensitivity::probes::rotate_about(out, -30, Centre{13.5, 13.5}, back);   // two interpolations: at most twice the bound
    CHECK(max_abs_diff(back, blob(18.5, 11.5, 3.0)) < 0.056);
}

TEST_CASE("blur keeps the total ink when the border is wide enough, and spreads a point to variance 2 sigma^2") {
    for (double sigma : {0.5, 1.0, 2.0, 3.0}) {
        Image delta = filled(28, 28, 0);
        delta(13, 14) = 1;                       // ≥ 13 pixels from every border; the kernel reaches ceil(4σ) ≤ 12
        Image out;
        sensitivity::probes::gaussian_blur(delta, sigma, out);
        double ink = 0;
        for (float v : out) ink += v;
        CAPTURE(sigma);
        CHECK(ink == doctest::Approx(1.0).epsilon(1e-6));
        CHECK(out(13, 14 + 1) == doctest::Approx(out(13, 14 - 1)).epsilon(1e-6));   // symmetric
        if (sigma >= 1) CHECK(second_moment(out) == doctest::Approx(2 * sigma * sigma).epsilon(1e-3));
    }
    Image big_blob = blob(13.5, 13.5, 2.0), out;   // a blob with a thin dark border loses a little ink
    sensitivity::probes::gaussian_blur(big_blob, 3.0, out);
    CHECK(second_moment(out) > second_moment(big_blob));
}

TEST_CASE("noise has the requested sigma on an unclipped mid-grey image, is seeded, and stays in [0, 1]") {
    const Image grey = filled(200, 200, 0.5f);    // 40000 pixels; with σ = 0.05 clipping is 10σ away
    std::mt19937_64 rng(42);
    Image out;
    sensitivity::probes::add_noise(grey, 0.05, rng, out);
    double s = 0, ss = 0;
    for (float v : out) {
        s += v - 0.5;
        ss += (v - 0.5) * (v - 0.5);
    }
    const double n = double(out.size()), mean = s / n, sd = std::sqrt(ss / n - mean * mean);
    CHECK(std::abs(mean) < 0.002);                // standard error 0.00025
    CHECK(sd == doctest::Approx(0.05).epsilon(0.03));  // standard error of sd: 0.05/√(2n) = 0.35%
    std::mt19937_64 same(42), other(43);
    Image again, different;
    sensitivity::probes::add_noise(grey, 0.05, same, again);
    sensitivity::probes::add_noise(grey, 0.05, other, different);
    CHECK(max_abs_diff(out, again) == 0.0);
    CHECK(max_abs_diff(out, different) > 0.0);
    sensitivity::probes::add_noise(grey, 2.0, rng, out);
    int zeros = 0, ones = 0, outside = 0;
    for (float v : out) {
        outside += v < 0.0f || v > 1.0f;
        zeros += v == 0.0f;
        ones += v == 1.0f;
    }
    CHECK(outside == 0);
    CHECK(zeros > 0);
    CHECK(ones > 0);
}

TEST_CASE("an integer shift moves every pixel exactly and lets zeros in") {
    const Image img = random_image(3);
    Image out;
    sensitivity::probes::shift(img, 3, -2, out);          // 3 right, 2 up
    for (long r = 0; r < 28; ++r)
        for (long c = 0; c < 28; ++c) {
            const long sr = r + 2, sc = c - 3;
            const float expected = (sr < 28 && sc >= 0) ? img(sr, sc) : 0.0f;
            REQUIRE(out(r, c) == expected);
        }
    sensitivity::probes::shift(img, 0.5, 0, out);         // half a pixel: the mean of two neighbours
    CHECK(out(10, 10) == doctest::Approx((img(10, 9) + img(10, 10)) / 2).epsilon(1e-6));
}

TEST_CASE("occlusion zeroes exactly side^2 pixels of a centred square") {
    const Image ones = filled(28, 28, 1.0f);
    for (double side : {1.0, 5.0, 6.0, 27.0, 28.0}) {
        Image out;
        sensitivity::probes::occlude(ones, side, out);
        int zeros = 0;
        for (float v : out) zeros += v == 0.0f;
        CAPTURE(side);
        CHECK(zeros == int(side * side));
    }
    Image out;
    sensitivity::probes::occlude(ones, 6, out);           // even side: rows and columns 11..16, centred on 13.5
    CHECK(out(11, 11) == 0.0f);
    CHECK(out(16, 16) == 0.0f);
    CHECK(out(10, 13) == 1.0f);
    CHECK(out(17, 13) == 1.0f);
    sensitivity::probes::occlude(ones, 40, out);          // larger than the image: all of it
    CHECK(max_abs_diff(out, filled(28, 28, 0)) == 0.0);
    CHECK_THROWS_WITH(sensitivity::probes::occlude(ones, -1, out), doctest::Contains("side must be >= 0"));
}

TEST_CASE("scaling by 1 + p about the centre multiplies a centred blob's spread by (1 + p)^2") {
    // Bilinear sampling adds the variance of its interpolation kernel, measured in source pixels: magnifying
    // (samples between source pixels) adds the triangle kernel's 1/6 per axis, and halving (every sample exactly
    // half-way between two source pixels) adds a two-point average's 1/4 per axis; both scale with factor².
    const Image img = blob(13.5, 13.5, 2.0);      // second moment 2 s² = 8
    Image out;
    sensitivity::probes::rescale(img, 1.0, out);          // twice as large: 4·8 + 4·2/6
    CHECK(second_moment(out) == doctest::Approx(4 * 8.0 + 4 * 2.0 / 6).epsilon(0.01));
    sensitivity::probes::rescale(img, -0.5, out);         // half as large: 8/4 + 2·(1/4)/4
    CHECK(second_moment(out) == doctest::Approx(8.0 / 4 + 2 * 0.25 / 4).epsilon(0.01));
    CHECK_THROWS_WITH(sensitivity::probes::rescale(img, -1.0, out), doctest::Contains("change must be > -1"));
}

TEST_CASE("contrast reduction pulls pixels to the image mean and keeps the mean") {
    Image img = filled(28, 28, 0.2f);
    for (std::size_t c = 0; c < 28; ++c) img(5, c) = 0.8f;
    const double mean = (0.2 * 27 + 0.8) / 28;
    Image out;
    sensitivity::probes::reduce_contrast(img, 1.0, out);
    CHECK(max_abs_diff(out, filled(28, 28, float(mean))) < 1e-6);
    sensitivity::probes::reduce_contrast(img, 0.5, out);
    CHECK(out(5, 3) == doctest::Approx(mean + 0.5 * (0.8 - mean)).epsilon(1e-6));
    double total = 0;
    for (float v : out) total += v;
    CHECK(total / 784 == doctest::Approx(mean).epsilon(1e-6));
}

TEST_CASE("an unknown perturber name lists the valid ones") {
    CHECK_THROWS_WITH(sensitivity::probes::make_perturber("rotate"), doctest::Contains("rotation, blur, noise"));
}
