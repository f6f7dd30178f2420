// docs/snippets/probe_vague_ols.cpp — chapter 13: with the vague prior, the Bayesian slope interval is the textbook OLS t-interval.
// Computes both on the same six points and compares them; the default prior is this reference prior (bayes_linreg.hpp).
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstdio>
#include <vector>

#include "sensitivity/probes/bayes_linreg.hpp"

namespace probes = sensitivity::probes;

int main() {
    const std::vector<double> x = {0, 10, 20, 30, 40, 50};
    const std::vector<double> y = {0.98, 0.95, 0.91, 0.79, 0.69, 0.50};

    // By hand: least squares, s² = SSR / (n - 2), se = s / sqrt(Σ(x - x̄)²), interval = b ± t(n - 2) · se.
    const double n = double(x.size());
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
    const double b = sxy / sxx;
    double ssr = 0;
    for (std::size_t i = 0; i < x.size(); ++i) ssr += std::pow(y[i] - my - b * (x[i] - mx), 2);
    const double se = std::sqrt(ssr / (n - 2) / sxx);
    const double t = boost::math::quantile(boost::math::students_t(n - 2), 0.975);
    std::printf("OLS:            slope %.6f, 95%% interval [%.6f, %.6f]\n", b, b - t * se, b + t * se);

    // The exact posterior under p(c, b, σ²) ∝ 1/σ².
    const probes::SlopePosterior post = probes::bayes_linreg(x, y, {}, probes::NigPrior::vague());
    std::printf("Bayes (vague):  slope %.6f, 95%% interval [%.6f, %.6f], Student-t with %.0f df\n", post.slope,
                post.ci95.lo, post.ci95.hi, post.df);

    // The default prior is this reference prior. The old weak prior (a0 = b0 = 1e-6) keeps the slope but gives n
    // instead of n - 2 degrees of freedom: an interval too narrow for 6 points.
    const probes::SlopePosterior dflt = probes::bayes_linreg(x, y);
    const probes::SlopePosterior weak = probes::bayes_linreg(x, y, {}, probes::NigPrior::weak());
    std::printf("Bayes (weak):   slope %.6f, 95%% interval [%.6f, %.6f], Student-t with %.0f df\n", weak.slope,
                weak.ci95.lo, weak.ci95.hi, weak.df);

    const bool same = std::abs(post.slope - b) < 1e-12 && std::abs(post.ci95.lo - (b - t * se)) < 1e-12 &&
                      std::abs(post.ci95.hi - (b + t * se)) < 1e-12 && post.df == n - 2 &&
                      dflt.ci95.lo == post.ci95.lo && dflt.ci95.hi == post.ci95.hi &&
                      std::abs(weak.slope - b) < 1e-9 && std::abs(weak.df - n) < 1e-3;
    std::printf(same ? "vague prior = OLS t-interval\n" : "UNEXPECTED\n");
    return same ? 0 : 1;
}
