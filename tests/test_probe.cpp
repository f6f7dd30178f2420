// tests/test_probe.cpp — the probe engine on a fake model whose correct-class score is a known function of the property.
// Binning invariants, row statistics recomputed by hand, the fitted slope, fit ranges, batching, and the CSV/JSON outputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "sensitivity/figures/probe_plot.hpp"
#include "sensitivity/probes/probe.hpp"
#include "sensitivity/probes/probe_curve.hpp"
#include "sensitivity/probes/probe_io.hpp"

using namespace sensitivity::figures;
using namespace sensitivity::probes;

namespace {

// The fake world. Pixel 0 of an image holds its property p, pixel 1 its label / 10, pixel 2 a noise draw u.
// The fake model gives the true class the score s = 0.2 + 0.5·min(p, 1) + 0.1·(u - 0.5), and the rest 1 - s
// to the next class, so the example is classified correctly exactly when s > 0.5. Known slope: 0.5 per unit p.
double fake_score(double p, double u) { return 0.2 + 0.5 * std::min(p, 1.0) + 0.1 * (u - 0.5); }

int calls = 0;
nn::Tensor<float> fake_predict(const nn::Tensor<float>& x) {
    ++calls;
    nn::Tensor<float> probs = xt::zeros<float>({x.shape(0), std::size_t(10)});
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        const auto label = std::min<std::size_t>(9, static_cast<std::size_t>(std::lround(x(i, 1) * 10)));
        const double s = fake_score(x(i, 0), x(i, 2));
        probs(i, label) = float(s);
        probs(i, (label + 1) % 10) = float(1 - s);
    }
    return probs;
}

struct World {
    nn::Tensor<float> images;   // [N, 784]
    std::vector<int> labels;
    std::vector<double> p, u;
};

World make_world(std::size_t n, std::uint64_t seed, double p_max = 1.0) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> up(0, p_max), uu(0, 1);
    std::uniform_int_distribution<int> ul(0, 9);
    World w;
    w.images = xt::zeros<float>({n, std::size_t(784)});
    for (std::size_t i = 0; i < n; ++i) {
        w.p.push_back(float(up(rng)));               // as stored in the image, so p and pixel 0 agree exactly
        w.u.push_back(float(uu(rng)));
        w.labels.push_back(ul(rng));
        w.images(i, 0) = float(w.p.back());
        w.images(i, 1) = float(w.labels.back()) / 10.0f;
        w.images(i, 2) = float(w.u.back());
    }
    return w;
}

std::size_t total(const std::vector<std::vector<std::size_t>>& bins) {
    std::size_t n = 0;
    for (const auto& b : bins) n += b.size();
    return n;
}

// Adds p to pixel 0 (the property the fake model reads).
Perturber add_to_property() {
    return {"add", "units of p", [](const Image& in, double p, std::mt19937_64&, Image& out) {
                out = in;
                out.data()[0] += float(p);
            }};
}

}  // namespace

TEST_CASE("equal-count bins hold every example once, keep ties together and include the maximum") {
    const std::vector<double> p = {3, 0, 0, 1, 0, 1, 2, 3, 3, 3, 5, 5};
    const auto bins = make_bins(p, {Binning::EqualCount, 4});
    CHECK(total(bins) == p.size());
    std::set<std::size_t> seen;
    for (const auto& b : bins) seen.insert(b.begin(), b.end());
    CHECK(seen.size() == p.size());
    std::set<double> first_values;
    for (const auto& b : bins) {
        std::set<double> values;
        for (std::size_t i : b) values.insert(p[i]);
        for (double v : values) CHECK(first_values.insert(v).second);   // no value in two bins
    }
    CHECK(p[bins.back().back()] == 5);                                   // the maximum is kept
    // 10 000 values from only 5 distinct integers: at most 5 bins, all examples kept.
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<int> ui(0, 4);
    std::vector<double> ties(10000);
    for (double& v : ties) v = ui(rng);
    const auto tie_bins = make_bins(ties, {Binning::EqualCount, 10});
    CHECK(tie_bins.size() <= 5);
    CHECK(total(tie_bins) == ties.size());
    // distinct values: sizes differ by at most one
    std::vector<double> distinct(1003);
    std::iota(distinct.begin(), distinct.end(), 0.0);
    std::shuffle(distinct.begin(), distinct.end(), rng);
    const auto even = make_bins(distinct, {Binning::EqualCount, 10});
    REQUIRE(even.size() == 10);
    for (const auto& b : even) CHECK((b.size() == 100 || b.size() == 101));
}

