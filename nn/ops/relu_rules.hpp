// nn/ops/relu_rules.hpp — the rules that replace relu's reverse kernel (nn/ops/relu.hpp) in an explanation's backward
// walk (nn/rules.hpp): guided backpropagation, deconvnet, DeepLIFT's Rescale. None is the derivative of relu.
#pragma once

#include <cstddef>

#include "nn/rules.hpp"

namespace nn::rules {

// The chain rule, for comparison (relu.hpp):   da += dy · [a > 0]
// guided backprop (Springenberg et al. 2015):  da += dy · [a > 0] · [dy > 0]   (only positive signal, only open units)
template <class T>
void guided_relu(const RuleArgs<T>& r, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
    if (!da) return;
    const T* a = r.in.a.data();
    const T* g = dy.data();
    T* out = da->data();
    for (std::size_t i = 0; i < dy.size(); ++i)
        if (a[i] > T(0) && g[i] > T(0)) out[i] += g[i];
}

// deconvnet (Zeiler & Fergus 2014):            da += max(dy, 0)   (the unit's own input is ignored)
template <class T>
void deconvnet_relu(const RuleArgs<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
    if (!da) return;
    const T* g = dy.data();
    T* out = da->data();
    for (std::size_t i = 0; i < dy.size(); ++i)
        if (g[i] > T(0)) out[i] += g[i];
}

// DeepLIFT Rescale (Shrikumar et al. 2017), against the reference pass (a₀, y₀ from the baseline image):
//     da += dy · (y − y₀) / (a − a₀)       and the gradient [a > 0] where a = a₀ exactly.
// The multiplier times the input's change is the output's change, so a walk of such multipliers through linear ops
// (whose chain rule is their multiplier) gives Σ_j m_j (x_j − x₀_j) = f(x) − f(x₀) exactly: summation to delta.
template <class T>
void rescale_relu(const RuleArgs<T>& r, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
    if (!da) return;
    const T* a = r.in.a.data();
    const T* a0 = r.ref_a->data();
    const T* y = r.y.data();
    const T* y0 = r.ref_y->data();
    const T* g = dy.data();
    T* out = da->data();
    for (std::size_t i = 0; i < dy.size(); ++i) {
        const T delta = a[i] - a0[i];
        const T m = delta != T(0) ? (y[i] - y0[i]) / delta : (a[i] > T(0) ? T(1) : T(0));
        out[i] += g[i] * m;
    }
}

template <class T>
Rule<T> guided_backprop() { return {"guided-backprop", &guided_relu<T>, T(0), false}; }
template <class T>
Rule<T> deconvnet() { return {"deconvnet", &deconvnet_relu<T>, T(0), false}; }
template <class T>
Rule<T> rescale() { return {"deeplift-rescale", &rescale_relu<T>, T(0), true}; }

}  // namespace nn::rules
