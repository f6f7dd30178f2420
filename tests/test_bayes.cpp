// tests/test_bayes.cpp — the exact Bayesian line fit and the probes' intervals: reference prior = classical least squares,
// and every interval the probes report is calibrated on data it was not fitted to (bin means, weights, repeated images).
// Reference values come from the textbook OLS/WLS formulas written out here, never from bayes_linreg itself.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

#include "sensitivity/probes/bayes_linreg.hpp"
#include "sensitivity/probes/probe.hpp"

using sensitivity::probes::bayes_linreg;
using sensitivity::probes::NigPrior;
using sensitivity::probes::NoiseModel;

namespace {

struct Data {
    std::vector<double> x, y, w;
};

// y = a + b·x + N(0, sigma²/w), x uniform in [lo, hi], w uniform in [0.5, 2] when weighted.
Data draw(std::mt19937_64& rng, std::size_t n, double a, double b, double sigma, double lo, double hi,
          bool weighted) {
    std::uniform_real_distribution<double> ux(lo, hi), uw(0.5, 2.0);
    std::normal_distribution<double> z(0, 1);
    Data d;
    for (std::size_t i = 0; i < n; ++i) {
        const double w = weighted ? uw(rng) : 1.0;
        d.x.push_back(ux(rng));
        d.w.push_back(w);
        d.y.push_back(a + b * d.x.back() + sigma / std::sqrt(w) * z(rng));
    }
    return d;
}

// Weighted least squares the textbook way: slope, its standard error with s² = SSR/(n-2).
struct Ols {
    double slope, intercept, se;
};
Ols wls(const Data& d) {
    double sw = 0, swx = 0, swy = 0;
    for (std::size_t i = 0; i < d.x.size(); ++i) {
        sw += d.w[i];
        swx += d.w[i] * d.x[i];
        swy += d.w[i] * d.y[i];
    }
    const double mx = swx / sw, my = swy / sw;
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < d.x.size(); ++i) {
        sxx += d.w[i] * (d.x[i] - mx) * (d.x[i] - mx);
        sxy += d.w[i] * (d.x[i] - mx) * (d.y[i] - my);
    }
    const double b = sxy / sxx, a = my - b * mx;
    double ssr = 0;
    for (std::size_t i = 0; i < d.x.size(); ++i) ssr += d.w[i] * std::pow(d.y[i] - a - b * d.x[i], 2);
    return {b, a, std::sqrt(ssr / static_cast<double>(d.x.size() - 2) / sxx)};
}

}  // namespace

TEST_CASE("vague prior: posterior mean is the least-squares slope and the 95% interval is the OLS t-interval") {
    std::mt19937_64 rng(7);
    for (bool weighted : {false, true}) {
        for (std::size_t n : {3, 5, 40, 1000}) {
            const Data d = draw(rng, n, 0.9, -0.004, 0.1, 0.0, 90.0, weighted);
            const auto post = bayes_linreg(d.x, d.y, d.w, NigPrior::vague());
            const Ols ols = wls(d);
            const double t = boost::math::quantile(boost::math::students_t(static_cast<double>(n) - 2), 0.975);
            CAPTURE(n);
            CAPTURE(weighted);
            CHECK(std::abs(post.slope - ols.slope) < 1e-9 * std::max(1.0, std::abs(ols.slope)));
            CHECK(std::abs(post.intercept - ols.intercept) < 1e-9);
            CHECK(post.df == doctest::Approx(static_cast<double>(n) - 2).epsilon(1e-12));
            CHECK(std::abs(post.ci95.lo - (ols.slope - t * ols.se)) < 1e-9 * ols.se + 1e-12);
            CHECK(std::abs(post.ci95.hi - (ols.slope + t * ols.se)) < 1e-9 * ols.se + 1e-12);
        }
    }
}

TEST_CASE("the default prior is the reference prior: n - 2 degrees of freedom; weak() keeps the old n") {
    std::mt19937_64 rng(5);
    const Data d = draw(rng, 7, 0.9, -0.004, 0.1, 0.0, 90.0, false);
    const auto dflt = bayes_linreg(d.x, d.y);
    const auto vague = bayes_linreg(d.x, d.y, {}, NigPrior::vague());
    CHECK(dflt.df == 5.0);
    CHECK(dflt.ci95.lo == vague.ci95.lo);
    CHECK(dflt.ci95.hi == vague.ci95.hi);
    CHECK(bayes_linreg(d.x, d.y, {}, NigPrior::weak()).df == doctest::Approx(7.0).epsilon(1e-6));
}

