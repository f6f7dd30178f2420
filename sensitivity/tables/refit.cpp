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

std::vector<RefitFeature> refit_intervals(const std::vector<std::vector<std::vector<double>>>& per_fit) {
    const std::size_t K = per_fit.size();
    if (K < 2) throw std::invalid_argument("refit_intervals: need at least 2 folds");
    const std::size_t R = per_fit[0].size();
    if (R == 0 || per_fit[0][0].empty()) throw std::invalid_argument("refit_intervals: every fold needs a refit");
    const std::size_t D = per_fit[0][0].size();
    for (const auto& fold : per_fit) {
        if (fold.size() != R) throw std::invalid_argument("refit_intervals: every fold needs the same number of refits");
        for (const auto& f : fold)
            if (f.size() != D) throw std::invalid_argument("refit_intervals: every refit needs one value per feature");
    }
    const double k = static_cast<double>(K), r_ = static_cast<double>(R);
    std::vector<RefitFeature> out(D);
    for (std::size_t j = 0; j < D; ++j) {
        RefitFeature& r = out[j];
        std::vector<double> fold_mean(K, 0);
        double within = 0;                                  // Σ_k Σ_r (θ_kr − θ̄_k)²
        for (std::size_t f = 0; f < K; ++f) {
            for (const auto& v : per_fit[f]) fold_mean[f] += v[j] / r_;
            for (const auto& v : per_fit[f]) within += (v[j] - fold_mean[f]) * (v[j] - fold_mean[f]);
            r.mean += fold_mean[f] / k;
        }
        double between = 0;                                 // Σ_k (θ̄_k − θ̄)²
        for (double m : fold_mean) between += (m - r.mean) * (m - r.mean);
        const double msb = between / (k - 1), msw = R > 1 ? within / (k * (r_ - 1)) : 0;   // msw = σ̂²
        // V = a·MSB − b·MSW + c·MSW (the rows' part, its noise taken out, plus the noise left in the mean)
        const double a = (k - 1) * (k - 1) / k, b = (k - 1) * (k - 1) / (k * r_), c = 1 / (k * r_);
        double V = a * msb - (b - c) * msw, df = k - 1;
        if (R > 1) {
            const double dfw = k * (r_ - 1);
            if (a * msb - b * msw <= 0) {                    // no visible rows' part: the noise alone
                V = c * msw;
                df = dfw;
            } else {                                        // Satterthwaite's degrees of freedom for the combination
                const double u = a * msb, w = (b - c) * msw;
                df = std::max(1.0, V * V / (u * u / (k - 1) + w * w / dfw));
            }
        }
        const double t = boost::math::quantile(boost::math::students_t(df), 0.975);
        r.se = std::sqrt(std::max(0.0, V));
        r.noise_sd = std::sqrt(msw);
        r.df = df;
        r.lo = r.mean - t * r.se;
        r.hi = r.mean + t * r.se;
        r.rank_min = D + 1;
    }
    const double fits = k * r_;
    for (const auto& fold : per_fit)
        for (const auto& f : fold) {                        // ranks within each refit, largest first
            std::vector<std::size_t> order(D);
            std::iota(order.begin(), order.end(), std::size_t(0));
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return f[a] > f[b]; });
            for (std::size_t q = 0; q < D; ++q) {
                RefitFeature& r = out[order[q]];
                r.top3_share += (q < 3) / fits;
                r.rank_min = std::min(r.rank_min, q + 1);
                r.rank_max = std::max(r.rank_max, q + 1);
            }
        }
    for (RefitFeature& r : out)
        r.unstable = (r.top3_share > 1e-12 && r.top3_share < 1 - 1e-12) || r.rank_max - r.rank_min >= 2;
    return out;
}

CrossFit cross_fit(const nn::training::TableData& data, std::size_t out, const nn::training::TrainConfig& config,
                   nn::training::EarlyStopping stop, std::size_t folds, double target_sd, const FeatureGradient& gradient,
                   const std::vector<std::size_t>& columns, std::size_t repeats) {
    namespace tr = nn::training;
    const std::size_t N = data.size();
    const double y_scale = data.classification() ? 1.0 : target_sd;
    CrossFit cf;
    if (repeats == 0) throw std::invalid_argument("cross_fit: repeats must be at least 1");
    std::vector<std::vector<std::vector<double>>> per_fit;
    std::size_t fit = 0;                                    // every refit gets its own seed: independent training noise
    for (const std::vector<std::size_t>& held_out : tr::kfold(N, folds, config.seed)) {
        const tr::TableData fit_rows = tr::subset(data, tr::complement(N, held_out)), test = tr::subset(data, held_out);
        FoldFit f;
        for (std::size_t rep = 0; rep < repeats; ++rep) {
            tr::TrainConfig c = config;
            c.seed = config.seed + 7919 * fit++;
            tr::FittedNet net = tr::fit_table_net(fit_rows, out, c, stop);
            if (rep == 0) {
                f.best_epoch = net.curve.best_epoch;
                f.net = tr::score(data.classification() ? nn::predict(net.model, test.x)
                                                        : nn::predict_logits(net.model, test.x),
                                  test, target_sd);
            }
            const std::vector<double> all = per_sd_sensitivity(gradient(net.model, fit_rows.x), fit_rows.x, y_scale);
            std::vector<double> picked = columns.empty() ? all : std::vector<double>{};
            for (std::size_t c_ : columns) picked.push_back(all.at(c_));
            f.per_sd.push_back(picked);
        }
        const tr::LinearModel base = tr::fit_baseline(fit_rows, out, config.seed);
        f.baseline_penalty = base.penalty;
        f.baseline = tr::score(tr::predict(base, test.x), test, target_sd);
        per_fit.push_back(f.per_sd);
        cf.folds.push_back(std::move(f));
    }
    cf.features = refit_intervals(per_fit);
    return cf;
}

}  // namespace sensitivity::tables