TEST_CASE("equal-width bins put the minimum in the first bin and the maximum in the last; counts sum to N") {
    std::vector<double> p(11);
    std::iota(p.begin(), p.end(), 0.0);                                 // 0..10 in 5 bins of width 2
    const auto bins = make_bins(p, {Binning::EqualWidth, 5});
    REQUIRE(bins.size() == 5);
    CHECK(bins[0].size() == 2);
    CHECK(bins[4].size() == 3);                                         // 8, 9 and the maximum 10
    CHECK(total(bins) == 11);
    const std::vector<double> gap = {0, 0.1, 9.9, 10};                  // the middle bins are empty and dropped
    CHECK(make_bins(gap, {Binning::EqualWidth, 10}).size() == 2);
    CHECK(total(make_bins(gap, {Binning::EqualWidth, 10})) == 4);
    const std::vector<double> same = {2, 2, 2};
    CHECK(make_bins(same, {Binning::EqualWidth, 10}).size() == 1);
    CHECK(make_bins(same, {Binning::EqualCount, 10}).size() == 1);
    CHECK(make_bins(p, {Binning::None, 0}).size() == 11);
    CHECK_THROWS_WITH(make_bins({1, NAN}, {}), doctest::Contains("property value 1 is not finite"));
}

TEST_CASE("property probe: rows match hand-computed bin statistics and the slope recovers the known 0.5") {
    const World w = make_world(2000, 7);
    calls = 0;
    const ProbeResult r = property_probe("fake", "units", w.p, fake_predict, w.images, w.labels);
    CHECK(calls == 2);                                                  // two chunks of 1000
    REQUIRE(r.rows.size() == 10);
    // bins by hand: sort by p, 200 per bin
    std::vector<std::size_t> order(2000);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return w.p[a] < w.p[b]; });
    std::size_t n_total = 0;
    for (std::size_t k = 0; k < 10; ++k) {
        double sp = 0, ss = 0, sss = 0, acc = 0;
        for (std::size_t j = 200 * k; j < 200 * (k + 1); ++j) {
            const std::size_t i = order[j];
            const double s = float(fake_score(w.p[i], w.u[i]));         // the score as the float probs hold it
            sp += w.p[i];
            ss += s;
            sss += s * s;
            acc += s > 0.5;
        }
        const double mean = ss / 200;
        CAPTURE(k);
        CHECK(r.rows[k].n == 200);
        CHECK(r.rows[k].p == doctest::Approx(sp / 200).epsilon(1e-12));
        CHECK(r.rows[k].mean_score == doctest::Approx(mean).epsilon(1e-9));
        CHECK(r.rows[k].std_score == doctest::Approx(std::sqrt((sss - 200 * mean * mean) / 199)).epsilon(1e-6));
        CHECK(r.rows[k].accuracy == doctest::Approx(acc / 200).epsilon(1e-12));
        n_total += r.rows[k].n;
    }
    CHECK(n_total == 2000);
    REQUIRE(r.fit);
    CHECK(r.fit->slope == doctest::Approx(0.5).epsilon(0.02));
    CHECK(r.fit->ci95.lo < 0.5);
    CHECK(r.fit->ci95.hi > 0.5);
    CHECK(r.fit->ci50.lo > r.fit->ci95.lo);
    CHECK(r.fit->ci50.hi < r.fit->ci95.hi);
    CHECK(r.fit->intercept == doctest::Approx(0.2).epsilon(0.05));
    CHECK(r.fit->significance == "high");
    CHECK(r.fit->n_points == 2000);
    CHECK(r.kind == "property");
    CHECK(r.binning == "equal_count");
}

TEST_CASE("significance by practical equivalence: an unrelated property is not 'high', and a floor above the slope "
          "makes the real effect 'negligible'") {
    const World w = make_world(2000, 8);
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> unrelated(2000);
    for (double& v : unrelated) v = u(rng);
    const Outcomes o = predict_outcomes(fake_predict, w.images, w.labels);
    const ProbeResult flat = property_probe("unrelated", "", unrelated, o);
    REQUIRE(flat.fit);
    CHECK(flat.fit->significance == "uncertain");                       // ±0.022 per unit: the interval straddles it
    CHECK(flat.fit->interval == "hc3");
    // The floor is 0.02 of score across the 5-95% quantile range of p, computed here by hand.
    std::vector<double> sorted = unrelated;
    std::sort(sorted.begin(), sorted.end());
    auto q = [&](double f) {
        const double h = f * 1999;
        const auto i = static_cast<std::size_t>(h);
        return sorted[i] + (h - double(i)) * (sorted[i + 1] - sorted[i]);
    };
    CHECK(flat.fit->floor == doctest::Approx(0.02 / (q(0.95) - q(0.05))).epsilon(1e-12));
    FitOptions generous;
    generous.score_floor = 0.2;                                          // 0.22 per unit: far above the noise
    CHECK(property_probe("unrelated", "", unrelated, o, {}, generous).fit->significance == "negligible");
    FitOptions strict;
    strict.score_floor = 0.6;                                           // 0.67 per unit, above the true 0.5
    CHECK(property_probe("fake", "", w.p, o, {}, strict).fit->significance == "negligible");
    CHECK(property_probe("fake", "", w.p, o).fit->significance == "high");
    // The floor comes from the examples, not the table: other bins, the same floor and label.
    const ProbeResult five = property_probe("fake", "", w.p, o, {Binning::EqualWidth, 5});
    CHECK(five.fit->floor == property_probe("fake", "", w.p, o).fit->floor);
}