TEST_CASE("known noise with weights 1/se^2 and a flat prior gives the GLS slope and its Normal interval") {
    std::mt19937_64 rng(11);
    const Data d = draw(rng, 30, 0.5, 0.3, 1.0, -2.0, 2.0, true);  // y_i has variance 1/w_i
    const auto post = bayes_linreg(d.x, d.y, d.w, NigPrior::vague(), NoiseModel::Known);
    const Ols ols = wls(d);
    double sw = 0, swx = 0;
    for (std::size_t i = 0; i < d.x.size(); ++i) {
        sw += d.w[i];
        swx += d.w[i] * d.x[i];
    }
    double sxx = 0;
    for (std::size_t i = 0; i < d.x.size(); ++i) sxx += d.w[i] * std::pow(d.x[i] - swx / sw, 2);
    const double sd = 1 / std::sqrt(sxx);
    CHECK(std::abs(post.slope - ols.slope) < 1e-12);
    CHECK(std::isinf(post.df));
    CHECK(post.scale == doctest::Approx(sd).epsilon(1e-12));
    CHECK(post.ci95.hi - post.slope == doctest::Approx(1.959963984540054 * sd).epsilon(1e-9));
    CHECK(post.ci50.hi - post.slope == doctest::Approx(0.6744897501960817 * sd).epsilon(1e-9));
}

TEST_CASE("credible intervals are calibrated: 95% covers the true slope 93-97% and 50% covers it 47-53% of the time") {
    // 4000 data sets of 100 points, x in [0, 90], σ = 0.1, with the default (reference) prior: the intervals are the
    // classical t-intervals and must cover at the nominal rate.
    // Binomial sd of the coverage over 4000 sets: 0.34% at 95%, 0.79% at 50% — the bands are ±5.8 and ±3.8 sd.
    std::mt19937_64 rng(2020);
    const double true_slope = -0.004;
    int in95 = 0, in50 = 0, in95_biased = 0;
    const int sets = 4000;
    NigPrior wrong;  // a confident, wrong prior: slope 0 with sd σ·1e-3 — proves the count can fail
    wrong.v0_slope = 1e-6;
    for (int s = 0; s < sets; ++s) {
        const Data d = draw(rng, 100, 0.9, true_slope, 0.1, 0.0, 90.0, false);
        const auto post = bayes_linreg(d.x, d.y);
        in95 += post.ci95.lo <= true_slope && true_slope <= post.ci95.hi;
        in50 += post.ci50.lo <= true_slope && true_slope <= post.ci50.hi;
        const auto biased = bayes_linreg(d.x, d.y, {}, wrong);
        in95_biased += biased.ci95.lo <= true_slope && true_slope <= biased.ci95.hi;
    }
    const double c95 = in95 / double(sets), c50 = in50 / double(sets);
    MESSAGE("coverage 95%: " << c95 << ", 50%: " << c50 << ", 95% under a wrong prior: " << in95_biased / double(sets));
    CHECK(c95 >= 0.93);
    CHECK(c95 <= 0.97);
    CHECK(c50 >= 0.47);
    CHECK(c50 <= 0.53);
    CHECK(in95_biased / double(sets) < 0.5);
}

TEST_CASE("known-noise intervals are calibrated when the weights are the true 1/se^2; ignoring the weights is not") {
    // 10 points whose noise variances 1/w spread over two decades (w log-uniform in [0.1, 10]): the weights matter.
    std::mt19937_64 rng(99);
    std::uniform_real_distribution<double> ux(0, 10), ulog(-1, 1);
    std::normal_distribution<double> z(0, 1);
    int in95 = 0, in50 = 0, in95_unweighted = 0;
    const int sets = 4000;
    for (int s = 0; s < sets; ++s) {
        Data d;
        for (int i = 0; i < 10; ++i) {
            d.x.push_back(ux(rng));
            d.w.push_back(std::pow(10.0, ulog(rng)));
            d.y.push_back(0.7 + 0.05 * d.x.back() + z(rng) / std::sqrt(d.w.back()));
        }
        const auto post = bayes_linreg(d.x, d.y, d.w, NigPrior{}, NoiseModel::Known);
        in95 += post.ci95.lo <= 0.05 && 0.05 <= post.ci95.hi;
        in50 += post.ci50.lo <= 0.05 && 0.05 <= post.ci50.hi;
        const auto unweighted = bayes_linreg(d.x, d.y, {}, NigPrior{}, NoiseModel::Known);   // as if every se were 1
        in95_unweighted += unweighted.ci95.lo <= 0.05 && 0.05 <= unweighted.ci95.hi;
    }
    MESSAGE("known noise: 95% " << in95 / double(sets) << ", 50% " << in50 / double(sets)
                                << "; the same data with the weights ignored: 95% " << in95_unweighted / double(sets));
    CHECK(in95 / double(sets) >= 0.93);
    CHECK(in95 / double(sets) <= 0.97);
    CHECK(in50 / double(sets) >= 0.47);
    CHECK(in50 / double(sets) <= 0.53);
    CHECK(in95_unweighted / double(sets) < 0.93);
}

