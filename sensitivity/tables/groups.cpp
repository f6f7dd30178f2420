// sensitivity/tables/groups.cpp — Spearman ranks, union of pairs into groups (breadth-first, signs carried along the chain),
// and the per-row directional derivative along a group. Everything in double.
#include "sensitivity/tables/groups.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "sensitivity/tables/features.hpp"

namespace sensitivity::tables {

namespace {

// Ranks 1..N of v, ties sharing the average of their ranks.
std::vector<double> ranks(const std::vector<double>& v) {
    const std::size_t N = v.size();
    std::vector<std::size_t> order(N);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(N);
    for (std::size_t i = 0; i < N;) {
        std::size_t k = i;
        while (k + 1 < N && v[order[k + 1]] == v[order[i]]) ++k;
        const double average = 0.5 * static_cast<double>(i + k) + 1;
        for (std::size_t m = i; m <= k; ++m) r[order[m]] = average;
        i = k + 1;
    }
    return r;
}

}  // namespace

xt::xtensor<double, 2> spearman_matrix(const xt::xtensor<double, 2>& x) {
    const std::size_t N = x.shape(0), D = x.shape(1);
    std::vector<std::vector<double>> z(D);
    std::vector<bool> constant(D, false);
    for (std::size_t j = 0; j < D; ++j) {   // centred, scaled ranks: ρ is then a mean of products
        std::vector<double> col(N);
        for (std::size_t n = 0; n < N; ++n) col[n] = x(n, j);
        z[j] = ranks(col);
        double m = 0, ss = 0;
        for (double e : z[j]) m += e / static_cast<double>(N);
        for (double e : z[j]) ss += (e - m) * (e - m);
        const double s = std::sqrt(ss / static_cast<double>(N));
        constant[j] = !(s > 0);
        for (double& e : z[j]) e = constant[j] ? 0 : (e - m) / s;
    }
    xt::xtensor<double, 2> rho = xt::zeros<double>({D, D});   // [D, D]
    for (std::size_t a = 0; a < D; ++a) {
        rho(a, a) = 1;
        for (std::size_t b = a + 1; b < D; ++b) {
            double r = 0;
            if (!constant[a] && !constant[b])
                for (std::size_t n = 0; n < N; ++n) r += z[a][n] * z[b][n] / static_cast<double>(N);
            rho(a, b) = rho(b, a) = r;
        }
    }
    return rho;
}

std::vector<FeatureGroup> correlated_groups(const xt::xtensor<double, 2>& rho, double threshold) {
    const std::size_t D = rho.shape(0);
    if (rho.shape(1) != D) throw std::invalid_argument("correlated_groups: rho must be square");
    std::vector<int> sign(D, 0);                              // 0: not yet in a group
    std::vector<FeatureGroup> groups;
    for (std::size_t start = 0; start < D; ++start) {
        if (sign[start] != 0) continue;
        FeatureGroup g;
        std::vector<std::size_t> queue{start};
        sign[start] = 1;
        for (std::size_t q = 0; q < queue.size(); ++q) {      // breadth-first over pairs with |ρ| >= threshold
            const std::size_t a = queue[q];
            for (std::size_t b = 0; b < D; ++b)
                if (b != a && sign[b] == 0 && std::abs(rho(a, b)) >= threshold) {
                    sign[b] = rho(a, b) < 0 ? -sign[a] : sign[a];
                    queue.push_back(b);
                }
        }
        if (queue.size() < 2) continue;
        std::sort(queue.begin(), queue.end());
        g.members = queue;
        g.min_abs_rho = 1;
        for (std::size_t a : g.members) {
            g.signs.push_back(sign[a]);
            for (std::size_t b : g.members)
                if (a < b) g.min_abs_rho = std::min(g.min_abs_rho, std::abs(rho(a, b)));
        }
        groups.push_back(std::move(g));
    }
    return groups;
}

GroupSensitivity group_sensitivity(const FeatureGroup& group, const xt::xtensor<double, 2>& J,
                                   const std::vector<double>& sds, const std::vector<std::string>& names,
                                   std::size_t resamples, std::uint64_t seed) {
    const std::size_t N = J.shape(0), D = J.shape(1);
    if (sds.size() != D || names.size() != D || group.members.size() != group.signs.size() || group.members.empty())
        throw std::invalid_argument("group_sensitivity: J, sds, names and the group must agree");
    GroupSensitivity s;
    const double norm = std::sqrt(static_cast<double>(group.members.size()));
    std::vector<double> d(N, 0.0), a(N);                      // [N] D_v y of each row
    for (std::size_t k = 0; k < group.members.size(); ++k) {
        const std::size_t j = group.members[k];
        if (j >= D) throw std::invalid_argument("group_sensitivity: member beyond the columns of J");
        s.names.push_back(names[j]);
        for (std::size_t n = 0; n < N; ++n) d[n] += group.signs[k] * J(n, j) * sds[j] / norm;
    }
    for (std::size_t n = 0; n < N; ++n) a[n] = std::abs(d[n]);
    const MeanInterval mi = bootstrap_mean(a, resamples, seed);
    s.mean_abs = mi.mean;
    s.mean_abs_lo = mi.lo;
    s.mean_abs_hi = mi.hi;
    s.mean = std::accumulate(d.begin(), d.end(), 0.0) / static_cast<double>(N);
    return s;
}

}  // namespace sensitivity::tables