TEST_CASE("fitting bin means with count or standard-error weights also recovers the slope") {
    const World w = make_world(3000, 9);
    const Outcomes o = predict_outcomes(fake_predict, w.images, w.labels, 256);
    for (BinWeights weights : {BinWeights::Equal, BinWeights::Count, BinWeights::StdError}) {
        FitOptions f;
        f.on = FitOn::BinMeans;
        f.weights = weights;
        const ProbeResult r = property_probe("fake", "", w.p, o, {Binning::EqualWidth, 10}, f);
        CAPTURE(bin_weights_name(weights));
        REQUIRE(r.fit);
        CHECK(r.fit->n_points == 10);
        CHECK(r.fit->slope == doctest::Approx(0.5).epsilon(0.03));
        CHECK(r.fit->significance == "high");
    }
    FitOptions se;
    se.on = FitOn::BinMeans;
    se.weights = BinWeights::StdError;
    const ProbeResult single = property_probe("fake", "", w.p, o, {Binning::None, 0}, se);
    CHECK_FALSE(single.fit);
    CHECK(single.note.find("use bin weights") != std::string::npos);
}

TEST_CASE("perturbation probe: one row per strength, slope recovered, and a fit range restricted to the linear part") {
    const World w = make_world(1500, 10, 0.0);                          // every p starts at 0
    const std::vector<double> strengths = {0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0};   // the score saturates after p = 1
    calls = 0;
    FitOptions linear;
    linear.range_lo = 0;
    linear.range_hi = 1;
    const ProbeResult r = perturbation_probe(add_to_property(), strengths, fake_predict, w.images, w.labels, linear);
    CHECK(calls == 7 * 2);                                              // 1500 images in chunks of 1000
    REQUIRE(r.rows.size() == strengths.size());
    for (std::size_t k = 0; k < strengths.size(); ++k) {
        CHECK(r.rows[k].p == strengths[k]);
        CHECK(r.rows[k].n == 1500);
    }
    CHECK(r.rows[0].mean_score == doctest::Approx(0.2).epsilon(0.01));
    CHECK(r.rows[6].mean_score == doctest::Approx(0.7).epsilon(0.01));
    CHECK(r.rows[0].accuracy == 0.0);                                   // s ≤ 0.25 < 0.5
    CHECK(r.rows[6].accuracy == 1.0);                                   // s ≥ 0.65 > 0.5
    REQUIRE(r.fit);
    CHECK(r.fit->slope == doctest::Approx(0.5).epsilon(0.01));
    CHECK(r.fit->fit_range.lo == 0.0);
    CHECK(r.fit->fit_range.hi == 1.0);
    CHECK(r.fit->n_points == 5 * 1500);
    const ProbeResult all = perturbation_probe(add_to_property(), strengths, fake_predict, w.images, w.labels);
    REQUIRE(all.fit);
    CHECK(all.fit->slope < 0.4);                                        // the flat tail drags the slope down
    CHECK(all.fit->fit_range.hi == 2.0);
}

TEST_CASE("perturbation probe results do not depend on the batch size, and noise is reproducible from the seed") {
    World w = make_world(300, 11);
    for (std::size_t i = 0; i < 300; ++i)                               // a little ink so rotation moves something
        for (std::size_t j = 3; j < 784; j += 37) w.images(i, j) = 0.5f;
    const std::vector<double> degrees = {0, 30, 60};
    const auto a = perturbation_probe(make_perturber("rotation"), degrees, fake_predict, w.images, w.labels, {}, 0, 7);
    const auto b = perturbation_probe(make_perturber("rotation"), degrees, fake_predict, w.images, w.labels, {}, 0, 1000);
    for (std::size_t k = 0; k < degrees.size(); ++k) CHECK(a.rows[k].mean_score == b.rows[k].mean_score);
    CHECK(a.rows[1].mean_score != a.rows[0].mean_score);                // pixel 0 is rotated away: the fake score moves
    const std::vector<double> sigmas = {0, 0.1};
    const auto n1 = perturbation_probe(make_perturber("noise"), sigmas, fake_predict, w.images, w.labels, {}, 5);
    const auto n2 = perturbation_probe(make_perturber("noise"), sigmas, fake_predict, w.images, w.labels, {}, 5);
    const auto n3 = perturbation_probe(make_perturber("noise"), sigmas, fake_predict, w.images, w.labels, {}, 6);
    CHECK(n1.rows[1].mean_score == n2.rows[1].mean_score);
    CHECK(n1.rows[1].mean_score != n3.rows[1].mean_score);
    CHECK(n1.rows[0].mean_score == n3.rows[0].mean_score);              // σ = 0 draws nothing
}

