// sensitivity/tables/refit.cpp — the cross-fitting loop, its bootstrap replicates, the refit interval and the ranks over
// refits. Everything in double; the nets and baselines come from nn/training/.
#include "sensitivity/tables/refit.hpp"

#include "nn/training/denormals.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

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

std::vector<RefitFeature> refit_intervals(const std::vector<std::vector<std::vector<double>>>& per_fit,
                                          const std::vector<std::vector<double>>& replicates) {
    const std::size_t K = per_fit.size();
    if (K < 2) throw std::invalid_argument("refit_intervals: need at least 2 folds");
    const std::size_t R = per_fit[0].size();
    if (R == 0 || per_fit[0][0].empty()) throw std::invalid_argument("refit_intervals: every fold needs a refit");
    const std::size_t D = per_fit[0][0].size(), B = replicates.size();
    for (const auto& fold : per_fit) {
        if (fold.size() != R) throw std::invalid_argument("refit_intervals: every fold needs the same number of refits");
        for (const auto& f : fold)
            if (f.size() != D) throw std::invalid_argument("refit_intervals: every refit needs one value per feature");
    }
    if (B < 2) throw std::invalid_argument("refit_intervals: need at least 2 bootstrap replicates");
    for (const auto& b : replicates)
        if (b.size() != D) throw std::invalid_argument("refit_intervals: every replicate needs one value per feature");
    const double k = static_cast<double>(K), r_ = static_cast<double>(R), b_ = static_cast<double>(B);
    const double t = boost::math::quantile(boost::math::students_t(b_ - 1), 0.975);
    std::vector<RefitFeature> out(D);
    for (std::size_t j = 0; j < D; ++j) {
        RefitFeature& r = out[j];
        double within = 0;                                  // Σ_k Σ_r (θ_kr − θ̄_k)²
        for (const auto& fold : per_fit) {
            double fold_mean = 0;
            for (const auto& v : fold) fold_mean += v[j] / r_;
            for (const auto& v : fold) within += (v[j] - fold_mean) * (v[j] - fold_mean);
            r.mean += fold_mean / k;
        }
        double rep_mean = 0, rep_ss = 0;                    // the replicates' mean and Σ_b (θ*_b − mean)²
        for (const auto& v : replicates) rep_mean += v[j] / b_;
        for (const auto& v : replicates) rep_ss += (v[j] - rep_mean) * (v[j] - rep_mean);
        const double s2 = rep_ss / (b_ - 1), noise = R > 1 ? within / (k * (r_ - 1)) : 0;   // s²_B, σ̂²
        // A replicate's mean holds the noise of K nets, θ̄ that of K·R: take out the difference, keep at least θ̄'s noise.
        const double V = std::max(s2 - (1 - 1 / r_) * noise / k, noise / (k * r_));
        r.se = std::sqrt(V);
        r.noise_sd = std::sqrt(noise);
        r.replicate_sd = std::sqrt(s2);
        r.df = b_ - 1;
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

namespace {

namespace tr = nn::training;

// What one cross-fitting needs besides the rows.
struct Setting {
    const tr::TableData& data;
    std::size_t out, folds;
    const tr::TrainConfig& config;
    tr::EarlyStopping stop;
    double target_sd, y_scale;
    const FeatureGradient& gradient;
    const std::vector<std::size_t>& columns;
    std::vector<double> weight_decays;
};

// One cross-fitting of the rows of s.data, row n counted copies[n] times (all 1: the table itself; else a bootstrap
// resample), with folds and seeds from `seed`. Per fold: the weight decay whose net (the fold's first seed) has the
// lowest inner validation loss, then `repeats` − 1 more nets with it. Returns each net's per-SD sensitivities
// [K][R][D]; `scored` (may be null) gets each fold's scores, epoch, weight decay and baseline.
std::vector<std::vector<std::vector<double>>> cross_fit_once(const Setting& s, const std::vector<std::size_t>& copies,
                                                             std::uint64_t seed, std::size_t repeats,
                                                             std::vector<FoldFit>* scored) {
    const std::size_t N = s.data.size();
    std::vector<std::vector<std::vector<double>>> per_fit;
    std::size_t fit = 0;                                    // every refit gets its own seed: independent training noise
    for (const std::vector<std::size_t>& held_out : tr::kfold(N, s.folds, seed)) {
        std::vector<std::size_t> fit_copies = copies, fit_rows;
        for (std::size_t n : held_out) fit_copies[n] = 0;
        for (std::size_t n = 0; n < N; ++n) fit_rows.insert(fit_rows.end(), fit_copies[n], n);
        const tr::TableData rows = tr::subset(s.data, fit_rows);
        FoldFit f;
        for (std::size_t rep = 0; rep < repeats; ++rep) {
            tr::TrainConfig c = s.config;
            c.seed = seed + 7919 * fit++;
            tr::FittedNet net;
            if (rep == 0) {                                 // the weight decay, chosen on this fold's own rows
                double best = std::numeric_limits<double>::infinity();
                for (double wd : s.weight_decays) {
                    c.weight_decay = wd;
                    tr::FittedNet candidate = tr::fit_table_net(s.data, fit_copies, s.out, c, s.stop);
                    const double loss = candidate.curve.epochs.at(candidate.curve.best_epoch - 1).validation_loss;
                    if (loss < best) {
                        best = loss;
                        net = std::move(candidate);
                        f.weight_decay = wd;
                    }
                }
                if (!std::isfinite(best)) throw std::runtime_error("cross_fit: no weight decay gave a finite validation loss");
            } else {
                c.weight_decay = f.weight_decay;
                net = tr::fit_table_net(s.data, fit_copies, s.out, c, s.stop);
            }
            if (rep == 0 && scored != nullptr) {
                const tr::TableData test = tr::subset(s.data, held_out);
                f.best_epoch = net.curve.best_epoch;
                f.net = tr::score(s.data.classification() ? nn::predict(net.model, test.x)
                                                          : nn::predict_logits(net.model, test.x),
                                  test, s.target_sd);
            }
            const std::vector<double> all = per_sd_sensitivity(s.gradient(net.model, rows.x), rows.x, s.y_scale);
            std::vector<double> picked = s.columns.empty() ? all : std::vector<double>{};
            for (std::size_t c_ : s.columns) picked.push_back(all.at(c_));
            f.per_sd.push_back(picked);
        }
        per_fit.push_back(f.per_sd);
        if (scored != nullptr) {
            const tr::TableData test = tr::subset(s.data, held_out);
            const tr::LinearModel base = tr::fit_baseline(rows, s.out, s.config.seed);
            f.baseline_penalty = base.penalty;
            f.baseline = tr::score(tr::predict(base, test.x), test, s.target_sd);
            scored->push_back(std::move(f));
        }
    }
    return per_fit;
}

}  // namespace

CrossFit cross_fit(const nn::training::TableData& data, std::size_t out, const nn::training::TrainConfig& config,
                   nn::training::EarlyStopping stop, std::size_t folds, double target_sd, const FeatureGradient& gradient,
                   const std::vector<std::size_t>& columns, const RefitPlan& plan) {
    if (plan.repeats == 0) throw std::invalid_argument("cross_fit: repeats must be at least 1");
    if (plan.replicates < 2) throw std::invalid_argument("cross_fit: the interval needs at least 2 bootstrap replicates");
    const std::size_t N = data.size();
    Setting s{data, out, folds, config, stop, target_sd, data.classification() ? 1.0 : target_sd, gradient, columns,
              plan.weight_decays.empty() ? std::vector<double>{config.weight_decay} : plan.weight_decays};
    CrossFit cf;
    const auto per_fit = cross_fit_once(s, std::vector<std::size_t>(N, 1), config.seed, plan.repeats, &cf.folds);
    // The whole procedure again on B resamples of the rows (drawn with replacement), each with its own folds and seeds.
    // The weight decay is not chosen again: the replicates use the one the folds chose most often (ties: the smaller),
    // which keeps their cost at B·K nets instead of B·K·G.
    std::vector<double> chosen;
    for (const FoldFit& f : cf.folds) chosen.push_back(f.weight_decay);
    std::sort(chosen.begin(), chosen.end());
    double mode = chosen.front();
    std::size_t most = 0;
    for (double wd : chosen) {
        const auto n = static_cast<std::size_t>(std::count(chosen.begin(), chosen.end(), wd));
        if (n > most) most = n, mode = wd;
    }
    s.weight_decays = {mode};
    // Each replicate is its own seeded computation, so they run on plan.threads threads (replicate b on thread
    // b mod T) and give the same numbers on any number of threads.
    cf.replicates.assign(plan.replicates, {});
    const auto replicate = [&](std::size_t b) {
        std::uniform_int_distribution<std::size_t> row(0, N - 1);
        std::seed_seq seq{config.seed, std::uint64_t(b), std::uint64_t(13)};
        std::mt19937_64 rng(seq);
        std::vector<std::size_t> copies(N, 0);
        for (std::size_t n = 0; n < N; ++n) ++copies[row(rng)];
        const auto rep = cross_fit_once(s, copies, config.seed + 1000003 * (b + 1), 1, nullptr);
        std::vector<double> mean(rep[0][0].size(), 0);
        for (const auto& fold : rep)
            for (std::size_t j = 0; j < mean.size(); ++j) mean[j] += fold[0][j] / static_cast<double>(rep.size());
        cf.replicates[b] = mean;
    };
    const std::size_t T = std::max<std::size_t>(1, std::min(plan.threads, plan.replicates));
    std::vector<std::exception_ptr> failed(T);
    const auto work = [&](std::size_t t) {
        nn::training::FlushDenormals flush;     // as on the calling thread: FTZ/DAZ are per thread
        try {
            for (std::size_t b = t; b < plan.replicates; b += T) replicate(b);
        } catch (...) {
            failed[t] = std::current_exception();
        }
    };
    std::vector<std::thread> others;
    for (std::size_t t = 1; t < T; ++t) others.emplace_back(work, t);
    work(0);
    for (std::thread& t : others) t.join();
    for (const std::exception_ptr& e : failed)
        if (e) std::rethrow_exception(e);
    cf.features = refit_intervals(per_fit, cf.replicates);
    return cf;
}

}  // namespace sensitivity::tables
