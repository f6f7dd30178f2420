// tests/test_properties.cpp — digit properties on hand-made images whose answers are known on paper.
// Rectangles, sheared lines and rendered bars; the probes that bin by these values are tested in test_probe.cpp.
#include <doctest/doctest.h>

#include <cmath>

#include "sensitivity/probes/properties.hpp"

using sensitivity::probes::Image;

namespace {

Image blank() { return Image(std::array<std::size_t, 2>{28, 28}, 0.0f); }

// Rows [r0, r1] and columns [c0, c1] (inclusive) set to v.
Image rectangle(std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1, float v = 1.0f) {
    Image img = blank();
    for (std::size_t r = r0; r <= r1; ++r)
        for (std::size_t c = c0; c <= c1; ++c) img(r, c) = v;
    return img;
}

// A bar `width` × `length` pixels centred at (13.5, 13.5), its long axis at `degrees` from horizontal,
// anti-aliased: each pixel holds the fraction of its 16×16 sub-samples that fall inside the bar.
Image bar(double width, double length, double degrees) {
    Image img = blank();
    const double a = degrees * M_PI / 180, ca = std::cos(a), sa = std::sin(a);
    for (std::size_t r = 0; r < 28; ++r)
        for (std::size_t c = 0; c < 28; ++c) {
            int inside = 0;
            for (int i = 0; i < 16; ++i)
                for (int j = 0; j < 16; ++j) {
                    const double x = double(c) - 0.5 + (j + 0.5) / 16 - 13.5;
                    const double y = double(r) - 0.5 + (i + 0.5) / 16 - 13.5;
                    const double along = x * ca - y * sa, across = x * sa + y * ca;
                    inside += std::abs(along) <= length / 2 && std::abs(across) <= width / 2;
                }
            img(r, c) = float(inside) / 256.0f;
        }
    return img;
}

}  // namespace