TEST_CASE("per-image slopes: their mean is the pooled least-squares slope, their t(N-1) interval is the one-sample t") {
    // 4 images at 3 strengths, scores written by hand: strength-major, scores[k·N + i].
    const std::vector<double> x = {0, 1, 3};
    const std::size_t N = 4;
    const std::vector<double> y = {0.9, 0.8, 1.0, 0.7,  0.8, 0.75, 0.7, 0.65,  0.5, 0.6, 0.2, 0.6};
    const SlopeEstimate e = image_slope_mean(x, y, N);
    // per-image slopes by hand: x̄ = 4/3, Σ(x - x̄)² = 14/3, b_i = Σ (x_k - x̄) y_ki / (14/3)
    std::vector<double> b(N);
    for (std::size_t i = 0; i < N; ++i) b[i] = ((-4.0 / 3) * y[i] + (-1.0 / 3) * y[N + i] + (5.0 / 3) * y[2 * N + i]) / (14.0 / 3);
    const double mean = (b[0] + b[1] + b[2] + b[3]) / 4;
    double ss = 0;
    for (double v : b) ss += (v - mean) * (v - mean);
    const double se = std::sqrt(ss / 3) / 2;
    CHECK(e.slope == doctest::Approx(mean).epsilon(1e-12));
    CHECK(e.df == 3);
    CHECK(e.ci95.hi - e.slope == doctest::Approx(3.182446305284263 * se).epsilon(1e-9));   // t(3) 97.5% quantile
    std::vector<double> px, py;
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t i = 0; i < N; ++i) {
            px.push_back(x[k]);
            py.push_back(y[k * N + i]);
        }
    CHECK(bayes_linreg(px, py).slope == doctest::Approx(mean).epsilon(1e-12));         // = the pooled slope
    CHECK_THROWS_WITH(image_slope_mean({1, 1, 1}, y, N), doctest::Contains("strengths are equal"));
}

TEST_CASE("HC3 on five points matches the sandwich formula written out") {
    const std::vector<double> x = {0, 1, 2, 3, 4}, y = {1.0, 1.3, 1.9, 2.2, 3.5};
    const SlopeEstimate e = hc3_slope(x, y);
    const double b = (-2 * 1.0 - 1 * 1.3 + 0 + 1 * 2.2 + 2 * 3.5) / 10.0;                // Σu = 0, Σu² = 10
    const double a = (1.0 + 1.3 + 1.9 + 2.2 + 3.5) / 5;
    double meat = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        const double u = x[i] - 2, r = (y[i] - a - b * u) / (1 - (0.2 + u * u / 10));
        meat += u * u * r * r;
    }
    CHECK(e.slope == doctest::Approx(b).epsilon(1e-12));
    CHECK(e.scale == doctest::Approx(std::sqrt(meat) / 10).epsilon(1e-12));
    CHECK(e.df == 3);
}

TEST_CASE("lack of fit: chi2/dof of the rows around the line, and a U-shape is flagged while a line is not") {
    const std::vector<double> p = {0, 1, 2, 3, 4}, se = {0.01, 0.01, 0.01, 0.01, 0.01};
    const std::vector<double> line = {0.50, 0.52, 0.54, 0.56, 0.58}, u = {0.60, 0.52, 0.50, 0.52, 0.60};
    const auto exact = lack_of_fit(p, line, se, 0.02, 0.50);
    REQUIRE(exact);
    CHECK(exact->chi2_per_dof < 1e-20);
    CHECK(exact->dof == 3);
    CHECK_FALSE(exact->misfit());
    const auto bent = lack_of_fit(p, u, se, 0.0, 0.548);
    REQUIRE(bent);
    double chi2 = 0;
    for (std::size_t k = 0; k < 5; ++k) chi2 += std::pow((u[k] - 0.548) / 0.01, 2);
    CHECK(bent->chi2_per_dof == doctest::Approx(chi2 / 3).epsilon(1e-12));
    CHECK(bent->misfit());
    CHECK_FALSE(lack_of_fit({0, 1}, {0.5, 0.6}, {0.01, 0.01}, 0.1, 0.5));                 // no degree of freedom left
}

