// sensitivity/tables/refit.cpp — the cross-fitting loop, the delete-a-fold jackknife interval and the ranks over refits.
// Everything in double; the nets and baselines come from nn/training/.
#include "sensitivity/tables/refit.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>

namespace sensitivity::tables {

std::vector<double> per_sd_sensitivity(const nn::Tensor<float>& g, const nn::Tensor<float>& z, double y_scale) {
    const std::size_t N = z.shape(0), D = z.shape(1);
    if (N == 0 || g.shape(0) != N || g.shape(1) != D)
        throw std::invalid_argument("per_sd_sensitivity: gradient and rows must both be [N, D] with N > 0");
    std::vector<double> out(D);
    for (std::size_t j = 0; j < D; ++j) {
        double abs_sum = 0, mean = 0, ss = 0;
        for (std::size_t n = 0; n < N; ++n) {
            abs_sum += std::abs(static_cast<double>(g(n, j)));
            mean += z(n, j) / static_cast<double>(N);
        }
        for (std::size_t n = 0; n < N; ++n) ss += (z(n, j) - mean) * (z(n, j) - mean);
        out[j] = y_scale * abs_sum / static_cast<double>(N) * std::sqrt(ss / static_cast<double>(N));
    }
    return out;
}

std::vector<RefitFeature> refit_intervals(const std::vector<std::vector<double>>& per_fit) {
    const std::size_t K = per_fit.size();
    if (K < 2) throw std::invalid_argument("refit_intervals: need at least 2 refits");
    const std::size_t D = per_fit[0].size();
    for (const auto& f : per_fit)
        if (f.size() != D) throw std::invalid_argument("refit_intervals: every refit needs one value per feature");
    const double t = boost::math::quantile(boost::math::students_t(static_cast<double>(K - 1)), 0.975);
    std::vector<RefitFeature> out(D);
    for (std::size_t j = 0; j < D; ++j) {
        RefitFeature& r = out[j];
        for (const auto& f : per_fit) r.mean += f[j] / static_cast<double>(K);
        double ss = 0;
        for (const auto& f : per_fit) ss += (f[j] - r.mean) * (f[j] - r.mean);
        const double se = std::sqrt((static_cast<double>(K) - 1) / static_cast<double>(K) * ss);   // √V
        r.lo = r.mean - t * se;
        r.hi = r.mean + t * se;
        r.rank_min = D + 1;
    }
    for (const auto& f : per_fit) {                         // ranks within each refit, largest first
        std::vector<std::size_t> order(D);
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return f[a] > f[b]; });
        for (std::size_t k = 0; k < D; ++k) {
            RefitFeature& r = out[order[k]];
            r.top3_share += (k < 3) / static_cast<double>(K);
            r.rank_min = std::min(r.rank_min, k + 1);
            r.rank_max = std::max(r.rank_max, k + 1);
        }
    }
    for (RefitFeature& r : out)
        r.unstable = (r.top3_share > 0 && r.top3_share < 1) || r.rank_max - r.rank_min >= 2;
    return out;
}

CrossFit cross_fit(const nn::training::TableData& data, std::size_t out, const nn::training::TrainConfig& config,
                   nn::training::EarlyStopping stop, std::size_t folds, double target_sd, const FeatureGradient& gradient,
                   const std::vector<std::size_t>& columns) {
    namespace tr = nn::training;
    const std::size_t N = data.size();
    const double y_scale = data.classification() ? 1.0 : target_sd;
    CrossFit cf;
    std::vector<std::vector<double>> per_fit;
    for (const std::vector<std::size_t>& held_out : tr::kfold(N, folds, config.seed)) {
        const tr::TableData fit_rows = tr::subset(data, tr::complement(N, held_out)), test = tr::subset(data, held_out);
        FoldFit f;
        tr::FittedNet net = tr::fit_table_net(fit_rows, out, config, stop);
        f.best_epoch = net.curve.best_epoch;
        f.net = tr::score(data.classification() ? nn::predict(net.model, test.x) : nn::predict_logits(net.model, test.x),
                          test, target_sd);
        const tr::LinearModel base = tr::fit_baseline(fit_rows, out, config.seed);
        f.baseline_penalty = base.penalty;
        f.baseline = tr::score(tr::predict(base, test.x), test, target_sd);
        const std::vector<double> all = per_sd_sensitivity(gradient(net.model, fit_rows.x), fit_rows.x, y_scale);
        if (columns.empty()) f.per_sd = all;
        for (std::size_t c : columns) f.per_sd.push_back(all.at(c));
        per_fit.push_back(f.per_sd);
        cf.folds.push_back(std::move(f));
    }
    cf.features = refit_intervals(per_fit);
    return cf;
}

}  // namespace sensitivity::tables
