// nn/ops/dense_rules.hpp — LRP's rules for a dense layer z = x·W + b, recorded as matmul (nn/ops/matmul.hpp) then
// add_bias (nn/ops/add_bias.hpp): LRP-ε and LRP-z⁺ as replacements of those two reverse kernels (nn/rules.hpp).
#pragma once

#include <cmath>
#include <cstddef>

#include "nn/gemm.hpp"
#include "nn/rules.hpp"

namespace nn::rules {

// LRP (Bach et al. 2015) as a modified gradient: the walk carries g with relevance R = value ⊙ g at every node, so the
// seed one-hot at class t is R = f_t, relu's chain rule passes relevance through unchanged (R_h = h ⊙ g_h = R_z), and
// the relevance of the pixels is x ⊙ g at the end. A layer's rules see what they need: add_bias's value is z = x·W + b,
// matmul's inputs are x and W. The bias gets no relevance: its share is what the layer absorbs.
//
// LRP-ε:  R_i = Σ_j x_i w_ij / (z_j + ε·sign z_j) · R_j.  With R_j = z_j g_j that is g_x = W · (g ⊙ z / (z + ε sign z)):
//         add_bias:  da += dy ⊙ z / (z + ε·sign z)   (sign 0 = +1; the factor is 1 when ε = 0: LRP-0 = gradient)
//         matmul:    the chain rule.  Absorbed by the layer: Σ_j R_j (b_j + ε sign z_j) / (z_j + ε sign z_j).
template <class T>
void lrp_epsilon_add_bias(const RuleArgs<T>& r, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
    if (!da) return;
    const T eps = r.param;
    const T* z = r.y.data();
    const T* g = dy.data();
    T* out = da->data();
    for (std::size_t i = 0; i < dy.size(); ++i) {
        const T s = z[i] >= T(0) ? T(1) : T(-1);
        const T den = z[i] + eps * s;
        out[i] += eps == T(0) ? g[i] : (den != T(0) ? g[i] * z[i] / den : T(0));
    }
}

// LRP-z⁺ (αβ with α = 1, β = 0; Montavon et al. 2017), for layers whose inputs are ≥ 0 (pixels, relu outputs):
//         R_i = Σ_j x_i w⁺_ij / z⁺_j · R_j,  z⁺_j = Σ_i x_i w⁺_ij,  w⁺ = max(w, 0).
//         add_bias:  da += dy ⊙ z                    (g to relevance at the layer's output R_j = z_j g_j)
//         matmul:    da += (dy / z⁺) · (W⁺)ᵀ          (relevance back to g; 0 where z⁺_j = 0: that R_j is absorbed)
// The two halves go together: a rule set with one and not the other is not LRP.
template <class T>
void lrp_zplus_add_bias(const RuleArgs<T>& r, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
    if (!da) return;
    const T* z = r.y.data();
    const T* g = dy.data();
    T* out = da->data();
    for (std::size_t i = 0; i < dy.size(); ++i) out[i] += g[i] * z[i];
}

template <class T>
void lrp_zplus_matmul(const RuleArgs<T>& r, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
    if (!da) return;
    const Tensor<T>& x = r.in.a;                                             // [B, K]
    Tensor<T> wp = r.in.b;                                                   // [K, N] -> W⁺
    for (std::size_t i = 0; i < wp.size(); ++i) wp.data()[i] = wp.data()[i] > T(0) ? wp.data()[i] : T(0);
    Tensor<T> zp({x.shape(0), wp.shape(1)});                                 // [B, N]
    gemm(x, wp, zp, false, false);                                           // z⁺ = x·W⁺
    for (std::size_t i = 0; i < zp.size(); ++i)
        zp.data()[i] = zp.data()[i] > T(0) ? dy.data()[i] / zp.data()[i] : T(0);   // s = R / z⁺
    gemm(zp, wp, *da, false, true, T(1), T(1));                              // [B, N]·[K, N]ᵀ -> [B, K]
}

template <class T>
Rule<T> lrp_epsilon(T eps) { return {"lrp-epsilon", &lrp_epsilon_add_bias<T>, eps, false}; }
template <class T>
Rule<T> lrp_zplus_bias() { return {"lrp-zplus", &lrp_zplus_add_bias<T>, T(0), false}; }
template <class T>
Rule<T> lrp_zplus_product() { return {"lrp-zplus", &lrp_zplus_matmul<T>, T(0), false}; }

}  // namespace nn::rules