TEST_CASE("lack of fit with the pooled variance: a planted zero-spread bin stays finite and close to the value without it") {
    // Ten bins of 11 rows around a line, sd 0.05 each, means off the line by about one se; bin 4 is planted with
    // (nearly) no spread, as a bin of saturated probabilities, and its mean off the line by half an se.
    const std::vector<double> p = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const double se = 0.05 / std::sqrt(11.0);
    const std::vector<double> off = {0.9, -1.1, 0.4, -0.7, 0.5, 1.2, -0.3, -1.0, 0.8, -0.2};
    std::vector<double> mean, sd(10, 0.05), own_se(10, se);
    for (std::size_t k = 0; k < 10; ++k) mean.push_back(0.5 + 0.01 * p[k] + off[k] * se);
    sd[4] = 1e-9;
    own_se[4] = 1e-9 / std::sqrt(11.0);
    const std::vector<std::size_t> n(10, 11);
    // Today's formula divides by the bin's own se: the planted bin alone gives χ²/dof ≈ 0.25·se²/(1e-9²/11)/8 ≈ 7e12.
    const auto own = lack_of_fit(p, mean, own_se, 0.01, 0.5);
    REQUIRE(own);
    CHECK(own->chi2_per_dof > 1e9);
    CHECK(own->misfit());
    const auto pooled = pooled_lack_of_fit(p, mean, sd, n, 0.01, 0.5);
    REQUIRE(pooled);
    std::vector<double> p9, mean9, sd9;
    for (std::size_t k = 0; k < 10; ++k)
        if (k != 4) {
            p9.push_back(p[k]);
            mean9.push_back(mean[k]);
            sd9.push_back(sd[k]);
        }
    const auto without = pooled_lack_of_fit(p9, mean9, sd9, std::vector<std::size_t>(9, 11), 0.01, 0.5);
    REQUIRE(without);
    MESSAGE("own se: " << own->chi2_per_dof << "; pooled: " << pooled->chi2_per_dof << ", without the bin "
                       << without->chi2_per_dof);
    CHECK(std::isfinite(pooled->chi2_per_dof));
    CHECK(pooled->chi2_per_dof == doctest::Approx(without->chi2_per_dof).epsilon(0.15));
    CHECK_FALSE(pooled->misfit());
    REQUIRE(pooled->flat_rows.size() == 1);                         // the output names the planted bin
    CHECK(pooled->flat_rows[0] == 4);
    CHECK(pooled->within_dof == 100);
    CHECK(pooled->pooled_sd == doctest::Approx(0.05 * std::sqrt(0.9)).epsilon(1e-9));
    // Exactly: Σ n·r² / s² / dof with the pooled s², and the F(8, 100) tail.
    double lack = 0;
    for (std::size_t k = 0; k < 10; ++k) lack += 11 * std::pow(off[k] * se, 2);
    CHECK(pooled->chi2_per_dof == doctest::Approx(lack / (0.05 * 0.05 * 0.9) / 8).epsilon(1e-9));
    // A U-shape is still flagged; no spread anywhere gives no value rather than a division by zero.
    std::vector<double> u;
    for (std::size_t k = 0; k < 10; ++k) u.push_back(0.5 + 0.004 * (p[k] - 4.5) * (p[k] - 4.5));
    const auto bent = pooled_lack_of_fit(p, u, sd, n, 0.0, 0.533);
    REQUIRE(bent);
    CHECK(bent->misfit());
    CHECK_FALSE(pooled_lack_of_fit(p, mean, std::vector<double>(10, 0.0), n, 0.01, 0.5));
}

TEST_CASE("a property probe over a table with a bin of identical scores reports a finite lack of fit and names that bin") {
    // 110 examples, p = 0..109; scores on a line with noise, except examples 40-50 (one bin of 11), which all score 0.9.
    std::mt19937_64 rng(3);
    std::normal_distribution<double> z(0, 0.05);
    std::vector<double> p;
    Outcomes o;
    for (int i = 0; i < 110; ++i) {
        p.push_back(i);
        o.score.push_back(i >= 44 && i < 55 ? 0.9 : 0.5 + 0.004 * i + z(rng));
        o.correct.push_back(1);
    }
    const ProbeResult r = property_probe("x", "", p, o, {Binning::EqualCount, 10});
    REQUIRE(r.fit);
    REQUIRE(r.fit->lack_of_fit);
    CHECK(std::isfinite(r.fit->lack_of_fit->chi2_per_dof));
    CHECK(r.fit->lack_of_fit->chi2_per_dof < 100);
    REQUIRE(r.fit->lack_of_fit->flat_rows.size() == 1);
    CHECK(r.fit->lack_of_fit->flat_rows[0] == doctest::Approx(49));
    const auto j = probe_json(r);
    CHECK(j["fit"]["lack_of_fit_flat_rows"].size() == 1);
    CHECK(j["fit"]["lack_of_fit_variance"] == "pooled within-row");
    std::ostringstream text;
    print_probe_summary(text, {r});
    CHECK(text.str().find("x: 1 of 10 bins without spread") != std::string::npos);
}

TEST_CASE("the probe table's columns start at the same offset whatever the length of the names") {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> z(0, 0.05);
    std::vector<double> p;
    Outcomes o;
    for (int i = 0; i < 100; ++i) {
        p.push_back(i);
        o.score.push_back(0.5 + 0.003 * i + z(rng));
        o.correct.push_back(1);
    }
    const ProbeResult a = property_probe("short", "", p, o), b = property_probe("a_column_name_of_30_characters", "", p, o);
    std::ostringstream text;
    print_probe_summary(text, {a, b});
    std::istringstream in(text.str());
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    REQUIRE(lines.size() >= 3);
    const std::size_t ci = lines[0].find("95% CI");
    CHECK(ci > 30);
    CHECK(lines[1].find('[') == ci);
    CHECK(lines[2].find('[') == ci);
}

