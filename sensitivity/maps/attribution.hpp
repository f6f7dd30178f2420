// sensitivity/maps/attribution.hpp — every attribution method behind one call: the Method names and the dispatch.
// The methods themselves are one file each: jacobian.hpp (the gradient), gradient_x_input.hpp, smoothgrad.hpp,
// integrated_gradients.hpp and exact_ig.hpp, occlusion.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sensitivity/maps/exact_ig.hpp"
#include "sensitivity/maps/gradient_x_input.hpp"
#include "sensitivity/maps/integrated_gradients.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "sensitivity/maps/occlusion.hpp"
#include "sensitivity/maps/smoothgrad.hpp"

namespace sensitivity::maps {

// Every map is [N, D]: one row per image, for the class targets[n] of that image. The target f is the logit l_t by
// default — the class score Simonyan et al. (2014) and Smilkov et al. (2017) differentiate — or the softmax
// probability p_t (Output::Softmax). On a confident image p_t ≈ 1 is flat, ∂p_t/∂x = p_t Σ_c (e_t − p)_c ∂l_c/∂x is
// ~(1 − p_t) times the logit gradient, and the probability map all but vanishes. The methods that batch samples
// (SmoothGrad, IG, occlusion) process them in chunks of at most `chunk_rows` rows, so memory does not grow with N.
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
nn::Tensor<T> attribution(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          Method method, const AttributionOptions& options = {});
// The map read as "how important is each pixel for class t", larger = more important: the signed map, one rule for
// every method. Zeroing pixel j moves f_t by about −x_j·∂f_t/∂x_j, and x_j ≥ 0, so on an inked pixel the sign of the
// gradient is the sign of what deleting it does, as it is for x ⊙ gradient, IG and occlusion (negative = evidence
// against the class, ranked last). |map| would rank counter-evidence with evidence (chapter 12 measures both).
template <class T>
nn::Tensor<T> importance(Method method, const nn::Tensor<T>& map);

}  // namespace sensitivity::maps
