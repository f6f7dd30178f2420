// nn/input_hvp.hpp — second derivatives of the MLP's loss with respect to its input: Hessian-vector products H·v,
// exact, by forward mode over a reverse sweep recorded as ops on the same tape. Chapter 8 explains it; not for training.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xmanipulation.hpp>

#include "nn/mlp.hpp"

namespace nn {

// For L(x) = mean cross-entropy of the model's logits at x [B, D] with `labels`:
template <class T>
struct InputHvp {
    T loss = 0;        // L(x)
    Tensor<T> grad;    // [B, D]       ∇ₓL, computed by the recorded reverse sweep
    Tensor<T> hvp;     // [K·B, D]     H·v for each of the K directions, stacked like a tangent
};

// The tape's backward() is code, not ops, so forward mode cannot walk through it. Here the reverse sweep of
// L(x) is written out as ops and recorded after the forward pass; then one forward-mode walk with x's tangent
// seeded to v gives d/dt ∇L(x + t·v) = H·v for K directions at once. Weights are constants (no dW).
//   forward:  z1 = x·W1 + b1,  h = act(z1),  z2 = h·W2 + b2,  p = softmax(z2)
//   reverse:  dz2 = (p − onehot)/B,  dh = dz2·W2ᵀ,  dz1 = dh ⊙ act'(z1),  dx = dz1·W1ᵀ
// act'(z1) is itself recorded as ops (sigmoid: h(1 − h); tanh: 1 − h²), so its tangent carries act''; relu's is
// the 0/1 mask, a constant, exact wherever relu is differentiable. `v` is [K·B, D]: direction k in rows k·B….
template <class T>
InputHvp<T> input_hvp(const MLP<T>& model, const Tensor<T>& x, const std::vector<int>& labels, const Tensor<T>& v) {
    if (model.layers().size() != 2)
        throw std::invalid_argument("input_hvp: the reverse sweep is written out for one hidden layer; this model is " +
                                    layer_widths(model));
    const std::size_t B = x.shape(0), D = model.in(), H = model.hidden()[0], C = model.out();
    if (x.shape(1) != D)
        throw std::invalid_argument("input_hvp: x has " + std::to_string(x.shape(1)) + " columns, the model expects " +
                                    std::to_string(D));
    if (B == 0 || v.shape(1) != D || v.shape(0) == 0 || v.shape(0) % B != 0)
        throw std::invalid_argument("input_hvp: v must be [K·B, D] for x [B, D]");
    Tape<T> tape;                                                    // scratch: the model's tape is not touched
    auto constant = [&](const Tensor<T>& m) { return tape.leaf(m, false); };
    const Tape<T>& mt = model.tape();
    const Linear l1{constant(mt.value(model.layer(0).W)), constant(mt.value(model.layer(0).b)), D, H};
    const Linear l2{constant(mt.value(model.layer(1).W)), constant(mt.value(model.layer(1).b)), H, C};
    const Var W1t = constant(xt::transpose(mt.value(model.layer(0).W)));   // [H, D]
    const Var W2t = constant(xt::transpose(mt.value(model.layer(1).W)));   // [C, H]

    // forward
    const Var xv = constant(x);                                      // [B, D]
    const Var z1 = forward(tape, l1, xv);                            // [B, H]
    const Var h = model.activation == Activation::Relu      ? tape.relu(z1)
                  : model.activation == Activation::Sigmoid ? tape.sigmoid(z1)
                                                            : tape.tanh(z1);   // [B, H]
    const Var z2 = forward(tape, l2, h);                             // [B, C]
    const Var loss = tape.softmax_cross_entropy(z2, labels);        // [1, 1]; checks the labels
    Tensor<T> onehot = xt::zeros<T>({B, C});                         // [B, C]
    for (std::size_t n = 0; n < B; ++n) onehot(n, static_cast<std::size_t>(labels[n])) = T(1);
    const Var Y = constant(onehot);
    // reverse, as ops
    const Var dz2 = tape.scale(tape.sub(tape.softmax(z2), Y), T(1) / static_cast<T>(B));   // [B, C]
    const Var dh = tape.matmul(dz2, W2t);                            // [B, H]
    Var dact;                                                        // [B, H]: act'(z1)
    if (model.activation == Activation::Relu) {
        dact = constant(xt::cast<T>(tape.value(z1) > T(0)));
    } else {
        const Var ones = constant(xt::ones<T>({B, H}));
        dact = model.activation == Activation::Sigmoid ? tape.mul(h, tape.sub(ones, h))
                                                       : tape.sub(ones, tape.mul(h, h));
    }
    const Var dz1 = tape.mul(dh, dact);                              // [B, H]
    const Var dx = tape.matmul(dz1, W1t);                            // [B, D]: ∇ₓL
    // forward mode over both
    const std::size_t K = v.shape(0) / B;
    tape.seed_tangent(xv, K) = v;                                    // [K·B, D]
    tape.forward_tangents(dx);
    return {tape.value(loss)(0, 0), tape.value(dx), tape.tangent(dx)};
}

}  // namespace nn
