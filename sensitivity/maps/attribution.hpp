// sensitivity/maps/attribution.hpp — attribution maps beyond the plain gradient: gradient×input, SmoothGrad, Integrated Gradients.
// Each one batches its samples into one forward of many rows and one backward, per chunk of images; occlusion is in
// occlusion.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/maps/exact_ig.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "sensitivity/maps/occlusion.hpp"

namespace sensitivity::maps {

// Every map here is [N, D]: one row per image, for the class targets[n] of that image. The target f is the logit
// l_t by default — the class score Simonyan et al. (2014) and Smilkov et al. (2017) differentiate — or the softmax
// probability p_t (Output::Softmax). On a confident image p_t ≈ 1 is flat, ∂p_t/∂x = p_t Σ_c (e_t − p)_c ∂l_c/∂x is
// ~(1 − p_t) times the logit gradient, and the probability map all but vanishes. The rows are processed in chunks
// of at most `chunk_rows` sample rows (at least one image's samples), so memory does not grow with N.

// a = x ⊙ ∂f_t/∂x
template <class T>
nn::Tensor<T> gradient_times_input(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                   Output out = Output::Logits);

// SmoothGrad (Smilkov et al. 2017): a = mean over s of ∂f_t/∂x at x + ε_s, ε_s ~ N(0, σ²) per pixel.
// σ is in pixel units (pixels are in [0, 1], so 0.15 is 15 % of the range). Same seed, same maps.
struct SmoothGradOptions {
    double sigma = 0.15;
    std::size_t samples = 32;
    std::uint64_t seed = 1;
};
template <class T>
nn::Tensor<T> smoothgrad(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                         const SmoothGradOptions& options = {}, Output out = Output::Logits,
                         std::size_t chunk_rows = 1024);

// Integrated Gradients (Sundararajan et al. 2017) from the black baseline x' = 0:
//     a = x ⊙ ∫₀¹ ∂f_t/∂x (α x) dα,
// the integral by the midpoint rule (α_k = (k + ½)/m, weights 1/m) or the trapezoid rule (α_k = k/m, k = 0..m,
// end weights 1/2m) — the reference, for any activation. Completeness: Σ_j a_j ≈ f_t(x) − f_t(0), exactly so as
// m → ∞. KinkAware: integrated_gradients_exact (exact_ig.hpp; relu networks only, `steps` unused), complete to
// rounding.
enum class IgRule { Midpoint, Trapezoid, KinkAware };
struct IgOptions {
    std::size_t steps = 64;
    IgRule rule = IgRule::Midpoint;
};
template <class T>
nn::Tensor<T> integrated_gradients(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                   const IgOptions& options = {}, Output out = Output::Logits,
                                   std::size_t chunk_rows = 1024);

// The completeness check of Integrated Gradients, per image (x' = 0, or `baseline` [1, D] or [N, D] if given):
//     relative_gap = |Σ_j a_j − (f_t(x) − f_t(x'))| / max(|f_t(x) − f_t(x')|, 1e-6)
// (the floor keeps an image whose output does not move from dividing by ~0; its gap is then absolute ×1e6).
struct Completeness {
    std::vector<double> attribution_sum, output_change, relative_gap;
    double max_relative_gap = 0, mean_relative_gap = 0;
};
template <class T>
Completeness completeness(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          const nn::Tensor<T>& attributions, Output out = Output::Logits,
                          const nn::Tensor<T>* baseline = nullptr);

// ---------------------------------------------------------------- every method behind one call
enum class Method { Gradient, GradientTimesInput, SmoothGrad, IntegratedGradients, Occlusion };
const char* method_name(Method m);        // "gradient", "gradient_x_input", "smoothgrad", "integrated_gradients", "occlusion"
Method parse_method(const std::string& name);
const std::vector<Method>& all_methods();

struct AttributionOptions {
    SmoothGradOptions smoothgrad;
    IgOptions ig{64, IgRule::KinkAware};  // exact for relu networks; Midpoint is used for the others
    OcclusionOptions occlusion;
    Output out = Output::Logits;          // the target of every method
    std::size_t chunk_rows = 1024;        // rows per batch (samples × images): bounds the memory
};
// The signed map of `method` (Gradient: ∂f_t/∂x; SmoothGrad: the mean gradient; the others as above).
template <class T>
nn::Tensor<T> attribution(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          Method method, const AttributionOptions& options = {});
// The map read as "how important is each pixel for class t", larger = more important: |map| for the two gradient
// methods (a gradient's sign says which way to move, not whether the pixel matters), the signed map for the others
// (x ⊙ gradient, IG and occlusion measure evidence FOR the class; negative = evidence against).
template <class T>
nn::Tensor<T> importance(Method method, const nn::Tensor<T>& map);

}  // namespace sensitivity::maps