TEST_CASE("an informative prior pulls the slope towards its prior mean, and the intercept is reported at x = 0") {
    std::vector<double> x = {0, 1, 2, 3, 4}, y = {1.0, 3.1, 4.9, 7.0, 9.0};  // about 1 + 2x
    const auto flat = bayes_linreg(x, y, {}, NigPrior::vague());
    NigPrior tight;
    tight.m0_slope = 0;
    tight.v0_slope = 1e-3;
    const auto pulled = bayes_linreg(x, y, {}, tight);
    CHECK(flat.slope == doctest::Approx(2.0).epsilon(0.02));
    CHECK(flat.intercept == doctest::Approx(1.0).epsilon(0.05));
    CHECK(std::abs(pulled.slope) < 0.1);
    CHECK(pulled.intercept == doctest::Approx(5.0).epsilon(0.02));  // the line through the mean of y at x̄ = 2
}

TEST_CASE("bad input is refused with a message that names the problem") {
    std::vector<double> x3 = {1, 2, 3}, y3 = {1, 2, 3};
    CHECK_THROWS_WITH(bayes_linreg({1, 2}, {1, 2}), doctest::Contains("at least 3 points"));
    CHECK_THROWS_WITH(bayes_linreg(x3, {1, 2}), doctest::Contains("x has 3 values but y has 2"));
    CHECK_THROWS_WITH(bayes_linreg({2, 2, 2}, y3), doctest::Contains("all 3 x values are equal"));
    CHECK_THROWS_WITH(bayes_linreg(x3, y3, {1, 0, 1}), doctest::Contains("weight 1 is"));
    CHECK_THROWS_WITH(bayes_linreg(x3, {1, NAN, 3}), doctest::Contains("point 1 is not finite"));
    CHECK_NOTHROW(bayes_linreg({1, 2}, {1, 2}, {1, 1}, NigPrior{}, NoiseModel::Known));
}

// ---------------------------------------------------------------- the probes' intervals, calibrated
// Each case simulates 4000 data sets the probe's model does NOT assume in full (bins of raw points, heteroscedastic
// or misfitting data, one image seen at every strength, bounded scores) and counts how often the intervals cover the
// truth. Bands: 95% in [93%, 97%], 50% in [47%, 53%] (±5.8 and ±3.8 binomial sd); the naive method must miss the band.
namespace {

namespace pr = sensitivity::probes;

struct Coverage {
    int in95 = 0, in50 = 0, sets = 0;
    void add(const pr::Interval& ci95, const pr::Interval& ci50, double truth) {
        in95 += ci95.lo <= truth && truth <= ci95.hi;
        in50 += ci50.lo <= truth && truth <= ci50.hi;
        ++sets;
    }
    double c95() const { return in95 / double(sets); }
    double c50() const { return in50 / double(sets); }
};

void check_band(const Coverage& c) {
    CHECK(c.sets >= 4000);
    CHECK(c.c95() >= 0.93);
    CHECK(c.c95() <= 0.97);
    CHECK(c.c50() >= 0.47);
    CHECK(c.c50() <= 0.53);
}

// n examples with p ~ U(0, 1) and score = 0.3 + slope·p + noise(p) (+ a random offset per equal-width cell of p).
// Heteroscedastic noise has sd 0.02 + 0.2·p, or with `steep` 0.02 + 0.6·p³ (nearly all of it at the top of the range).
struct Examples {
    std::vector<double> p;
    pr::Outcomes o;
};
Examples examples(std::mt19937_64& rng, std::size_t n, double slope, bool heteroscedastic, double cell_sd = 0,
                  std::size_t cells = 10, bool steep = false) {
    std::uniform_real_distribution<double> up(0, 1);
    std::normal_distribution<double> z(0, 1);
    std::vector<double> offset(cells);
    for (double& v : offset) v = cell_sd * z(rng);
    Examples e;
    for (std::size_t i = 0; i < n; ++i) {
        const double p = up(rng);
        const double sd = !heteroscedastic ? 0.1 : steep ? 0.02 + 0.6 * p * p * p : 0.02 + 0.2 * p;
        const std::size_t cell = std::min(cells - 1, static_cast<std::size_t>(p * double(cells)));
        e.p.push_back(p);
        e.o.score.push_back(0.3 + slope * p + offset[cell] + sd * z(rng));
        e.o.correct.push_back(1);
    }
    return e;
}

}  // namespace