TEST_CASE("significance: high beyond the floor, negligible within it, uncertain when the interval straddles it") {
    CHECK(significance({0.03, 0.05}, 0.02) == "high");
    CHECK(significance({-0.05, -0.03}, 0.02) == "high");
    CHECK(significance({-0.01, 0.015}, 0.02) == "negligible");
    CHECK(significance({0.01, 0.03}, 0.02) == "uncertain");                                // point estimate above, not surely
    CHECK(significance({-0.01, 0.01}, 0.0) == "uncertain");
    CHECK(significance({0.001, 0.002}, 0.0) == "high");
    CHECK(quantile({3, 1, 2, 4}, 0.5) == 2.5);
    CHECK(quantile({3, 1, 2, 4}, 0.05) == doctest::Approx(1.15).epsilon(1e-12));
    CHECK(slope_floor({0, 10, 20, 30, 40, 50, 60, 70, 80, 90}, 0.02) == doctest::Approx(0.02 / (85.5 - 4.5)));
}

TEST_CASE("half-point: linear interpolation where the mean halves, null when it never does, bootstrap interval around it") {
    CHECK(*half_crossing({0, 10, 20, 30}, {1.0, 0.8, 0.4, 0.2}) == doctest::Approx(17.5).epsilon(1e-12));   // 10 + 0.3/0.4·10
    CHECK(*half_crossing({20, 0, 10}, {0.4, 1.0, 0.8}) == doctest::Approx(17.5).epsilon(1e-12));           // any order
    CHECK_FALSE(half_crossing({0, 10}, {0.0, 0.0}));                                                     // starts at 0
    CHECK_FALSE(half_crossing({0, 10, 20}, {1.0, 0.8, 0.6}));
    // 400 images whose score falls linearly from 1 to 0 over [0, 2·h_i], h_i ~ U(30, 50): the mean halves near 40.
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> uh(30, 50);
    const std::vector<double> x = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    const std::size_t N = 400;
    std::vector<double> y(x.size() * N);
    for (std::size_t i = 0; i < N; ++i) {
        const double h = uh(rng);
        for (std::size_t k = 0; k < x.size(); ++k) y[k * N + i] = std::max(0.0, 1 - x[k] / (2 * h));
    }
    const HalfPoint h = half_point(x, y, N, 500, 9);
    REQUIRE(h.point);
    REQUIRE(h.lo);
    REQUIRE(h.hi);
    CHECK(h.level == doctest::Approx(0.5));
    CHECK(*h.point > 38);
    CHECK(*h.point < 42);
    CHECK(*h.lo < *h.point);
    CHECK(*h.hi > *h.point);
    CHECK(*h.hi - *h.lo < 2.0);
    const HalfPoint again = half_point(x, y, N, 500, 9);
    CHECK(*again.lo == *h.lo);                                                            // seeded: reproducible
    // A curve that only falls to 0.6: no half-point and no interval.
    std::vector<double> flat(x.size() * N);
    for (std::size_t k = 0; k < x.size(); ++k)
        for (std::size_t i = 0; i < N; ++i) flat[k * N + i] = 1 - 0.4 * x[k] / 90;
    const HalfPoint none = half_point(x, flat, N, 200, 1);
    CHECK_FALSE(none.point);
    CHECK_FALSE(none.hi);
    CHECK(none.never_fraction == 1.0);
}

TEST_CASE("perturbation probe: images with their own slopes widen the interval beyond the naive pooled one") {
    // The fake model reads pixel 0 (p after the perturbation) and pixel 2 (u); the perturber adds 2u·strength, so image
    // i's own slope is u_i (mean 0.5, sd 0.29). Strengths centred on 0, so the naive residual is mostly slope spread:
    // the naive variance is about var(b)/(N·K), the true one var(b)/N — a width ratio near √6 here.
    const World w = make_world(800, 21, 0.0);
    const Perturber own_slope{"own", "", [](const Image& in, double p, std::mt19937_64&, Image& out) {
                                  out = in;
                                  out.data()[0] += float(p * 2 * in.data()[2]);            // slope 0.5·2u per image
                              }};
    const ProbeResult r =
        perturbation_probe(own_slope, {-0.25, -0.15, -0.05, 0.05, 0.15, 0.25}, fake_predict, w.images, w.labels);
    REQUIRE(r.fit);
    CHECK(r.fit->interval == "per_image_t");
    CHECK(r.fit->df == 799);
    const double width = r.fit->ci95.hi - r.fit->ci95.lo, naive = r.fit->naive_ci95.hi - r.fit->naive_ci95.lo;
    MESSAGE("per-image interval / naive: " << width / naive);
    CHECK(width > 1.5 * naive);
    CHECK(r.fit->slope == doctest::Approx(0.5).epsilon(0.05));                            // E[2u]·0.5 = 0.5
    REQUIRE(r.half_score);
    CHECK_FALSE(r.half_score->point);                                                    // a rising score never halves
}

