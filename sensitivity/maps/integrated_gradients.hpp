// sensitivity/maps/integrated_gradients.hpp — Integrated Gradients by quadrature along the path from black, and the
// completeness check every IG map must pass. The exact, kink-aware integral of a relu network is exact_ig.hpp.
#pragma once

#include <cstddef>
#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// Integrated Gradients (Sundararajan et al. 2017) from the black baseline x' = 0:
//     a = x ⊙ ∫₀¹ ∂f_t/∂x (α x) dα,
// the integral by the midpoint rule (α_k = (k + ½)/m, weights 1/m) or the trapezoid rule (α_k = k/m, k = 0..m,
// end weights 1/2m) — the reference, for any activation. Completeness: Σ_j a_j ≈ f_t(x) − f_t(0), exactly so as
// m → ∞. KinkAware: integrated_gradients_exact (exact_ig.hpp; relu networks only, `steps` unused), complete to
// rounding. The points on the path of a chunk of images are the rows of one forward (at most `chunk_rows` rows).
enum class IgRule { Midpoint, Trapezoid, KinkAware };
struct IgOptions {
    std::size_t steps = 64;
    IgRule rule = IgRule::Midpoint;
};
template <class T>
nn::Tensor<T> integrated_gradients(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
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
Completeness completeness(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          const nn::Tensor<T>& attributions, Output out = Output::Logits,
                          const nn::Tensor<T>* baseline = nullptr);

}  // namespace sensitivity::maps
