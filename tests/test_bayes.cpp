// tests/test_bayes.cpp — the exact Bayesian line fit: vague prior = classical least squares, credible intervals calibrated.
// Reference values come from the textbook OLS/WLS formulas written out here, never from bayes_linreg itself.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

#include "sensitivity/probes/bayes_linreg.hpp"

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
    // 4000 data sets of 100 points, x in [0, 90], σ = 0.1, with the default weakly informative prior.
    // The prior adds precision 1e-6 to Σu² ≈ 100·675 = 67500 and 1e-6 to a_n = 50, b_n ≈ 0.5: its pull is ~1e-8,
    // so the Bayesian intervals are (within 2%) the frequentist ones and must cover at the nominal rate.
    // Binomial sd of the coverage over 4000 sets: 0.34% at 95%, 0.79% at 50% — the bands are ±5 and ±3.8 sd.
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

TEST_CASE("known-noise intervals are calibrated when the weights are the true 1/se^2") {
    std::mt19937_64 rng(99);
    int in95 = 0, in50 = 0;
    const int sets = 4000;
    for (int s = 0; s < sets; ++s) {
        const Data d = draw(rng, 10, 0.7, 0.05, 1.0, 0.0, 10.0, true);
        const auto post = bayes_linreg(d.x, d.y, d.w, NigPrior{}, NoiseModel::Known);
        in95 += post.ci95.lo <= 0.05 && 0.05 <= post.ci95.hi;
        in50 += post.ci50.lo <= 0.05 && 0.05 <= post.ci50.hi;
    }
    CHECK(in95 / double(sets) >= 0.93);
    CHECK(in95 / double(sets) <= 0.97);
    CHECK(in50 / double(sets) >= 0.47);
    CHECK(in50 / double(sets) <= 0.53);
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