TEST_CASE("calibration: bin-mean fits with 5 and 10 rows cover at the nominal rate; the old weak prior (df = n) does not") {
    for (std::size_t rows : {5, 10}) {
        std::mt19937_64 rng(100 + rows);
        Coverage ref, weak;
        pr::FitOptions f;
        f.on = pr::FitOn::BinMeans;
        f.weights = pr::BinWeights::Count;
        pr::FitOptions w = f;
        w.prior = NigPrior::weak();
        for (int s = 0; s < 4000; ++s) {
            const Examples e = examples(rng, 40 * rows, 0.2, false);
            const pr::ProbeResult r = pr::property_probe("p", "", e.p, e.o, {pr::Binning::EqualCount, rows}, f);
            REQUIRE(r.fit);
            ref.add(r.fit->ci95, r.fit->ci50, 0.2);
            const pr::ProbeResult v = pr::property_probe("p", "", e.p, e.o, {pr::Binning::EqualCount, rows}, w);
            weak.add(v.fit->ci95, v.fit->ci50, 0.2);
        }
        MESSAGE(rows << " rows: reference prior 95% " << ref.c95() << ", 50% " << ref.c50() << "; weak prior 95% "
                     << weak.c95());
        CAPTURE(rows);
        check_band(ref);
        if (rows == 5) CHECK(weak.c95() < 0.93);   // df = 5 instead of 3: the issue measured 86%
    }
}

TEST_CASE("calibration: standard-error-weighted bin means, widened by sqrt(chi2/dof), cover when the rows misfit the line") {
    // Every tenth of p's range gets its own random offset (sd 0.01; the bin means' se is about 0.01): the rows scatter
    // around the line more than their standard errors say. The known-noise interval ignores that; the widened one not.
    // (The widening assumes the extra scatter is proportional to the rows' se², as for equal-count bins of equal spread;
    // with se varying 7-fold between rows and a constant offset sd it covered only 90%.)
    std::mt19937_64 rng(31);
    Coverage widened, known;
    pr::FitOptions f;
    f.on = pr::FitOn::BinMeans;
    f.weights = pr::BinWeights::StdError;
    int was_widened = 0;
    for (int s = 0; s < 4000; ++s) {
        const Examples e = examples(rng, 1000, 0.2, false, 0.01);
        const pr::ProbeResult r = pr::property_probe("p", "", e.p, e.o, {pr::Binning::EqualWidth, 10}, f);
        REQUIRE(r.fit);
        widened.add(r.fit->ci95, r.fit->ci50, 0.2);
        known.add(r.fit->naive_ci95, r.fit->ci50, 0.2);
        was_widened += r.fit->interval == "bayes_known_noise_widened";
    }
    MESSAGE("weighted bin means: widened 95% " << widened.c95() << ", 50% " << widened.c50() << " (widened in "
                                               << was_widened << " of 4000); known-noise only 95% " << known.c95());
    check_band(widened);
    CHECK(known.c95() < 0.93);
}

TEST_CASE("calibration: weighted bin means of a straight line are conservative, never too narrow (widened when chi2/dof > 1)") {
    // With no misfit, the widening still fires whenever χ²/dof > 1 by chance (about 43% of sets with 8 dof), so the
    // intervals are conservative: the issue asks for exactly this one-sided rule. Both coverages must reach the band's
    // lower end; the upper end is not checked because max(1, √(χ²/dof)) can only widen.
    // Conservative, not vacuous: the widening must fire about as often as χ²₈ > 8 (43%), and the 95% interval must not
    // cover (nearly) always, which an interval of ± anything huge would.
    std::mt19937_64 rng(32);
    Coverage c;
    pr::FitOptions f;
    f.on = pr::FitOn::BinMeans;
    f.weights = pr::BinWeights::StdError;
    int was_widened = 0;
    for (int s = 0; s < 4000; ++s) {
        const Examples e = examples(rng, 1000, 0.2, true);
        const pr::ProbeResult r = pr::property_probe("p", "", e.p, e.o, {pr::Binning::EqualWidth, 10}, f);
        REQUIRE(r.fit);
        c.add(r.fit->ci95, r.fit->ci50, 0.2);
        was_widened += r.fit->interval == "bayes_known_noise_widened";
    }
    MESSAGE("weighted bin means of a line: 95% " << c.c95() << ", 50% " << c.c50() << ", widened in " << was_widened
                                                 << " of 4000");
    CHECK(c.c95() >= 0.93);
    CHECK(c.c50() >= 0.47);
    CHECK(c.c95() <= 0.99);
    CHECK(was_widened / 4000.0 >= 0.35);
    CHECK(was_widened / 4000.0 <= 0.52);
}

