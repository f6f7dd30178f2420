// sensitivity/probes/probe_stats.cpp — per-image slope intervals, HC3 sandwich, lack of fit, the floor and the significance
// rule, and the bootstrapped half-point. Closed forms and one seeded bootstrap; the probe engine (probe.cpp) calls these.
#include "sensitivity/probes/probe_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace sensitivity::probes {

SlopeEstimate slope_estimate(double slope, double scale, double df) {
    SlopeEstimate e;
    e.slope = slope;
    e.scale = scale;
    e.df = df;
    SlopePosterior t;   // its credible_interval is the symmetric Student-t / Normal interval we need
    t.slope = slope;
    t.scale = scale;
    t.df = df;
    e.ci50 = t.credible_interval(0.50);
    e.ci95 = t.credible_interval(0.95);
    return e;
}

SlopeEstimate image_slope_mean(const std::vector<double>& strengths, const std::vector<double>& scores,
                               std::size_t images) {
    const std::size_t K = strengths.size(), N = images;
    if (N < 2) throw std::invalid_argument("image_slope_mean: need at least 2 images, got " + std::to_string(N));
    if (scores.size() != K * N)
        throw std::invalid_argument("image_slope_mean: " + std::to_string(scores.size()) + " scores for " +
                                    std::to_string(K) + " strengths x " + std::to_string(N) + " images");
    double xbar = 0;
    for (double x : strengths) xbar += x / double(K);
    double sxx = 0;
    for (double x : strengths) sxx += (x - xbar) * (x - xbar);
    if (!(sxx > 0))
        throw std::invalid_argument("image_slope_mean: all " + std::to_string(K) +
                                    " strengths are equal; a slope needs at least two distinct strengths");
    std::vector<double> b(N, 0.0);                                        // [N] per-image slopes
    for (std::size_t k = 0; k < K; ++k) {
        const double u = (strengths[k] - xbar) / sxx;
        for (std::size_t i = 0; i < N; ++i) b[i] += u * scores[k * N + i];
    }
    const double mean = std::accumulate(b.begin(), b.end(), 0.0) / double(N);
    double ss = 0;
    for (double v : b) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / double(N - 1));
    return slope_estimate(mean, sd / std::sqrt(double(N)), double(N - 1));
}

SlopeEstimate hc3_slope(const std::vector<double>& x, const std::vector<double>& y) {
    const std::size_t n = x.size();
    if (y.size() != n) throw std::invalid_argument("hc3_slope: x and y differ in length");
    if (n < 3) throw std::invalid_argument("hc3_slope: need at least 3 points, got " + std::to_string(n));
    double xbar = 0, ybar = 0;
    for (std::size_t i = 0; i < n; ++i) {
        xbar += x[i] / double(n);
        ybar += y[i] / double(n);
    }
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sxx += (x[i] - xbar) * (x[i] - xbar);
        sxy += (x[i] - xbar) * (y[i] - ybar);
    }
    if (!(sxx > 0)) throw std::invalid_argument("hc3_slope: all x values are equal");
    const double b = sxy / sxx;
    double meat = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double u = x[i] - xbar, e = y[i] - ybar - b * u;
        const double h = 1.0 / double(n) + u * u / sxx;                   // leverage
        const double r = e / (1 - h);
        meat += u * u * r * r;
    }
    return slope_estimate(b, std::sqrt(meat) / sxx, double(n - 2));
}

bool LackOfFit::misfit() const { return p_value < kMisfitP; }

std::optional<LackOfFit> lack_of_fit(const std::vector<double>& p, const std::vector<double>& mean,
                                     const std::vector<double>& se, double slope, double intercept) {
    double chi2 = 0;
    std::size_t used = 0;
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (!(se[k] > 0) || !std::isfinite(se[k])) continue;
        const double z = (mean[k] - intercept - slope * p[k]) / se[k];
        chi2 += z * z;
        ++used;
    }
    if (used < 3) return std::nullopt;
    LackOfFit l;
    l.dof = used - 2;
    l.chi2_per_dof = chi2 / double(l.dof);
    l.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared(double(l.dof)), chi2));
    return l;
}

std::optional<LackOfFit> pooled_lack_of_fit(const std::vector<double>& p, const std::vector<double>& mean,
                                            const std::vector<double>& sd, const std::vector<std::size_t>& n,
                                            double slope, double intercept) {
    const std::size_t K = p.size();
    if (mean.size() != K || sd.size() != K || n.size() != K)
        throw std::invalid_argument("pooled_lack_of_fit: p, mean, sd and n differ in length");
    double ss_within = 0, ss_lack = 0;
    std::size_t within = 0, used = 0;
    for (std::size_t k = 0; k < K; ++k) {
        if (n[k] == 0) continue;
        ++used;
        if (n[k] > 1) {
            ss_within += double(n[k] - 1) * sd[k] * sd[k];
            within += n[k] - 1;
        }
        const double r = mean[k] - intercept - slope * p[k];
        ss_lack += double(n[k]) * r * r;
    }
    if (used < 3 || within == 0 || !(ss_within > 0)) return std::nullopt;
    LackOfFit l;
    l.dof = used - 2;
    l.within_dof = within;
    l.pooled_sd = std::sqrt(ss_within / double(within));
    l.chi2_per_dof = ss_lack / (l.pooled_sd * l.pooled_sd) / double(l.dof);
    l.p_value = boost::math::cdf(boost::math::complement(
        boost::math::fisher_f(double(l.dof), double(within)), l.chi2_per_dof));
    for (std::size_t k = 0; k < K; ++k)
        if (n[k] > 0 && (n[k] < 2 || sd[k] < 0.1 * l.pooled_sd)) l.flat_rows.push_back(p[k]);
    return l;
}

