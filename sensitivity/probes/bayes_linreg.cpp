// sensitivity/probes/bayes_linreg.cpp — the closed-form Normal–Inverse-Gamma update for a straight line, and its credible intervals.
// Two unknowns (value at x̄, slope), so every matrix is 2×2 and written out; no probe logic here.
#include "sensitivity/probes/bayes_linreg.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace sensitivity::probes {

Interval SlopePosterior::credible_interval(double mass) const {
    if (!(mass > 0 && mass < 1))
        throw std::invalid_argument("credible_interval: mass must be in (0, 1), got " + std::to_string(mass));
    const double tail = (1 - mass) / 2;
    // Upper quantile only, mirrored, so the interval is exactly symmetric about the slope.
    const double q = std::isinf(df)
        ? boost::math::quantile(boost::math::complement(boost::math::normal(), tail))
        : boost::math::quantile(boost::math::complement(boost::math::students_t(df), tail));
    return Interval{slope - q * scale, slope + q * scale};
}

namespace {

void check_inputs(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w,
                  NoiseModel noise) {
    if (x.size() != y.size())
        throw std::invalid_argument("bayes_linreg: x has " + std::to_string(x.size()) + " values but y has " +
                                    std::to_string(y.size()));
    if (!w.empty() && w.size() != x.size())
        throw std::invalid_argument("bayes_linreg: " + std::to_string(w.size()) + " weights for " +
                                    std::to_string(x.size()) + " points");
    const std::size_t need = noise == NoiseModel::Unknown ? 3 : 2;
    if (x.size() < need)
        throw std::invalid_argument("bayes_linreg: need at least " + std::to_string(need) +
                                    " points to fit a slope, got " + std::to_string(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
            throw std::invalid_argument("bayes_linreg: point " + std::to_string(i) + " is not finite (x = " +
                                        std::to_string(x[i]) + ", y = " + std::to_string(y[i]) + ")");
        if (!w.empty() && !(w[i] > 0 && std::isfinite(w[i])))
            throw std::invalid_argument("bayes_linreg: weight " + std::to_string(i) + " is " +
                                        std::to_string(w[i]) + "; weights must be positive and finite");
    }
}

}  // namespace

SlopePosterior bayes_linreg(const std::vector<double>& x, const std::vector<double>& y,
                            const std::vector<double>& weights, const NigPrior& prior, NoiseModel noise) {
    check_inputs(x, y, weights, noise);
    const std::size_t n = x.size();
    auto w = [&](std::size_t i) { return weights.empty() ? 1.0 : weights[i]; };

    // Centre x at its weighted mean: the design columns (1, u) become (nearly) orthogonal.
    double sw = 0, swx = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sw += w(i);
        swx += w(i) * x[i];
    }
    const double xbar = swx / sw;

    // Xᵀ W X = [[Σw, Σwu], [Σwu, Σwu²]] and Xᵀ W y = [Σwy, Σwuy].
    double swu = 0, swuu = 0, swy = 0, swuy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double u = x[i] - xbar;
        swu += w(i) * u;
        swuu += w(i) * u * u;
        swy += w(i) * y[i];
        swuy += w(i) * u * y[i];
    }
    if (!(swuu > 0))
        throw std::invalid_argument("bayes_linreg: all " + std::to_string(n) + " x values are equal (" +
                                    std::to_string(xbar) + "); a slope needs at least two distinct x");

    // Posterior precision Λn = V0⁻¹ + XᵀWX, covariance factor Vn = Λn⁻¹, mean mn = Vn (V0⁻¹ m0 + XᵀWy).
    const double p0c = 1 / prior.v0_centre, p0b = 1 / prior.v0_slope;     // V0⁻¹ (0 when flat)
    const double l00 = p0c + sw, l01 = swu, l11 = p0b + swuu;             // Λn
    const double det = l00 * l11 - l01 * l01;
    const double v00 = l11 / det, v01 = -l01 / det, v11 = l00 / det;      // Vn
    const double r0 = p0c * prior.m0_centre + swy, r1 = p0b * prior.m0_slope + swuy;
    const double mc = v00 * r0 + v01 * r1;                                // value at x̄
    const double mb = v01 * r0 + v11 * r1;                                // slope

    SlopePosterior post;
    post.slope = mb;
    post.intercept = mc - mb * xbar;
    post.x_mean = xbar;
    post.n = n;
    if (noise == NoiseModel::Known) {
        post.df = std::numeric_limits<double>::infinity();
        post.scale = std::sqrt(v11);
    } else {
        // yᵀWy + m0ᵀV0⁻¹m0 - mnᵀΛn mn, computed as the (stable) sum of squares it equals:
        // Σ w (y - c - b·u)² + (mn - m0)ᵀ V0⁻¹ (mn - m0).
        double q = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double r = y[i] - mc - mb * (x[i] - xbar);
            q += w(i) * r * r;
        }
        if (p0c > 0) q += p0c * (mc - prior.m0_centre) * (mc - prior.m0_centre);
        if (p0b > 0) q += p0b * (mb - prior.m0_slope) * (mb - prior.m0_slope);
        const double an = prior.a0 + 0.5 * static_cast<double>(n);
        const double bn = prior.b0 + 0.5 * q;
        if (!(an > 0) || bn < 0)
            throw std::invalid_argument("bayes_linreg: the prior (a0 = " + std::to_string(prior.a0) + ", b0 = " +
                                        std::to_string(prior.b0) + ") leaves an improper posterior for " +
                                        std::to_string(n) + " points");
        post.df = 2 * an;
        post.scale = std::sqrt(bn / an * v11);
    }
    post.ci50 = post.credible_interval(0.50);
    post.ci95 = post.credible_interval(0.95);
    return post;
}

}  // namespace sensitivity::probes
