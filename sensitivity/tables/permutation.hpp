// sensitivity/tables/permutation.hpp — permutation importance: the rise in a model's loss on held-out rows when a column, or a
// block of columns jointly, is shuffled; a second opinion that takes no derivative. Not the Jacobian table (features.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace sensitivity::tables {

// The model's loss of every row of x [V, D] (the caller closes over the model and the targets): [V] per-row losses.
using RowLoss = std::function<std::vector<double>(const xt::xtensor<double, 2>& x)>;

// One block of columns shuffled together (the same permutation of the rows for every column of the block, so the
// block's own correlations survive and only its link to the other columns and the target is broken).
//   rise: mean over rows of (loss with the block shuffled, averaged over `repeats` shuffles) - (loss as is);
//   lo, hi: its 95% percentile bootstrap interval over the rows (features.hpp's bootstrap_mean): the rows are the
//     independent units, so the interval says how far the rise would move on another set of held-out rows;
//   repeat_lo, repeat_hi: the 2.5% and 97.5% points of the `repeats` single-shuffle rises (the shuffle's own noise).
struct PermutationImportance {
    std::vector<std::size_t> columns;
    double rise = 0, lo = 0, hi = 0;
    double repeat_lo = 0, repeat_hi = 0;
    std::size_t repeats = 0;
};

// Shuffle k of block b uses mt19937_64(seed_seq{seed, b, k}): a run is reproducible and a block's numbers do not
// depend on the other blocks. Needs V >= 2 rows and repeats >= 2.
std::vector<PermutationImportance> permutation_importance(const RowLoss& loss, const xt::xtensor<double, 2>& x,
                                                          const std::vector<std::vector<std::size_t>>& blocks,
                                                          std::size_t repeats = 20, std::uint64_t seed = 1,
                                                          std::size_t resamples = 1000);

// Rank 1 for the largest value, ties in index order.
std::vector<std::size_t> descending_ranks(const std::vector<double>& values);

// Two rankings of D features disagree on a feature when its two ranks differ by more than max(2, D/4) places
// (integer division): a quarter of the table, and never a swap of neighbours.
std::size_t rank_disagreement_limit(std::size_t features);

}  // namespace sensitivity::tables
