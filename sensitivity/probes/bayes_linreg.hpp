// sensitivity/probes/bayes_linreg.hpp — exact Bayesian linear regression y = a + b·x: the posterior of the slope b in closed form.
// Conjugate Normal–Inverse-Gamma prior, no sampling; the probes that feed it data live in sensitivity/probes/probe.hpp.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

namespace sensitivity::probes {

// The model, in centred coordinates u = x - x̄ (x̄ the weighted mean of x, for numerical stability):
//   y_i = c + b·u_i + ε_i,   ε_i ~ N(0, σ²/w_i)          (c is the line's value at x̄; the intercept a = c - b·x̄)
//   σ² ~ InvGamma(a0, b0),   (c, b) | σ² ~ N(m0, σ²·V0),   V0 = diag(v0_centre, v0_slope)
//
// The default prior is the reference prior p(c, b, σ²) ∝ 1/σ²: the improper limit V0⁻¹ = 0, a0 = -1, b0 = 0. Then
//   a_n = a0 + n/2 = (n - 2)/2,   2·a_n = n - 2,   b_n = SSR/2,   scale² = (b_n/a_n)·V_n[b] = s²/Σ w·u²
// with s² = SSR/(n - 2): exactly the classical (weighted) least-squares slope and its t-interval with n - 2 df, so the
// 95% interval covers the true slope 95% of the time even for 5 bin means (tests/test_bayes.cpp measures it).
// (The limit a0 = b0 = 0, the old default, gives n degrees of freedom: for 5 bin means its "95%" interval covered
// 86% of the time.) It needs n >= 3 points and two distinct x, which bayes_linreg checks anyway.
//
// weak() is the weakly informative prior V0 = diag(1e6, 1e6) (prior sd of the slope 1000·σ per unit of x),
// a0 = b0 = 1e-6: proper for any data, but with n rather than n - 2 degrees of freedom. Mind the units of x with it:
// if x varies by 1e-3, Σ w·u² is tiny and the prior pulls the slope towards m0.
struct NigPrior {
    double m0_centre = 0, m0_slope = 0;                                        // prior mean of (c, b)
    double v0_centre = std::numeric_limits<double>::infinity();               // prior variances in units of σ²;
    double v0_slope = std::numeric_limits<double>::infinity();                //   infinity = flat
    double a0 = -1.0, b0 = 0.0;                                                // σ² ~ InvGamma(a0, b0)

    static NigPrior reference() { return NigPrior{}; }
    static NigPrior vague() { return NigPrior{}; }                            // the same: the reference prior
    static NigPrior weak() { return NigPrior{0, 0, 1e6, 1e6, 1e-6, 1e-6}; }
};

// How the weights are read.
//   Unknown: σ² is unknown and inferred (NIG above); w_i are relative precisions (e.g. bin counts). Slope ~ Student-t.
//   Known:   y_i has variance exactly 1/w_i (w_i = 1/se_i², e.g. per-bin standard errors); σ² = 1 and a0, b0 are
//            unused, V0 is then the absolute prior variance of (c, b). Slope ~ Normal.
enum class NoiseModel { Unknown, Known };

struct Interval {
    double lo = 0, hi = 0;
    bool excludes_zero() const { return lo > 0 || hi < 0; }
};

// The posterior of the line. The slope's marginal is location + scale·T with T ~ Student-t(df) (df = ∞: Normal).
struct SlopePosterior {
    double slope = 0;        // posterior mean (= location) of b
    double intercept = 0;    // posterior mean of a, the line's value at x = 0
    double scale = 0;        // scale of b's marginal (its sd when df = ∞)
    double df = 0;           // 2·a_n, or infinity for NoiseModel::Known
    double x_mean = 0;       // the centre x̄
    std::size_t n = 0;       // number of points
    Interval ci50, ci95;     // central credible intervals of b

    Interval credible_interval(double mass) const;  // central interval holding `mass` in (0, 1)
};

// Fits y = a + b·x. `weights` empty = all 1; otherwise one positive finite weight per point.
// Throws std::invalid_argument naming what is wrong: lengths that differ, non-finite values, fewer than 3 points
// (2 with NoiseModel::Known), all x equal, or a non-positive weight.
SlopePosterior bayes_linreg(const std::vector<double>& x, const std::vector<double>& y,
                            const std::vector<double>& weights = {}, const NigPrior& prior = NigPrior{},
                            NoiseModel noise = NoiseModel::Unknown);

}  // namespace sensitivity::probes
