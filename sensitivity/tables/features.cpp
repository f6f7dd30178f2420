// sensitivity/tables/features.cpp — the per-feature table: means of |J| and J, the bootstrap over rows, SD scaling, Pearson r.
// Everything in double; J comes in already converted to the target's units per feature unit.
#include "sensitivity/tables/features.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace sensitivity::tables {

namespace {

std::vector<double> column(const xt::xtensor<double, 2>& m, std::size_t j) {
    std::vector<double> v(m.shape(0));
    for (std::size_t n = 0; n < v.size(); ++n) v[n] = m(n, j);
    return v;
}

double mean_of(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sd_of(const std::vector<double>& v) {   // population sd (divisor N)
    const double m = mean_of(v);
    double ss = 0;
    for (double e : v) ss += (e - m) * (e - m);
    return std::sqrt(ss / static_cast<double>(v.size()));
}

}  // namespace

MeanInterval bootstrap_mean(const std::vector<double>& values, std::size_t resamples, std::uint64_t seed) {
    if (values.empty()) throw std::invalid_argument("bootstrap_mean: no values");
    if (resamples < 40) throw std::invalid_argument("bootstrap_mean: need at least 40 resamples for a 95% interval");
    const std::size_t N = values.size();
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, N - 1);
    std::vector<double> means(resamples);
    for (double& m : means) {
        double s = 0;
        for (std::size_t k = 0; k < N; ++k) s += values[pick(rng)];
        m = s / static_cast<double>(N);
    }
    std::sort(means.begin(), means.end());
    // Percentiles 2.5 and 97.5 by linear interpolation between order statistics.
    const auto quantile = [&](double q) {
        const double pos = q * static_cast<double>(resamples - 1);
        const std::size_t i = static_cast<std::size_t>(pos);
        const double f = pos - static_cast<double>(i);
        return i + 1 < resamples ? means[i] * (1 - f) + means[i + 1] * f : means[i];
    };
    return {mean_of(values), quantile(0.025), quantile(0.975)};
}

std::vector<CorrelatedPair> correlated_pairs(const xt::xtensor<double, 2>& x, double threshold) {
    const std::size_t N = x.shape(0), D = x.shape(1);
    std::vector<std::vector<double>> z(D);
    std::vector<bool> constant(D, false);
    for (std::size_t j = 0; j < D; ++j) {   // centred and scaled columns, so r is a mean of products
        z[j] = column(x, j);
        const double m = mean_of(z[j]), s = sd_of(z[j]);
        constant[j] = !(s > 0);
        for (double& e : z[j]) e = constant[j] ? 0 : (e - m) / s;
    }
    std::vector<CorrelatedPair> pairs;
    for (std::size_t a = 0; a < D; ++a)
        for (std::size_t b = a + 1; b < D; ++b) {
            if (constant[a] || constant[b]) continue;
            double r = 0;
            for (std::size_t n = 0; n < N; ++n) r += z[a][n] * z[b][n];
            r /= static_cast<double>(N);
            if (std::abs(r) >= threshold) pairs.push_back({a, b, r});
        }
    return pairs;
}

std::vector<FeatureSensitivity> feature_sensitivity(const xt::xtensor<double, 2>& J, const xt::xtensor<double, 2>& x,
                                                    const std::vector<std::string>& names, double threshold,
                                                    std::size_t resamples, std::uint64_t seed) {
    const std::size_t N = J.shape(0), D = J.shape(1);
    if (x.shape(0) != N || x.shape(1) != D || names.size() != D)
        throw std::invalid_argument("feature_sensitivity: J, x and names must agree on rows and features");
    if (N == 0) throw std::invalid_argument("feature_sensitivity: no rows");
    std::vector<FeatureSensitivity> out(D);
    for (std::size_t j = 0; j < D; ++j) {
        FeatureSensitivity& f = out[j];
        f.name = names[j];
        std::vector<double> g = column(J, j), a(N);
        for (std::size_t n = 0; n < N; ++n) a[n] = std::abs(g[n]);
        const MeanInterval mi = bootstrap_mean(a, resamples, seed + j);
        f.mean_abs = mi.mean;
        f.mean_abs_lo = mi.lo;
        f.mean_abs_hi = mi.hi;
        f.mean = mean_of(g);
        f.sd = sd_of(column(x, j));
        f.mean_abs_per_sd = f.mean_abs * f.sd;
        f.mean_abs_per_sd_lo = f.mean_abs_lo * f.sd;
        f.mean_abs_per_sd_hi = f.mean_abs_hi * f.sd;
        f.mean_per_sd = f.mean * f.sd;
    }
    for (const CorrelatedPair& p : correlated_pairs(x, threshold)) {
        out[p.a].correlated_with.push_back(names[p.b]);
        out[p.b].correlated_with.push_back(names[p.a]);
    }
    return out;
}

std::vector<LevelEffect> level_effects(const std::string& column, const std::vector<std::string>& levels,
                                       const xt::xtensor<double, 2>& moved, const std::vector<double>& base,
                                       const std::vector<std::size_t>& level_of) {
    const std::size_t L = levels.size(), N = base.size();
    if (moved.shape(0) != L || moved.shape(1) != N || level_of.size() != N || N == 0)
        throw std::invalid_argument("level_effects: moved must be [levels, rows] and level_of one level per row");
    std::vector<LevelEffect> out(L);
    for (std::size_t l = 0; l < L; ++l) {
        std::vector<double> change(N);
        for (std::size_t n = 0; n < N; ++n) change[n] = moved(l, n) - base[n];
        std::vector<double> abs_change(N);
        std::transform(change.begin(), change.end(), abs_change.begin(), [](double c) { return std::abs(c); });
        out[l] = {column, levels[l], static_cast<std::size_t>(std::count(level_of.begin(), level_of.end(), l)),
                  mean_of(change), sd_of(change), mean_of(abs_change)};
    }
    return out;
}

}  // namespace sensitivity::tables
