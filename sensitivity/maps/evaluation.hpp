// sensitivity/maps/evaluation.hpp — are the maps meaningful? The deletion test and the model-randomization sanity check.
// Numbers and small tables only (printable, JSON-able); heat-map figures are drawn elsewhere (sensitivity/figures/heatmap.*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "sensitivity/maps/attribution.hpp"

namespace sensitivity::maps {

// ---------------------------------------------------------------- deletion and insertion tests
// Deletion: zero the pixels of each image in order of importance (largest first, ties by pixel index),
// `step_fraction` of the D pixels per step, and track the softmax probability of the image's true class after each
// step; lower AUC = the map found the pixels the class depends on sooner = better map.
// Insertion: start from the black image and put the pixels back in the same order; higher AUC = better.
// fraction[s] = pixels deleted (inserted) / D (0 ... 1); AUC = trapezoid area under a curve, per image and of the
// mean curve (the mean of the per-image AUCs, since the trapezoid rule is linear).
// The baseline is black (0), which is also the value of ~80 % of an MNIST digit's pixels: deleting or inserting a
// black pixel changes nothing, so a map that ranks ink first (x ⊙ gradient, IG from black, occlusion by black
// patches are 0 on black pixels) gains from that alone. The "random, ink first" row measures that advantage.
enum class PixelTest { Deletion, Insertion };
const char* pixel_test_name(PixelTest kind);          // "deletion", "insertion"

struct DeletionCurve {
    std::vector<double> fraction;
    std::vector<double> mean_probability;   // over images
    double auc = 0;
    std::vector<double> image_auc;          // one per image
};
template <class T>
DeletionCurve pixel_curve(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                          const nn::Tensor<T>& importance /*[N, D]*/, PixelTest kind, double step_fraction = 0.05,
                          std::size_t chunk_rows = 1024);
template <class T>
DeletionCurve deletion_curve(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                             const nn::Tensor<T>& importance /*[N, D]*/, double step_fraction = 0.05,
                             std::size_t chunk_rows = 1024);
// The baseline: each image's pixels in a random order (seeded: same seed, same orders).
template <class T>
DeletionCurve random_deletion_curve(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                                    std::uint64_t seed, double step_fraction = 0.05, std::size_t chunk_rows = 1024);
// Random importance maps [N, D] (a seeded random permutation per image); with `ink_first`, every non-zero pixel
// ranks above every black one (the random order within each group).
template <class T>
nn::Tensor<T> random_importance(const nn::Tensor<T>& x, std::uint64_t seed, bool ink_first);

// ---------------------------------------------------------------- sanity check (Adebayo et al. 2018)
// Spearman rank correlation of two equally long vectors (ties get their average rank). A constant vector has
// no ranking: the result is then 0.
template <class T>
double spearman(const T* a, const T* b, std::size_t n);

// Structural similarity (Wang et al. 2004) of two side × side maps, as Adebayo et al. (2018) compare saliency maps:
// each map is first scaled to [0, 1] by its own min and max (a constant map becomes all 0), then the mean over every
// 7 × 7 window inside the image of (2 μa μb + C1)(2 σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2)), C1 = 0.01²,
// C2 = 0.03² (data range 1; sample covariances as scikit-image's default). 1: the same map; near 0: unrelated.
template <class T>
double ssim(const T* a, const T* b, std::size_t side);

struct EvaluationOptions {
    AttributionOptions attribution;
    std::vector<Method> methods = default_methods();
    double step_fraction = 0.05;             // deletion: share of the pixels zeroed per step
    std::uint64_t random_order_seed = 7;     // deletion: the random baseline's orders
    std::uint64_t randomized_model_seed = 987654321;  // sanity: He init of the re-randomized model
};

struct DeletionRow {
    std::string method;                      // a method_name(), "random" or "random, ink first"
    double auc = 0;
    double auc_se = 0;                       // standard error of the mean over images (sd / √N)
    std::vector<double> mean_probability;
    std::vector<double> image_auc;
};
// Two rows compared on the same images: the mean of the per-image AUC differences a − b and its standard error
// sd(differences) / √N. Pairing removes the image-to-image spread both rows share (easy digits are easy for every
// map), so the difference is known far better than the two AUCs' own standard errors suggest.
struct PairedDifference {
    std::string a, b;
    double difference = 0, se = 0;
};
struct DeletionTable {
    PixelTest kind = PixelTest::Deletion;
    std::size_t images = 0;
    double step_fraction = 0;
    std::vector<double> fraction;            // shared x axis of every row
    std::vector<DeletionRow> rows;           // one per method, then "random", "random, ink first"
    std::vector<PairedDifference> pairs;     // every pair of rows
};
// Targets are the true labels. `maps` are importance maps (importance(method, attribution(...))) by name.
template <class T>
DeletionTable pixel_test(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                         const std::vector<std::pair<std::string, nn::Tensor<T>>>& maps, PixelTest kind,
                         const EvaluationOptions& options = {});
// The same, computing the maps of options.methods first.
template <class T>
DeletionTable deletion_test(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                            const EvaluationOptions& options = {});
template <class T>
DeletionTable insertion_test(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                             const EvaluationOptions& options = {});

struct SanityRow {
    std::string method;
    std::string randomized;                  // which layers were re-initialised: "W2" or "W2, W1" (or "model")
    double spearman = 0;                     // of the importance maps, mean over images
    double spearman_abs = 0;                 // of |map|, mean over images
    double spearman_se = 0;                  // standard error of `spearman` over images (sd / √N)
    double ssim = 0, ssim_se = 0;            // SSIM of the importance maps (square images only; else 0), mean and SE
};
struct SanityTable {
    std::size_t images = 0;
    std::uint64_t randomized_model_seed = 0;
    std::vector<SanityRow> rows;
};
// Maps of `model` and of `randomized` for the same images and true-label targets, compared per image.
// Near 1: the map does not depend on what the model learned (a failed sanity check); near 0: it does.
template <class T>
SanityTable sanity_check(Model<T> model, Model<T> randomized, const nn::Tensor<T>& x,
                         const std::vector<int>& labels, const EvaluationOptions& options = {});
// Cascading randomisation (Adebayo et al. 2018, their main experiment): re-initialise the layers from the top
// down — first W2 (and b2) alone, then W2 and W1 (the whole model) — from a He-initialised model of the same
// shape (seed options.randomized_model_seed), and compare the maps with the trained model's after each step.
// Needs the model's dense layers (model.layers, model.hpp; "W3, W2, W1" for three); the model's parameters are
// overwritten while it runs and get their trained values back before it returns (also when it throws).
template <class T>
SanityTable sanity_check(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                         const EvaluationOptions& options = {});

// ---------------------------------------------------------------- printing and JSON
std::ostream& operator<<(std::ostream& os, const DeletionTable& t);
std::ostream& operator<<(std::ostream& os, const SanityTable& t);
void to_json(nlohmann::json& j, const DeletionTable& t);
void to_json(nlohmann::json& j, const SanityTable& t);

}  // namespace sensitivity::maps
