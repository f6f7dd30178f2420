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
//   std_score is the population standard deviation (divisor n, as numpy and Sensie), 0 for one example.
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
//   Points (default, as Sensie): every example (× every strength) is a point (p, score). Note that one image seen at
//     several strengths is not independent, so a perturbation probe's intervals are on the optimistic side.
//   BinMeans: one point per table row (p, mean_score), weighted by `weights`:
//     Equal: unweighted;  Count: w = n (σ² unknown);  StdError: w = 1/se² with se² = s²/n (sample variance,
//     known-noise model, needs n >= 2 and s > 0 in every row).
// Only points with p in [range_lo, range_hi] are fitted (Sensie fits the region where the curve is roughly linear).
// significance: "high" if the 95% interval excludes 0, "medium" if only the 50% one does, "low" otherwise or when
// |slope| < slope_floor (per unit of p: mind the units, 0.02 per degree is a steep rotation curve).
enum class FitOn { Points, BinMeans };
enum class BinWeights { Equal, Count, StdError };
struct FitOptions {
    FitOn on = FitOn::Points;
    BinWeights weights = BinWeights::Count;
    double range_lo = -std::numeric_limits<double>::infinity();
    double range_hi = std::numeric_limits<double>::infinity();
    double slope_floor = 0.02;
    NigPrior prior{};
};

struct ProbeFit {
    double slope = 0, intercept = 0;   // posterior means; score ≈ intercept + slope·p
    Interval ci50, ci95;               // credible intervals of the slope
    std::string significance;          // "high" | "medium" | "low"
    Interval fit_range;                // smallest and largest p actually fitted
    double x_mean = 0;                 // (weighted) mean p of the fitted points: the slope intervals pivot here
    double df = 0;                     // Student-t degrees of freedom (infinity: Normal)
    std::size_t n_points = 0;
    FitOn on = FitOn::Points;
    BinWeights weights = BinWeights::Count;
    double slope_floor = 0.02;
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
};

std::string significance(const SlopePosterior& posterior, double slope_floor);
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
// chunks of `batch`, and makes one table row; then fits the trend. Strength k draws its randomness from
// mt19937_64(seed_seq{seed, k}), so a run is reproducible.
ProbeResult perturbation_probe(const Perturber& perturber, const std::vector<double>& strengths,
                               const PredictFn& predict, const nn::Tensor<float>& images,
                               const std::vector<int>& labels, const FitOptions& fit = {}, std::uint64_t seed = 0,
                               std::size_t batch = 1000);

// Class probe: the same statistics per true class (p = class index), without a slope: the class is categorical,
// and a slope over the class index would only measure the arbitrary order of the classes.
ProbeResult class_probe(const Outcomes& outcomes, const std::vector<int>& labels);

}  // namespace sensitivity::probes