TEST_CASE("calibration: property probes' HC3 interval covers when the scatter grows with p; the naive one does not") {
    std::mt19937_64 rng(33);
    Coverage c, naive;
    for (int s = 0; s < 4000; ++s) {
        const Examples e = examples(rng, 200, 0.2, true, 0, 10, /*steep=*/true);
        const pr::ProbeResult r = pr::property_probe("p", "", e.p, e.o);
        REQUIRE(r.fit);
        CHECK(r.fit->interval == "hc3");
        c.add(r.fit->ci95, r.fit->ci50, 0.2);
        naive.add(r.fit->naive_ci95, r.fit->ci50, 0.2);                  // OLS: one σ for every point
    }
    MESSAGE("HC3 on heteroscedastic points: 95% " << c.c95() << ", 50% " << c.c50() << "; naive 95% " << naive.c95());
    check_band(c);
    CHECK(naive.c95() < 0.93);
}

namespace {

// A 4×4 "image" holds an image's intercept a (pixel 0) and slope b (pixel 1); the perturber writes the strength into
// pixel 2 and a fresh noise draw into pixel 3; the fake model scores the true class a + b·strength + noise.
pr::Perturber write_strength() {
    return {"strength", "", [](const pr::Image& in, double p, std::mt19937_64& rng, pr::Image& out) {
                out = in;
                out.data()[2] = float(p);
                out.data()[3] = float(std::uniform_real_distribution<double>(-0.02, 0.02)(rng));
            }};
}

nn::Tensor<float> linear_model(const nn::Tensor<float>& x) {
    nn::Tensor<float> probs = nn::Tensor<float>::from_shape({x.shape(0), std::size_t(2)});   // [B, 2]
    for (std::size_t i = 0; i < x.shape(0); ++i) {
        probs(i, 0) = x(i, 0) + x(i, 1) * x(i, 2) + x(i, 3);
        probs(i, 1) = 1 - probs(i, 0);
    }
    return probs;
}

}  // namespace

TEST_CASE("calibration: repeated images (random intercepts and slopes, bounded scores): the per-image interval covers, "
          "the naive pooled one fails") {
    // 50 images seen at 10 strengths in [0, 1]. Image i starts near the top, a_i ~ U(0.92, 0.98), and falls with its
    // own slope b_i ~ U(-0.9, 0), plus noise U(-0.02, 0.02) per (image, strength): every score lies in [0, 1], as a
    // softmax score does. The truth is E[b] = -0.45. Images differ in slope far more than the noise: the pooled points
    // are not independent, which is the case the naive interval gets wrong.
    const std::size_t N = 50;
    std::vector<double> strengths;
    for (int k = 0; k < 10; ++k) strengths.push_back(k / 9.0);
    std::mt19937_64 rng(34);
    std::uniform_real_distribution<double> ua(0.92, 0.98), ub(-0.9, 0.0);
    nn::Tensor<float> images = nn::Tensor<float>::from_shape({N, std::size_t(16)});   // [N, 4·4]
    images.fill(0.0f);
    const std::vector<int> labels(N, 0);
    Coverage per_image;
    int naive_in95 = 0;
    for (int s = 0; s < 4000; ++s) {
        for (std::size_t i = 0; i < N; ++i) {
            images(i, 0) = float(ua(rng));
            images(i, 1) = float(ub(rng));
        }
        const pr::ProbeResult r = pr::perturbation_probe(write_strength(), strengths, linear_model, images, labels, {},
                                                         std::uint64_t(s), 1000, 0);
        REQUIRE(r.fit);
        CHECK(r.fit->interval == "per_image_t");
        per_image.add(r.fit->ci95, r.fit->ci50, -0.45);
        naive_in95 += r.fit->naive_ci95.lo <= -0.45 && -0.45 <= r.fit->naive_ci95.hi;
    }
    const double naive = naive_in95 / 4000.0;
    MESSAGE("repeated images: per-image t 95% " << per_image.c95() << ", 50% " << per_image.c50()
                                                << "; naive pooled 95% " << naive);
    check_band(per_image);
    CHECK(naive < 0.93);
}
