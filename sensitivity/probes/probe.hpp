// sensitivity/probes/probe.hpp — Sensie-style probes: how the correct-class score moves with a property of the data or a perturbation.
// Per-bin statistics and the Bayesian slope ∂s̄/∂p; the CSV/JSON/terminal outputs are probe_io.hpp, the figure probe_plot.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "nn/tensor.hpp"
#include "sensitivity/probes/bayes_linreg.hpp"
#include "sensitivity/probes/perturb.hpp"
#include "sensitivity/probes/probe_stats.hpp"

namespace sensitivity::probes {

// The model under test: a batch of images [B, D] -> class probabilities [B, C] (softmax scores).
// The CLI passes nn::predict (nn/mlp.hpp); tests pass small fakes with known outputs.
using PredictFn = std::function<nn::Tensor<float>(const nn::Tensor<float>& x)>;

// What the model did with each example: the score of the true class, and whether the argmax was right.
struct Outcomes {
    std::vector<double> score;   // probs[i, label_i]
    std::vector<char> correct;   // argmax_c probs[i, c] == label_i (ties go to the lowest class)
};

// Runs `predict` over images [N, D] in chunks of `batch` rows. Throws std::invalid_argument if the sizes
// disagree, a label is negative or not below the number of classes predict returns.
Outcomes predict_outcomes(const PredictFn& predict, const nn::Tensor<float>& images, const std::vector<int>& labels,
                          std::size_t batch = 1000);

// One line of a probe table: a bin (property probe), a strength (perturbation probe) or a class.
//   p: the mean property value of the bin's examples / the strength / the class index.
//   std_score is the sample standard deviation (divisor n - 1), 0 for one example.
struct ProbeRow {
    double p = 0;
    std::size_t n = 0;
    double mean_score = 0, std_score = 0, accuracy = 0;
};

// How the property probe groups examples. Every example lands in exactly one bin, so the counts sum to N.
//   EqualCount: sort by p and cut into `bins` runs of (nearly) equal size; a cut never splits examples with equal p
//               (it moves forward past the tie), so with many ties there can be fewer, unequal bins.
//   EqualWidth: `bins` equal intervals of [min p, max p]; the maximum goes into the last bin; empty bins are dropped.
//   None:       every example is its own row (n = 1), in increasing p.
enum class Binning { EqualCount, EqualWidth, None };
struct BinOptions {
    Binning binning = Binning::EqualCount;
    std::size_t bins = 10;
};

// The examples of each non-empty bin (indices into p), bins in increasing p. Throws on a non-finite p or bins = 0.
std::vector<std::vector<std::size_t>> make_bins(const std::vector<double>& p, const BinOptions& options);

// How the trend is fitted.
//   Points (default, as Sensie): the line through every example (× every strength), and an interval that respects
//     what is independent (probe_stats.hpp):
//       perturbation probe: the images. One image seen at K strengths is one unit, not K: the interval is the
//         t(N - 1) interval of the mean of the N per-image slopes ("per_image_t"), which the pooled slope equals;
//       property probe: the examples, with scatter that changes with p: the HC3 sandwich interval ("hc3").
//   BinMeans: one point per table row (p, mean_score), weighted by `weights`, with the conjugate posterior
//     (bayes_linreg, the reference prior: t with rows - 2 df):
//     Equal: unweighted;  Count: w = n (σ² unknown, so misfit shows up in the residual scatter);  StdError: w = 1/se²
//     with se² = s²/n (known-noise model, needs n >= 2 and s > 0 in every row); this one ignores misfit, so when the
//     rows' χ²/dof around the line with these same se's (probe_stats.hpp's lack_of_fit) exceeds 1 the interval is widened by √(χ²/dof) with a t(rows - 2) quantile
//     ("bayes_known_noise_widened").
// Only points with p in [range_lo, range_hi] are fitted (Sensie fits the region where the curve is roughly linear).
// Every fit also keeps the naive interval (every point independent: the conjugate posterior of the pooled points; for
// FitOn::BinMeans, the bin-mean posterior before any widening),
// the lack of fit of the rows around the line, and the significance label of probe_stats.hpp's significance() with
// the floor slope_floor(p of the fitted examples, score_floor): score_floor of mean-score change across the 5–95%
// quantile range of p. score_floor = 0 makes the label "high" exactly when the 95% interval excludes 0.
enum class FitOn { Points, BinMeans };
enum class BinWeights { Equal, Count, StdError };
struct FitOptions {
    FitOn on = FitOn::Points;
    BinWeights weights = BinWeights::Count;
    double range_lo = -std::numeric_limits<double>::infinity();
    double range_hi = std::numeric_limits<double>::infinity();
    double score_floor = 0.02;
    NigPrior prior{};
};

struct ProbeFit {
    double slope = 0, intercept = 0;   // score ≈ intercept + slope·p (least squares = posterior mean)
    Interval ci50, ci95;               // intervals of the slope, by the method `interval`
    std::string interval;              // "per_image_t" | "hc3" | "bayes_reference" | "bayes_known_noise"
                                       //   | "bayes_known_noise_widened"
    double df = 0;                     // of the interval's Student-t (infinity: Normal)
    Interval naive_ci95;               // every point independent (pooled points; BinMeans: before widening)
    std::optional<LackOfFit> lack_of_fit;   // pooled_lack_of_fit of the rows; empty with < 3 rows or no spread at all
    std::string significance;          // "high" | "uncertain" | "negligible"
    double floor = 0;                  // per unit of p: score_floor / (p95 - p05)
    double score_floor = 0.02;
    Interval fit_range;                // smallest and largest p actually fitted
    double x_mean = 0;                 // (weighted) mean p of the fitted points: the slope intervals pivot here
    std::size_t n_points = 0;
    FitOn on = FitOn::Points;
    BinWeights weights = BinWeights::Count;
};

struct ProbeResult {
    std::string name;                  // "rotation", "ink_mass", "class"
    std::string units;                 // of p
    std::string kind;                  // "property" | "perturbation" | "class"
    std::string binning;               // property probes: binning_name() of the rows; empty otherwise
    std::size_t n_examples = 0;
    std::vector<ProbeRow> rows;
    std::optional<ProbeFit> fit;       // absent for the class probe, or when the fit was impossible
    std::string note;                  // why there is no fit (empty otherwise)
    // Perturbation probes: where the mean correct-class score and the accuracy fall to half their value at the
    // first strength, with 95% intervals from a bootstrap over images (probe_stats.hpp's half_point).
    std::optional<HalfPoint> half_score, half_accuracy;
};

const char* fit_on_name(FitOn on);              // "points" | "bin_means"
const char* bin_weights_name(BinWeights w);     // "equal" | "count" | "std_error"
const char* binning_name(Binning b);            // "equal_count" | "equal_width" | "none"

// Property probe: bins the examples by `property` (one value per example) and fits the score trend.
// The Outcomes overload lets several property probes share one pass of the model over the test set.
ProbeResult property_probe(const std::string& name, const std::string& units, const std::vector<double>& property,
                           const Outcomes& outcomes, const BinOptions& bins = {}, const FitOptions& fit = {});
ProbeResult property_probe(const std::string& name, const std::string& units, const std::vector<double>& property,
                           const PredictFn& predict, const nn::Tensor<float>& images, const std::vector<int>& labels,
                           const BinOptions& bins = {}, const FitOptions& fit = {}, std::size_t batch = 1000);

// Perturbation probe: for each strength in `strengths`, perturbs every image (square images [N, side²]), predicts in
// chunks of `batch`, and makes one table row; then fits the trend and finds the half-points (`replicates` bootstrap
// resamples of the images, seeded from `seed`). Strength k draws its randomness from
// mt19937_64(seed_seq{uint32(seed), uint32(seed >> 32), uint32(k)}), so a run is reproducible.
ProbeResult perturbation_probe(const Perturber& perturber, const std::vector<double>& strengths,
                               const PredictFn& predict, const nn::Tensor<float>& images,
                               const std::vector<int>& labels, const FitOptions& fit = {}, std::uint64_t seed = 0,
                               std::size_t batch = 1000, std::size_t replicates = 1000);

// Class probe: the same statistics per true class (p = class index), without a slope: the class is categorical,
// and a slope over the class index would only measure the arbitrary order of the classes.
ProbeResult class_probe(const Outcomes& outcomes, const std::vector<int>& labels);

}  // namespace sensitivity::probes