double quantile(std::vector<double> v, double q) {
    if (v.empty()) throw std::invalid_argument("quantile: no values");
    const double h = q * double(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    std::nth_element(v.begin(), v.begin() + long(lo), v.end());            // v[lo] is the lo-th smallest
    const double a = v[lo];
    const double b = lo + 1 < v.size() ? *std::min_element(v.begin() + long(lo) + 1, v.end()) : a;
    return a + (h - double(lo)) * (b - a);
}

double slope_floor(const std::vector<double>& p, double score_floor) {
    if (p.empty() || score_floor <= 0) return 0;
    double span = quantile(p, 0.95) - quantile(p, 0.05);
    if (!(span > 0)) span = *std::max_element(p.begin(), p.end()) - *std::min_element(p.begin(), p.end());
    return span > 0 ? score_floor / span : 0;
}

std::string significance(const Interval& ci95, double floor) {
    if (ci95.lo > floor || ci95.hi < -floor) return "high";
    if (ci95.lo >= -floor && ci95.hi <= floor) return "negligible";
    return "uncertain";
}

std::optional<double> half_crossing(const std::vector<double>& strengths, const std::vector<double>& means) {
    if (strengths.size() != means.size() || strengths.size() < 2) return std::nullopt;
    std::vector<std::size_t> order(strengths.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return strengths[a] < strengths[b]; });
    const double level = means[order[0]] / 2;
    if (!(level > 0)) return std::nullopt;                                // a curve starting at 0 cannot halve
    for (std::size_t j = 1; j < order.size(); ++j) {
        const double m0 = means[order[j - 1]], m1 = means[order[j]];
        if (m1 <= level) {
            const double x0 = strengths[order[j - 1]], x1 = strengths[order[j]];
            return m0 == m1 ? x0 : x0 + (m0 - level) / (m0 - m1) * (x1 - x0);   // m0 > level >= m1 here
        }
    }
    return std::nullopt;
}

HalfPoint half_point(const std::vector<double>& strengths, const std::vector<double>& values, std::size_t images,
                     std::size_t replicates, std::uint64_t seed) {
    const std::size_t K = strengths.size(), N = images;
    if (values.size() != K * N || N == 0)
        throw std::invalid_argument("half_point: " + std::to_string(values.size()) + " values for " +
                                    std::to_string(K) + " strengths x " + std::to_string(N) + " images");
    // The mean over images at each strength, each image counted `weight[i]` times (a bootstrap resample is a vector of
    // counts summing to N: the same sums as indexing with the drawn images, but read in order).
    auto means_of = [&](const std::vector<double>& weight) {
        std::vector<double> m(K, 0.0);                                   // [K]
        for (std::size_t k = 0; k < K; ++k) {
            const double* row = values.data() + k * N;
            double s = 0;
            for (std::size_t i = 0; i < N; ++i) s += weight[i] * row[i];
            m[k] = s / double(N);
        }
        return m;
    };
    HalfPoint h;
    const std::vector<double> m = means_of(std::vector<double>(N, 1.0));
    const auto first = std::min_element(strengths.begin(), strengths.end()) - strengths.begin();
    h.level = m[std::size_t(first)] / 2;
    h.point = half_crossing(strengths, m);
    h.replicates = replicates;
    if (replicates == 0) return h;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick_one(0, N - 1);
    std::vector<double> count(N);
    std::vector<double> found;                                           // half-points of the resamples that halve
    found.reserve(replicates);
    for (std::size_t r = 0; r < replicates; ++r) {
        std::fill(count.begin(), count.end(), 0.0);
        for (std::size_t j = 0; j < N; ++j) count[pick_one(rng)] += 1;
        if (const auto x = half_crossing(strengths, means_of(count))) found.push_back(*x);
    }
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> all = found;
    all.resize(replicates, inf);                                         // "never halves" sorts above every strength
    h.never_fraction = double(replicates - found.size()) / double(replicates);
    std::sort(all.begin(), all.end());
    auto pct = [&](double q) -> std::optional<double> {
        // the same interpolation as quantile(), with +inf for "never"
        const double pos = q * double(all.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min(lo + 1, all.size() - 1);
        if (std::isinf(all[lo]) || std::isinf(all[hi])) return std::nullopt;
        return all[lo] + (pos - double(lo)) * (all[hi] - all[lo]);
    };
    h.lo = pct(0.025);
    h.hi = pct(0.975);
    return h;
}

}  // namespace sensitivity::probes
