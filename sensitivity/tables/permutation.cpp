// sensitivity/tables/permutation.cpp — shuffle a block of columns, re-evaluate the per-row loss, average over repeats,
// bootstrap over rows. The model is behind RowLoss; nothing here knows about networks.
#include "sensitivity/tables/permutation.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "sensitivity/tables/features.hpp"

namespace sensitivity::tables {

std::vector<PermutationImportance> permutation_importance(const RowLoss& loss, const xt::xtensor<double, 2>& x,
                                                          const std::vector<std::vector<std::size_t>>& blocks,
                                                          std::size_t repeats, std::uint64_t seed,
                                                          std::size_t resamples) {
    const std::size_t V = x.shape(0), D = x.shape(1);
    if (V < 2) throw std::invalid_argument("permutation_importance: need at least 2 rows, got " + std::to_string(V));
    if (repeats < 2) throw std::invalid_argument("permutation_importance: need at least 2 repeats");
    const std::vector<double> base = loss(x);                                   // [V]
    if (base.size() != V) throw std::invalid_argument("permutation_importance: the loss must give one value per row");
    std::vector<PermutationImportance> out;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        PermutationImportance p;
        p.columns = blocks[b];
        p.repeats = repeats;
        for (std::size_t j : p.columns)
            if (j >= D) throw std::invalid_argument("permutation_importance: column " + std::to_string(j) + " of " + std::to_string(D));
        std::vector<double> per_row(V, 0.0), single(repeats);                  // [V] rise averaged over repeats
        std::vector<std::size_t> order(V);
        xt::xtensor<double, 2> shuffled = x;                                    // [V, D]
        for (std::size_t k = 0; k < repeats; ++k) {
            std::seed_seq seq{std::uint64_t(seed), std::uint64_t(b), std::uint64_t(k)};
            std::mt19937_64 rng(seq);
            std::iota(order.begin(), order.end(), std::size_t(0));
            std::shuffle(order.begin(), order.end(), rng);
            for (std::size_t n = 0; n < V; ++n)
                for (std::size_t j : p.columns) shuffled(n, j) = x(order[n], j);
            const std::vector<double> l = loss(shuffled);
            double s = 0;
            for (std::size_t n = 0; n < V; ++n) {
                per_row[n] += (l[n] - base[n]) / static_cast<double>(repeats);
                s += l[n] - base[n];
            }
            single[k] = s / static_cast<double>(V);
        }
        const MeanInterval mi = bootstrap_mean(per_row, resamples, seed + b);
        p.rise = mi.mean;
        p.lo = mi.lo;
        p.hi = mi.hi;
        std::sort(single.begin(), single.end());
        const auto pct = [&](double q) {                                        // linear between order statistics
            const double pos = q * static_cast<double>(repeats - 1);
            const auto i = static_cast<std::size_t>(pos);
            const double f = pos - static_cast<double>(i);
            return i + 1 < repeats ? single[i] * (1 - f) + single[i + 1] * f : single[i];
        };
        p.repeat_lo = pct(0.025);
        p.repeat_hi = pct(0.975);
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<std::size_t> descending_ranks(const std::vector<double>& values) {
    std::vector<std::size_t> order(values.size()), rank(values.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
    for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = k + 1;
    return rank;
}

std::size_t rank_disagreement_limit(std::size_t features) { return std::max<std::size_t>(2, features / 4); }

}  // namespace sensitivity::tables
