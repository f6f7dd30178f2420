// sensitivity/maps/exact_ig.hpp — Integrated Gradients of a two-layer relu network integrated exactly: split the path at the kinks.
// The plain Riemann-sum IG (integrated_gradients.hpp) is the reference this one is checked against.
#pragma once

#include <cstddef>
#include <vector>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// Along the straight path x(α) = x' + α (x − x'), every hidden pre-activation z_h(α) = z'_h + α Δz_h is linear in
// α, so relu unit h switches at most once, at α_h = −z'_h / Δz_h. Between two consecutive kinks the active set is
// fixed, the logits are l(α) = A + α B (ten numbers each), and
//     ∫_segment ∂f_t/∂x dα = W1 · diag(active) · W2 · ∫_segment ∂f_t/∂l (α) dα.
// For the logit target ∂f_t/∂l = e_t is constant (the integral is exact); for the probability target
// ∂p_t/∂l = p_t (e_t − p(α)) depends on α only through the ten logits, and is integrated by Gauss–Legendre with
// `nodes` points on pieces over which no logit moves by more than `max_logit_step` relative to the target's
// (other pairs of logits may move up to twice that).
// A unit is active on one interval of α ([0, α_h] or [α_h, 1]), so its share is a difference of prefix sums of the
// segment integrals: the whole image costs two [D, H] products, whatever the number of kinks.
struct ExactIgOptions {
    std::size_t nodes = 8;            // Gauss–Legendre points per piece (1..16)
    double max_logit_step = 1.0;      // largest change of any l_c − l_t across one piece
};

// What the integration did, summed over the images.
struct ExactIgStats {
    std::size_t images = 0, kinks = 0, pieces = 0;   // pieces: Gauss–Legendre intervals (probability target)
};

// The one map that needs the network's structure, not only its tape: a model of two dense layers with relu between
// them (model.layers and model.activation, model.hpp), whose weights it reads. has_exact_ig says whether it applies.
template <class T>
bool has_exact_ig(const ModelView<T>& model) {
    return model.layers.size() == 2 && model.activation == nn::Activation::Relu;
}

// a = (x − x') ⊙ ∫₀¹ ∂f_t/∂x (x' + α (x − x')) dα  -> [N, D]. `baseline` is [1, D] (the same for every image) or
// [N, D]. Needs a two-layer relu network (throws otherwise). Computed in double whatever T; chunks of `chunk` images.
template <class T>
nn::Tensor<T> integrated_gradients_exact(Model<T> model, const nn::Tensor<T>& x,
                                         const std::vector<int>& targets, const nn::Tensor<T>& baseline,
                                         Output out = Output::Logits, const ExactIgOptions& options = {},
                                         ExactIgStats* stats = nullptr, std::size_t chunk = 256);
// The same from the black baseline x' = 0.
template <class T>
nn::Tensor<T> integrated_gradients_exact(Model<T> model, const nn::Tensor<T>& x,
                                         const std::vector<int>& targets, Output out = Output::Logits,
                                         const ExactIgOptions& options = {}, ExactIgStats* stats = nullptr);

// The nodes and weights of the n-point Gauss–Legendre rule on [−1, 1] (n = 1..16; Newton on P_n, double).
void gauss_legendre(std::size_t n, std::vector<double>& nodes, std::vector<double>& weights);

}  // namespace sensitivity::maps
