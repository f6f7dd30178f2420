// sensitivity/tables/groups.hpp — correlated features as groups: Spearman ρ of every pair of columns, groups as the connected
// components of |ρ| >= a threshold, and the sensitivity along each group's standardized direction. Not the per-feature table (features.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace sensitivity::tables {

// Spearman's ρ of columns a and b of x [N, D]: Pearson r of their ranks (ties get their average rank). 0 when either
// column is constant (no rank order to correlate).
xt::xtensor<double, 2> spearman_matrix(const xt::xtensor<double, 2>& x);   // [D, D], 1 on the diagonal

// Features whose values move together. Single linkage: two features are in one group when a chain of pairs with
// |ρ| >= threshold joins them. Only groups of two or more are returned, in order of their first member.
struct FeatureGroup {
    std::vector<std::size_t> members;   // feature indices, increasing
    std::vector<int> signs;             // +1 / -1 per member: its sign relative to the first member (through the chain)
    double min_abs_rho = 0;             // the weakest |ρ| of a pair inside the group (a chain can join weak pairs)
};
std::vector<FeatureGroup> correlated_groups(const xt::xtensor<double, 2>& rho, double threshold = 0.8);

// The group's standardized direction v = Σ_j s_j e_j / √k in per-SD coordinates (k members, signs s_j), and the
// directional derivative of y along it in every row: D_v y = Σ_j s_j · J_nj · sd_j / √k, target units per unit step
// of v (a step of 1 moves each member by s_j/√k of its SD). The summary is mean |D_v y| with a 95% percentile bootstrap
// over rows (as features.hpp's bootstrap_mean) and the signed mean.
struct GroupSensitivity {
    std::vector<std::string> names;
    double mean_abs = 0, mean_abs_lo = 0, mean_abs_hi = 0;
    double mean = 0;
};
GroupSensitivity group_sensitivity(const FeatureGroup& group, const xt::xtensor<double, 2>& J,
                                   const std::vector<double>& sds, const std::vector<std::string>& names,
                                   std::size_t resamples = 1000, std::uint64_t seed = 1);

}  // namespace sensitivity::tables
