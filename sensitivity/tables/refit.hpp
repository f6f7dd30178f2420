// sensitivity/tables/refit.hpp — how much the per-feature sensitivities move when the model is fitted again: K-fold
// cross-fitting of the net and the linear baseline, their scores, and a refit interval and rank stability per feature.
// The one-fit row bootstrap is features.hpp; fitting itself is nn/training/ (cross_validate.hpp, linear_model.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "nn/mlp.hpp"
#include "nn/training/cross_validate.hpp"
#include "nn/training/linear_model.hpp"

namespace sensitivity::tables {

// ∂(the explained output)/∂z [N, D] of `model` at the standardized rows z [N, D]: the caller's choice of output
// (the prediction for regression, the predicted class's log-odds or probability for classification), taken on the tape
// (sensitivity/maps/jacobian.hpp). A parameter, so that this library needs no maps.
using FeatureGradient = std::function<nn::Tensor<float>(nn::MLP<float>& model, const nn::Tensor<float>& z)>;

// The per-SD sensitivity of each feature over the rows given: y_scale · mean_n |g(n, j)| · sd_n(z_j), where g = ∂f/∂z
// and y_scale is the target's SD (regression) or 1 (probabilities). Equals features.hpp's mean_abs_per_sd.
std::vector<double> per_sd_sensitivity(const nn::Tensor<float>& gradient /*[N, D]*/, const nn::Tensor<float>& z,
                                       double y_scale);

// A feature's sensitivity over K folds × R refits, each fold's refits on the table without that fold, with R seeds.
// A net's value θ_kr is a function of the rows (the part a grouped, delete-a-fold jackknife sees) plus the noise of
// its training run (initial weights, shuffles, the inner validation split), independent between runs with variance
// σ². The jackknife alone, (K−1)/K · Σ_k (θ̄_k − θ̄)², counts that noise (K−1)² times too often, since the mean over
// fits averages it away: on simulated tables it gave a 95% interval twice too wide (tests/test_refit_calibration.cpp).
// So, with R >= 2, σ̂² = the pooled within-fold variance of the R refits (K(R−1) degrees of freedom), and
//   V = (K−1)/K · max(0, Σ_k (θ̄_k − θ̄)² − (K−1)·σ̂²/R)  +  σ̂²/(K·R),
// the rows' part by the jackknife with the noise taken out, plus the noise left in the mean of K·R fits. The 95%
// interval is θ̄ ± t(0.975, K−1)·√V. With R = 1, σ² cannot be separated: the plain jackknife (too wide when the
// training noise is large). Rank stability is over all K·R fits.
struct RefitFeature {
    double mean = 0, lo = 0, hi = 0;
    double se = 0;                     // √V
    double df = 0;                     // the t quantile's degrees of freedom (Satterthwaite's with R >= 2)
    double noise_sd = 0;               // σ̂: the spread of refits on the same rows (0 with R = 1)
    double top3_share = 0;             // share of the K·R refits in which the feature ranks 1st to 3rd (per SD)
    std::size_t rank_min = 0, rank_max = 0;   // its best and worst rank over the refits (1 = largest)
    bool unstable = false;             // the refits disagree: top-3 in some but not all, or ranks 2+ places apart
};
// per_fit [K][R][D]: the value of each feature in each refit r of fold k (K >= 2, R >= 1 the same for every fold).
std::vector<RefitFeature> refit_intervals(const std::vector<std::vector<std::vector<double>>>& per_fit);

struct FoldFit {
    nn::training::TableScore net, baseline;   // on the held-out fold
    std::size_t best_epoch = 0;               // the epoch early stopping kept
    double baseline_penalty = 0;              // λ of the ridge, or the logistic weight decay, chosen inside the fold
    std::vector<std::vector<double>> per_sd;  // [R][D] each refit's per-SD sensitivities over the fold's training rows
};
struct CrossFit {
    std::vector<FoldFit> folds;
    std::vector<RefitFeature> features;       // refit_intervals of folds[k].per_sd
};

// For each of `folds` folds (nn::training::kfold with config.seed): `repeats` nets fitted to the other rows as the
// program fits it (nn::training::fit_table_net: early stopping on an inner validation split; seeds config.seed,
// config.seed + 1, ...; the first is the one scored) and the baseline
// (nn::training::fit_baseline: its penalty chosen by an inner cross-validation), both scored on the held-out fold;
// and the net's per-SD sensitivities over the rows it was fitted to, of the inputs `columns` (empty: every input), in
// that order. `out`: 1 or the number of classes; `target_sd` turns standardized RMSE and sensitivities into the
// target's units (1 for classification).
CrossFit cross_fit(const nn::training::TableData& data, std::size_t out, const nn::training::TrainConfig& config,
                   nn::training::EarlyStopping stop, std::size_t folds, double target_sd, const FeatureGradient& gradient,
                   const std::vector<std::size_t>& columns = {}, std::size_t repeats = 2);

}  // namespace sensitivity::tables
