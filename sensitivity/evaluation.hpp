// sensitivity/evaluation.hpp — are the maps meaningful? The deletion test and the model-randomization sanity check.
// Numbers and small tables only (printable, JSON-able); heat-map figures are drawn elsewhere (sensitivity/figures/figure.*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nn/mlp.hpp"
#include "sensitivity/attribution.hpp"

namespace sensitivity {

// ---------------------------------------------------------------- deletion test
// Zero the pixels of each image in order of importance (largest first, ties by pixel index), `step_fraction` of
// the D pixels per step, and track the softmax probability of the image's true class after each step.
// fraction[s] = pixels deleted / D (0 ... 1); AUC = trapezoid area under the mean curve. Lower AUC = the map found
// the pixels the class depends on sooner = better map.
struct DeletionCurve {
    std::vector<double> fraction;
    std::vector<double> mean_probability;   // over images
    double auc = 0;
};
template <class T>
DeletionCurve deletion_curve(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                             const nn::Tensor<T>& importance /*[N, D]*/, double step_fraction = 0.05,
                             std::size_t chunk_rows = 4096);
// The baseline: each image's pixels in a random order (seeded: same seed, same orders).
template <class T>
DeletionCurve random_deletion_curve(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                                    std::uint64_t seed, double step_fraction = 0.05, std::size_t chunk_rows = 4096);

// ---------------------------------------------------------------- sanity check (Adebayo et al. 2018)
// Spearman rank correlation of two equally long vectors (ties get their average rank). A constant vector has
// no ranking: the result is then 0.
template <class T>
double spearman(const T* a, const T* b, std::size_t n);

struct EvaluationOptions {
    AttributionOptions attribution;
    std::vector<Method> methods = all_methods();
    double step_fraction = 0.05;             // deletion: share of the pixels zeroed per step
    std::uint64_t random_order_seed = 7;     // deletion: the random baseline's orders
    std::uint64_t randomized_model_seed = 987654321;  // sanity: He init of the re-randomized model
};

struct DeletionRow {
    std::string method;                      // a method_name(), or "random"
    double auc = 0;
    std::vector<double> mean_probability;
};
struct DeletionTable {
    std::size_t images = 0;
    double step_fraction = 0;
    std::vector<double> fraction;            // shared x axis of every row
    std::vector<DeletionRow> rows;           // one per method, then "random"
};
// Targets are the true labels. Maps are importance(method, attribution(...)).
template <class T>
DeletionTable deletion_test(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                            const EvaluationOptions& options = {});

struct SanityRow {
    std::string method;
    double spearman = 0;                     // of the importance maps, mean over images
    double spearman_abs = 0;                 // of |map|, mean over images
};
struct SanityTable {
    std::size_t images = 0;
    std::uint64_t randomized_model_seed = 0;
    std::vector<SanityRow> rows;
};
// Maps of `model` and of `randomized` for the same images and true-label targets, compared per image.
// Near 1: the map does not depend on what the model learned (a failed sanity check); near 0: it does.
template <class T>
SanityTable sanity_check(nn::MLP<T>& model, nn::MLP<T>& randomized, const nn::Tensor<T>& x,
                         const std::vector<int>& labels, const EvaluationOptions& options = {});
// The same with a freshly He-initialised model of the same shape from options.randomized_model_seed.
template <class T>
SanityTable sanity_check(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                         const EvaluationOptions& options = {});

// ---------------------------------------------------------------- printing and JSON
std::ostream& operator<<(std::ostream& os, const DeletionTable& t);
std::ostream& operator<<(std::ostream& os, const SanityTable& t);
void to_json(nlohmann::json& j, const DeletionTable& t);
void to_json(nlohmann::json& j, const SanityTable& t);

}  // namespace sensitivity