TEST_CASE("class probe: per-class statistics and no slope, with the reason") {
    const World w = make_world(1000, 12);
    const Outcomes o = predict_outcomes(fake_predict, w.images, w.labels);
    const ProbeResult r = class_probe(o, w.labels);
    CHECK_FALSE(r.fit);
    CHECK(r.note.find("categorical") != std::string::npos);
    REQUIRE(r.rows.size() == 10);
    std::size_t n = 0;
    for (const ProbeRow& row : r.rows) {
        const auto c = static_cast<int>(row.p);
        CHECK(row.n == static_cast<std::size_t>(std::count(w.labels.begin(), w.labels.end(), c)));
        n += row.n;
    }
    CHECK(n == 1000);
}

TEST_CASE("bad input names the problem") {
    const World w = make_world(10, 13);
    std::vector<int> short_labels(9, 0);
    CHECK_THROWS_WITH(predict_outcomes(fake_predict, w.images, short_labels), doctest::Contains("10 images but 9 labels"));
    std::vector<int> bad = w.labels;
    bad[4] = 12;
    CHECK_THROWS_WITH(predict_outcomes(fake_predict, w.images, bad),
                      doctest::Contains("label 12 of example 4 is not one of the 10 classes"));
    const Outcomes o = predict_outcomes(fake_predict, w.images, w.labels);
    CHECK_THROWS_WITH(property_probe("x", "", std::vector<double>(3, 0.0), o), doctest::Contains("3 property values for 10"));
    const ProbeResult constant = property_probe("x", "", std::vector<double>(10, 1.0), o);
    CHECK_FALSE(constant.fit);
    CHECK(constant.note.find("all 10 x values are equal") != std::string::npos);
}

