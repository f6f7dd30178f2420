// sensitivity/tables/features.hpp — per-feature sensitivities of a table model: mean |∂y/∂x_j| with a bootstrap interval, the
// signed mean, the same per standard deviation of the feature, which features are strongly correlated, and the
// effect of moving rows between the levels of a categorical column.
// Statistics only, from a Jacobian the caller took from the tape (sensitivity/maps/jacobian.hpp); figures are feature_plots.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace sensitivity::tables {

struct FeatureSensitivity {
    std::string name;
    double mean_abs = 0;               // mean over rows of |∂y/∂x_j|, target units per unit of x_j
    double mean_abs_lo = 0, mean_abs_hi = 0;   // its 95% percentile bootstrap interval over rows
    double mean = 0;                   // mean over rows of ∂y/∂x_j (signed: + means y rises with x_j on average)
    double sd = 0;                     // the feature's standard deviation over the rows given
    double mean_abs_per_sd = 0;        // mean_abs · sd: change of y for a one-SD change of x_j (comparable across units)
    double mean_abs_per_sd_lo = 0, mean_abs_per_sd_hi = 0;
    double mean_per_sd = 0;            // mean · sd
    std::vector<std::string> correlated_with;   // features with |Pearson r| >= the threshold
};

// A pair of features whose values move together.
struct CorrelatedPair {
    std::size_t a = 0, b = 0;          // feature indices, a < b
    double r = 0;                      // Pearson correlation over the rows
};

// Pearson r of every pair of columns of x [N, D] with |r| >= threshold (columns with zero variance have no r).
std::vector<CorrelatedPair> correlated_pairs(const xt::xtensor<double, 2>& x, double threshold = 0.8);

// The summary per feature from J [N, D] (∂y/∂x_j of each row, in the target's units per unit of feature j) and the
// feature values x [N, D] (for the standard deviations and the correlations). The bootstrap resamples rows with
// replacement `resamples` times from mt19937_64(seed): the interval is about which rows happened to be in the table
// (rows assumed independent), not about the training run that made the model.
std::vector<FeatureSensitivity> feature_sensitivity(const xt::xtensor<double, 2>& J, const xt::xtensor<double, 2>& x,
                                                    const std::vector<std::string>& names,
                                                    double correlation_threshold = 0.8, std::size_t resamples = 1000,
                                                    std::uint64_t seed = 1);

// Indices of `features` sorted by mean_abs_per_sd, largest first (ties keep the column order).
// Inline: the figures library draws in this order and links no sensitivity code.
inline std::vector<std::size_t> rank_by_per_sd(const std::vector<FeatureSensitivity>& features) {
    std::vector<std::size_t> order(features.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return features[a].mean_abs_per_sd > features[b].mean_abs_per_sd;
    });
    return order;
}

// The 95% percentile bootstrap interval of the mean of `values` (resampled `resamples` times from mt19937_64(seed)).
struct MeanInterval {
    double mean = 0, lo = 0, hi = 0;
};
MeanInterval bootstrap_mean(const std::vector<double>& values, std::size_t resamples, std::uint64_t seed);

// A categorical column is not differentiated: its sensitivity is what moving a row to another level does. For each
// level l, over every row n: change(n) = f(row n with its level set to l) − f(row n as it is), so a row already at l
// adds 0. Summarised by the mean, the population SD and the mean of |change| over the rows.
struct LevelEffect {
    std::string column, level;
    std::size_t rows_at_level = 0;     // rows whose own level is l
    double mean = 0, sd = 0, mean_abs = 0;
};

// moved [L, N]: the output of row n moved to level l; base [N]: row n's output as it is; level_of [N]: row n's level.
std::vector<LevelEffect> level_effects(const std::string& column, const std::vector<std::string>& levels,
                                       const xt::xtensor<double, 2>& moved, const std::vector<double>& base,
                                       const std::vector<std::size_t>& level_of);

}  // namespace sensitivity::tables
