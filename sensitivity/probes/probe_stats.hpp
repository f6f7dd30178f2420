// sensitivity/probes/probe_stats.hpp — the statistics a probe reports besides its line: honest slope intervals, lack of fit,
// the practical-equivalence significance label, and the half-point of a perturbation curve with its bootstrap interval.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sensitivity/probes/bayes_linreg.hpp"

namespace sensitivity::probes {

// A slope with a Student-t (df finite) or Normal (df = infinity) interval: slope ± quantile·scale.
struct SlopeEstimate {
    double slope = 0, scale = 0, df = 0;
    Interval ci50, ci95;
};
SlopeEstimate slope_estimate(double slope, double scale, double df);   // fills ci50 and ci95

// Perturbation probes: every image is seen at the same strengths x_0..x_{K-1}, so the pooled least-squares slope equals
// the mean of the N per-image slopes b_i = Σ_k (x_k - x̄)·y_ik / Σ_k (x_k - x̄)². The images are the independent units:
// the interval is b̄ ± t(N-1)·sd(b_i)/√N, the exact posterior of the mean of the b_i under the reference prior
// (Normal b_i with unknown mean and variance) and the classical one-sample t-interval. scores[k·N + i] is image i's
// score at strength k (strength-major, as the probe collects them). Needs N >= 2 and two distinct strengths.
SlopeEstimate image_slope_mean(const std::vector<double>& strengths, const std::vector<double>& scores,
                               std::size_t images);

// Property probes (one point per example, every example independent but the scatter not constant in p): the least-
// squares slope with the HC3 sandwich standard error Σ u_i² e_i²/(1 - h_i)² / (Σ u_i²)², h_i = 1/n + u_i²/Σ u²
// (MacKinnon & White 1985), and a t(n - 2) quantile. Needs n >= 3 and two distinct x.
SlopeEstimate hc3_slope(const std::vector<double>& x, const std::vector<double>& y);

// How badly the line score = intercept + slope·p misfits the table's rows: χ² = Σ_k ((m_k - line(p_k)) / se_k)² over
// rows with a standard error se_k > 0, divided by dof = rows used - 2. Empty when dof < 1. p_value is
// P(χ²_dof > χ²): a misfit is flagged when it is below kMisfitP. (For a perturbation probe the rows share their
// images, so the χ² is a diagnostic, not an exact test.)
struct LackOfFit {
    double chi2_per_dof = 0;
    std::size_t dof = 0;
    double p_value = 1;
    bool misfit() const;
    // pooled_lack_of_fit only: the pooled within-bin sd, its degrees of freedom, and the p of the rows "without spread"
    // (n < 2, or an sd below a tenth of the pooled sd): kept in the χ², with the pooled variance instead of their own.
    double pooled_sd = 0;
    std::size_t within_dof = 0;
    std::vector<double> flat_rows;
};
constexpr double kMisfitP = 0.01;
std::optional<LackOfFit> lack_of_fit(const std::vector<double>& p, const std::vector<double>& mean,
                                     const std::vector<double>& se, double slope, double intercept);

// The lack of fit a probe reports: each row's mean against the pooled within-row variance ("pure error"),
//   s² = Σ_k (n_k - 1)·sd_k² / Σ_k (n_k - 1),   χ² = Σ_k n_k·(m_k - line(p_k))² / s²,   dof = rows - 2,
// so chi2_per_dof is the classical lack-of-fit F statistic and p_value is P(F(dof, Σ(n_k - 1)) > chi2_per_dof).
// One row whose scores do not spread (saturated probabilities: sd 1e-7 in 11 rows) cannot drive s² to zero, as it
// drove its own se_k in lack_of_fit() above (χ²/dof of 1e12). The price: scatter that differs between rows is
// averaged. Empty when dof < 1 or no row has any spread (s² = 0). sd is the rows' sample sd, n their counts.
std::optional<LackOfFit> pooled_lack_of_fit(const std::vector<double>& p, const std::vector<double>& mean,
                                            const std::vector<double>& sd, const std::vector<std::size_t>& n,
                                            double slope, double intercept);

// The slope floor per unit of p: `score_floor` of mean-score change across the 5–95% quantile range of the fitted
// examples' p (linear interpolation between order statistics, as numpy's default). No bins enter, so it does not move
// when the table is cut differently. When the quantiles coincide, the full range is used; 0 when p is constant.
double slope_floor(const std::vector<double>& p, double score_floor);
double quantile(std::vector<double> values, double q);   // q in [0, 1]; throws on an empty vector

// Practical equivalence with the 95% interval [lo, hi] and the floor f >= 0:
//   "high"        the whole interval lies beyond ±f (lo > f or hi < -f): the slope is surely bigger than the floor;
//   "negligible"  the whole interval lies within ±f: the slope is surely smaller than the floor;
//   "uncertain"   otherwise: the data cannot tell.
std::string significance(const Interval& ci95, double floor);

// The half-point of a falling curve: the first strength at which the mean falls to half its value at the first
// (lowest) strength, by linear interpolation between strengths; empty when it never does in the probed range, or when
// the curve starts at 0.
std::optional<double> half_crossing(const std::vector<double>& strengths, const std::vector<double>& means);

// The half-point of the mean of per-image values (scores, or 0/1 correctness) values[k·N + i] over the images, with a
// 95% percentile interval from `replicates` bootstrap resamples of the images (seeded: reproducible). "Never halves"
// sorts above every strength, so the upper bound is empty when more than 2.5% of the resamples never halve, the lower
// one only when more than 97.5% do (the curve may not halve within the probed range).
struct HalfPoint {
    double level = 0;                  // half the mean at the first strength
    std::optional<double> point;       // the half-point, or empty
    std::optional<double> lo, hi;      // the 95% bootstrap interval
    std::size_t replicates = 0;
    double never_fraction = 0;         // share of resamples whose curve never halves
};
HalfPoint half_point(const std::vector<double>& strengths, const std::vector<double>& values, std::size_t images,
                     std::size_t replicates = 1000, std::uint64_t seed = 0);

}  // namespace sensitivity::probes