TEST_CASE("CSV, JSON and the summary carry the table and the fit; files appear atomically") {
    const World w = make_world(500, 14);
    const Outcomes o = predict_outcomes(fake_predict, w.images, w.labels);
    std::vector<ProbeResult> results = {property_probe("fake", "units", w.p, o), class_probe(o, w.labels)};
    const auto dir = std::filesystem::temp_directory_path() / ("nnsense_probe_io_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string csv = (dir / "fake.csv").string(), js = (dir / "fake.json").string();
    write_probe_csv(results[0], csv);
    write_probe_json(results[0], js);
    for (const auto& entry : std::filesystem::directory_iterator(dir))  // no temporary left behind
        CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
    // Written to a temporary, then renamed: with a directory in the way the rename fails, the error says so, and no
    // temporary stays (a plain write to the path would fail silently instead).
    const auto blocked = dir / "blocked.csv";
    std::filesystem::create_directories(blocked / "inside");
    CHECK_THROWS_WITH(write_probe_csv(results[0], blocked.string()), doctest::Contains("cannot rename the temporary file"));
    CHECK_THROWS_WITH(write_probe_json(results[0], blocked.string()), doctest::Contains("cannot rename the temporary file"));
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
    std::filesystem::remove_all(blocked);

    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);
    CHECK(line == "p,n,mean_score,std_score,accuracy");
    int lines = 0;
    double first_p = 0;
    while (std::getline(in, line)) {
        if (lines == 0) first_p = std::stod(line.substr(0, line.find(',')));
        ++lines;
    }
    CHECK(lines == 10);
    CHECK(first_p == doctest::Approx(results[0].rows[0].p).epsilon(1e-9));

    const auto j = nlohmann::json::parse(std::ifstream(js));
    CHECK(j["name"] == "fake");
    CHECK(j["rows"].size() == 10);
    CHECK(j["rows"][0]["n"] == 50);
    CHECK(j["fit"]["slope"].get<double>() == doctest::Approx(results[0].fit->slope));
    CHECK(j["fit"]["ci50"].size() == 2);
    CHECK(j["fit"]["ci95"][0].get<double>() == doctest::Approx(results[0].fit->ci95.lo));
    CHECK(j["fit"]["significance"] == results[0].fit->significance);
    CHECK(j["fit"]["fit_range"].size() == 2);
    CHECK(j["fit"]["interval"] == "hc3");
    CHECK(j["fit"]["naive_ci95"].size() == 2);
    CHECK(j["fit"]["floor"].get<double>() == doctest::Approx(results[0].fit->floor));
    CHECK(j["fit"]["lack_of_fit"].is_number());
    CHECK(!j.contains("half_point"));                                   // a property probe has none
    CHECK(probe_json(results[1])["fit"].is_null());
    const World flat = make_world(300, 16, 0.0);
    const ProbeResult rising = perturbation_probe(add_to_property(), {0, 0.5, 1.0}, fake_predict, flat.images, flat.labels);
    const auto jp = probe_json(rising);
    CHECK(jp["half_point"].is_null());                                  // the fake score rises: it never halves
    CHECK(jp["half_point_ci95"].size() == 2);
    CHECK(jp["half_point_accuracy"].is_null());

    std::ostringstream os;
    print_probe_summary(os, results);
    CHECK(os.str().find("95% CI") != std::string::npos);
    CHECK(os.str().find("lack of fit") != std::string::npos);
    CHECK(os.str().find("fake") != std::string::npos);
    CHECK(os.str().find("categorical") != std::string::npos);
    CHECK_THROWS_WITH(write_probe_csv(results[0], (dir / "missing" / "x.csv").string()),
                      doctest::Contains("missing/x.csv: cannot write"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("the probe figure: fitted line inside both slope fans, fit range marked only when restricted, PNG written") {
    const World w = make_world(1000, 15, 0.0);
    const std::vector<double> strengths = {0, 0.5, 1.0, 1.5, 2.0};
    FitOptions linear;
    linear.range_hi = 1.0;
    const ProbeResult r = perturbation_probe(add_to_property(), strengths, fake_predict, w.images, w.labels, linear);
    const LinePlotFigure f = probe_figure(probe_curve(r));
    REQUIRE(f.panels.size() == 2);
    const PlotPanel& score = f.panels[0];
    REQUIRE(score.bands.size() == 2);
    REQUIRE(score.spans.size() == 1);
    CHECK(score.spans[0].from == 0.0);
    CHECK(score.spans[0].to == 1.0);
    const Band& b95 = score.bands[0];
    const Band& b50 = score.bands[1];
    for (std::size_t i = 0; i < b95.x.size(); ++i) {
        const double y = r.fit->intercept + r.fit->slope * b95.x[i];
        CHECK(b95.lo[i] <= y + 1e-12);
        CHECK(b95.hi[i] >= y - 1e-12);
        CHECK(b50.lo[i] >= b95.lo[i] - 1e-12);                           // nested
        CHECK(b50.hi[i] <= b95.hi[i] + 1e-12);
    }
    CHECK(b95.x.front() == 0.0);
    CHECK(b95.x.back() == 1.0);
    CHECK(f.panels[1].series[0].y.size() == strengths.size());
    CHECK(f.title.find("significance high") != std::string::npos);
    const ProbeResult unrestricted = perturbation_probe(add_to_property(), strengths, fake_predict, w.images, w.labels);
    CHECK(probe_figure(probe_curve(unrestricted)).panels[0].spans.empty());
    const Outcomes o = predict_outcomes(fake_predict, w.images, w.labels);
    CHECK(probe_figure(probe_curve(class_probe(o, w.labels))).panels[0].bands.empty());

    const auto dir = std::filesystem::temp_directory_path() / ("nnsense_probe_plot_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string png = (dir / "probe.png").string();
    probe_plot_png(png, probe_curve(r), 800, 600);
    std::ifstream in(png, std::ios::binary);
    unsigned char head[24] = {};
    in.read(reinterpret_cast<char*>(head), 24);
    REQUIRE(in.gcount() == 24);
    CHECK(head[1] == 'P');
    CHECK(head[2] == 'N');
    CHECK(head[3] == 'G');
    const auto be32 = [&](int o) { return (head[o] << 24) | (head[o + 1] << 16) | (head[o + 2] << 8) | head[o + 3]; };
    CHECK(be32(16) == 800);                                             // IHDR width
    CHECK(be32(20) == 600);                                             // IHDR height
    std::filesystem::remove_all(dir);
}

TEST_CASE("a zero-width half-point interval (every resample halves at the same p) draws the point and no span") {
    sensitivity::figures::ProbeCurve c;
    c.name = "rotation";
    c.units = "degrees";
    for (double p : {0.0, 10.0, 20.0, 30.0}) c.rows.push_back({p, p < 20 ? 1.0 : 0.0, 0.0, p < 20 ? 1.0 : 0.0});
    c.half_score = sensitivity::figures::CurveHalf{0.5, 20.0, 20.0, 20.0};
    const LinePlotFigure f = probe_figure(c);
    REQUIRE(!f.panels.empty());
    CHECK(f.panels[0].spans.empty());
    bool point_drawn = false;                                           // the half-point itself, at (20, 0.5)
    for (const auto& series : f.panels[0].series)
        point_drawn = point_drawn || (series.x == std::vector<double>{20.0} && series.y == std::vector<double>{0.5});
    CHECK(point_drawn);
    const auto dir = std::filesystem::temp_directory_path() / ("nnsense_probe_half_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    CHECK_NOTHROW(probe_plot_png((dir / "half.png").string(), c, 400, 300));
    CHECK(std::filesystem::file_size(dir / "half.png") > 0);
    std::filesystem::remove_all(dir);
}
