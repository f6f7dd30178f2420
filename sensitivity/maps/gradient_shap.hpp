// sensitivity/maps/gradient_shap.hpp — GradientSHAP / expected gradients: Integrated Gradients averaged over baselines
// drawn from a reference set (the training images), one random point on each path (sample_gradients.hpp's loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// Expected gradients (Erion et al. 2021; SHAP's GradientExplainer, Lundberg & Lee 2017):
//     a = E_{x' ~ references, α ~ U(0, 1)} [(x − x') ⊙ ∂f_t/∂x (x' + α (x − x'))],
// estimated by `samples` draws per image. It is complete on average: E[Σ_j a_j] = f_t(x) − E_{x'} f_t(x'), the
// expectation over the reference set; one estimate misses it by the Monte Carlo error (~1/√samples). Same seed,
// same maps. The references are [R, D] in double (any R ≥ 1; empty: an error).
struct GradientShapOptions {
    std::size_t samples = 32;
    std::uint64_t seed = 1;
    xt::xtensor<double, 2> references;   // [R, D], e.g. training images
};
template <class T>
nn::Tensor<T> gradient_shap(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                            const GradientShapOptions& options, Output out = Output::Logits,
                            std::size_t chunk_rows = 1024);

}  // namespace sensitivity::maps
