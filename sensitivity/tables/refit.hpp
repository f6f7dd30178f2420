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

// A feature's sensitivity is reported as θ̄, the mean over K folds × R refits (each fold's refits on the table without
// that fold, each with its own seed). Its 95% interval comes from B bootstrap replicates of the whole procedure: the
// rows are drawn again with replacement and the cross-fitting is run again (new folds, early stopping on each fold's
// own inner split, one net a fold with fresh seeds; the weight decay the folds chose most often), so each replicate's
// mean varies as θ̄ does between tables: through the rows and through the training noise. (Choosing the weight decay
// again in every replicate would multiply their cost by the grid's size; its variation is left out.) No variance is subtracted from a larger one, unlike a delete-a-fold jackknife,
// whose fold means share (K−2)/(K−1) of their rows: there the training noise (variance σ² a net) outweighs what
// leaving out a fifth of the rows changes, is counted (K−1)² times, and taking it out again leaves an estimate that
// is often negative (tests/test_refit_calibration.cpp). A replicate's mean has the noise σ²/K of K nets, θ̄ that of
// K·R, so with s²_B the replicates' variance and σ̂² the pooled within-fold variance of the R refits,
//   V = max(s²_B − (1 − 1/R)·σ̂²/K,  σ̂²/(K·R)),   the interval θ̄ ± t(0.975, B − 1)·√V.
// Rank stability is over the K·R refits.
struct RefitFeature {
    double mean = 0, lo = 0, hi = 0;
    double se = 0;                     // √V
    double df = 0;                     // the t quantile's degrees of freedom, B − 1
    double noise_sd = 0;               // σ̂: the spread of refits on the same rows (0 with R = 1)
    double replicate_sd = 0;           // s_B: the spread of the bootstrap replicates' means
    double top3_share = 0;             // share of the K·R refits in which the feature ranks 1st to 3rd (per SD)
    std::size_t rank_min = 0, rank_max = 0;   // its best and worst rank over the refits (1 = largest)
    bool unstable = false;             // the refits disagree: top-3 in some but not all, or ranks 2+ places apart
};
// per_fit [K][R][D]: the value of each feature in each refit r of fold k (K >= 2, R >= 1 the same for every fold);
// replicates [B][D]: each bootstrap replicate's mean over its K nets (B >= 2).
std::vector<RefitFeature> refit_intervals(const std::vector<std::vector<std::vector<double>>>& per_fit,
                                          const std::vector<std::vector<double>>& replicates);

struct FoldFit {
    nn::training::TableScore net, baseline;   // on the held-out fold
    std::size_t best_epoch = 0;               // the epoch early stopping kept
    double weight_decay = 0;                  // the net's, chosen inside the fold (or the one given)
    double baseline_penalty = 0;              // λ of the ridge, or the logistic weight decay, chosen inside the fold
    std::vector<std::vector<double>> per_sd;  // [R][D] each refit's per-SD sensitivities over the fold's training rows
};
struct CrossFit {
    std::vector<FoldFit> folds;
    std::vector<std::vector<double>> replicates;   // [B][D] the bootstrap replicates' means
    std::vector<RefitFeature> features;       // refit_intervals of folds[k].per_sd and the replicates
};

// What is fitted besides one net a fold.
struct RefitPlan {
    std::size_t repeats = 2;                  // R: nets a fold, each its own seed (R >= 2 measures the training noise)
    std::size_t replicates = 20;              // B: bootstrap replicates of the whole cross-fitting (>= 2)
    std::size_t threads = 1;                  // threads the replicates run on (the numbers do not depend on it)
    std::vector<double> weight_decays;        // chosen inside each fold by its inner validation loss; empty: config's
};

// For each of `folds` folds (nn::training::kfold with config.seed): the net's weight decay chosen among
// plan.weight_decays on the fold's own inner validation split (never on rows of another fold), then plan.repeats nets
// fitted to the other rows as the program fits it (nn::training::fit_table_net: early stopping on an inner validation
// split; seeds config.seed, config.seed + 7919, ...; the first is the one scored) and the baseline
// (nn::training::fit_baseline: its penalty chosen by an inner cross-validation), both scored on the held-out fold;
// and the net's per-SD sensitivities over the rows it was fitted to, of the inputs `columns` (empty: every input), in
// that order. Then plan.replicates bootstrap replicates of the cross-fitting (one net a fold) for the interval.
// Cost: K·(G + R − 1) nets (G weight decays), plus B·K for the replicates (on plan.threads threads). `out`: 1 or the number of classes;
// `target_sd` turns standardized RMSE and sensitivities into the target's units (1 for classification).
CrossFit cross_fit(const nn::training::TableData& data, std::size_t out, const nn::training::TrainConfig& config,
                   nn::training::EarlyStopping stop, std::size_t folds, double target_sd, const FeatureGradient& gradient,
                   const std::vector<std::size_t>& columns = {}, const RefitPlan& plan = {});

}  // namespace sensitivity::tables