TEST_CASE("a filled 6x10 rectangle: ink mass 60, bounding box 6 by 10, centroid 5 pixels from the centre") {
    const Image img = rectangle(5, 14, 8, 13);                  // rows 5..14 (h = 10), columns 8..13 (w = 6)
    CHECK(sensitivity::probes::ink_mass(img) == 60.0);
    CHECK(sensitivity::probes::bbox_width(img) == 6.0);
    CHECK(sensitivity::probes::bbox_height(img) == 10.0);
    // centre of mass (10.5, 9.5), image centre (13.5, 13.5): a 3-4-5 triangle
    CHECK(sensitivity::probes::centroid_offset(img, {13.5, 13.5}) == doctest::Approx(5.0).epsilon(1e-12));
    CHECK(sensitivity::probes::centroid_offset(img, {10.5, 9.5}) == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(sensitivity::probes::slant(img) == doctest::Approx(0.0));
}

TEST_CASE("the ink outline of a w x h rectangle is 2(w+h) - 4 + 2*sqrt(2) and thickness is 2*ink/outline") {
    const Image img = rectangle(5, 14, 8, 13);
    const double outline = 2.0 * (6 + 10) - 4 + 2 * std::sqrt(2.0);
    CHECK(sensitivity::probes::contour_length(img, 0.5f) == doctest::Approx(outline).epsilon(1e-12));
    CHECK(sensitivity::probes::stroke_thickness(img) == doctest::Approx(2 * 60 / outline).epsilon(1e-12));
    // a rectangle touching the border is closed by the zero padding
    const Image corner = rectangle(0, 2, 0, 3);
    CHECK(sensitivity::probes::contour_length(corner, 0.5f) == doctest::Approx(2.0 * 7 - 4 + 2 * std::sqrt(2.0)));
}

TEST_CASE("stroke thickness reads the bar width at any angle (within 10%), not a 45-degree sqrt(2) error") {
    // A 3 x 18 bar: ink 54, outline about 2(18 + 3) = 42, so thickness about 2.57 whatever the angle.
    const double expected = 2.0 * 54 / 42;
    for (double deg : {0.0, 20.0, 45.0, 70.0, 90.0}) {
        const Image img = bar(3, 18, deg);
        CAPTURE(deg);
        CHECK(sensitivity::probes::ink_mass(img) == doctest::Approx(54).epsilon(0.02));   // 16x16 supersampling error
        CHECK(sensitivity::probes::stroke_thickness(img) == doctest::Approx(expected).epsilon(0.10));
    }
    CHECK(sensitivity::probes::stroke_thickness(bar(5, 18, 45)) > 1.4 * sensitivity::probes::stroke_thickness(bar(3, 18, 45)));
}

TEST_CASE("slant of a sheared line: +0.5 when the top leans right, -0.5 when it leans left, 0 when upright") {
    Image right = blank(), left = blank(), upright = blank(), thick = blank();
    for (std::size_t r = 5; r <= 21; r += 2) {                   // rows 5, 7, ..., 21; x moves 1 per 2 rows up
        const auto dc = static_cast<long>((13 - long(r)) / 2);
        right(r, std::size_t(14 + dc)) = 1;
        left(r, std::size_t(14 - dc)) = 1;
        upright(r, 14) = 1;
        thick(r, std::size_t(14 + dc)) = 1;                       // two pixels wide: the same shear
        thick(r, std::size_t(15 + dc)) = 1;
    }
    CHECK(sensitivity::probes::slant(right) == doctest::Approx(0.5).epsilon(1e-12));
    CHECK(sensitivity::probes::slant(left) == doctest::Approx(-0.5).epsilon(1e-12));
    CHECK(sensitivity::probes::slant(upright) == doctest::Approx(0.0));
    CHECK(sensitivity::probes::slant(thick) == doctest::Approx(0.5).epsilon(1e-12));
    CHECK(sensitivity::probes::slant(bar(2, 20, 60)) > 0.3);              // a "/" bar 60° from horizontal: cot 60° = 0.577
    CHECK(sensitivity::probes::slant(bar(2, 20, 60)) == doctest::Approx(1 / std::tan(M_PI / 3)).epsilon(0.05));
}

TEST_CASE("an empty image has every property 0") {
    const Image img = blank();
    CHECK(sensitivity::probes::ink_mass(img) == 0);
    CHECK(sensitivity::probes::stroke_thickness(img) == 0);
    CHECK(sensitivity::probes::slant(img) == 0);
    CHECK(sensitivity::probes::bbox_width(img) == 0);
    CHECK(sensitivity::probes::bbox_height(img) == 0);
    CHECK(sensitivity::probes::centroid_offset(img, {13.5, 13.5}) == 0);
    CHECK(sensitivity::probes::centre_of_mass(img).x == 13.5);   // no ink: the image centre
}

TEST_CASE("compute_property measures every row of a batch like the single-image functions") {
    nn::Tensor<float> batch({3, 784});
    const Image imgs[3] = {rectangle(5, 14, 8, 13), bar(3, 18, 30), rectangle(2, 3, 20, 26, 0.7f)};
    for (std::size_t i = 0; i < 3; ++i) std::copy_n(imgs[i].data(), 784, &batch(i, 0));
    // The centroid offset is measured from the batch's mean centre of mass, computed here by hand:
    // (10.5, 9.5), (bar's own centre), (23, 2.5) averaged.
    const sensitivity::probes::Centre mean = sensitivity::probes::mean_centre_of_mass(batch);
    const sensitivity::probes::Centre c1 = sensitivity::probes::centre_of_mass(imgs[1]);
    CHECK(mean.x == doctest::Approx((10.5 + c1.x + 23.0) / 3).epsilon(1e-12));
    CHECK(mean.y == doctest::Approx((9.5 + c1.y + 2.5) / 3).epsilon(1e-12));
    auto single = [&](sensitivity::probes::Property p, const Image& img) {
        using P = sensitivity::probes::Property;
        return p == P::InkMass ? sensitivity::probes::ink_mass(img) : p == P::Thickness ? sensitivity::probes::stroke_thickness(img)
             : p == P::Slant ? sensitivity::probes::slant(img) : p == P::BBoxWidth ? sensitivity::probes::bbox_width(img)
             : p == P::BBoxHeight ? sensitivity::probes::bbox_height(img) : sensitivity::probes::centroid_offset(img, mean);
    };
    for (auto p : sensitivity::probes::all_properties()) {
        const auto values = sensitivity::probes::compute_property(batch, p);
        REQUIRE(values.size() == 3);
        CAPTURE(sensitivity::probes::property_name(p));
        for (std::size_t i = 0; i < 3; ++i) CHECK(values[i] == single(p, imgs[i]));
    }
    const auto w = sensitivity::probes::compute_property(batch, sensitivity::probes::Property::BBoxWidth);
    CHECK(w[0] == 6);
    CHECK(w[2] == 7);
    const auto ink = sensitivity::probes::compute_property(batch, sensitivity::probes::Property::InkMass);
    CHECK(ink[2] == doctest::Approx(14 * 0.7));
    nn::Tensor<float> odd({2, 780});
    CHECK_THROWS_WITH(sensitivity::probes::compute_property(odd, sensitivity::probes::Property::InkMass),
                      doctest::Contains("780 pixels per row"));
}

TEST_CASE("property names round-trip and an unknown name lists the valid ones") {
    for (auto p : sensitivity::probes::all_properties())
        CHECK(sensitivity::probes::parse_property(sensitivity::probes::property_name(p)) == p);
    CHECK_THROWS_WITH(sensitivity::probes::parse_property("ink"), doctest::Contains("ink_mass, thickness"));
}
