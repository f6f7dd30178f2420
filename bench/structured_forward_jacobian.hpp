// bench/structured_forward_jacobian.hpp — forward mode that exploits a dense first layer: the tangent of x·W1 + b1
// along pixel j is W1's row j, so all D pixel directions start one layer in, as one [D·B, H] tangent on the tape.
#pragma once

#include <cstddef>

#include <xtensor/xtensor.hpp>

#include "nn/tensor.hpp"

namespace bench {

// J[n, i, :] = ∂softmax(relu(x_n·W1 + b1)·W2 + b2)_i / ∂x_n by forward mode on the tape, D directions at once.
// Per chunk of B images: z1 = X·W1 + b1 is computed with one gemm and made a leaf of a tape that records
// softmax(relu(z1)·W2 + b2); z1's tangent is seeded with D directions ([D·B, H], block j = W1's row j for every
// image, no gemm) and one forward_tangents walk pushes them through relu, ·W2 (a [D·B, H]·[H, C] gemm) and softmax.
// FLOP for N images: 2·N·D·H (the forward gemm) + 2·N·D·H·C (the tangents), about reverse mode's 2·N·C·H·D.
// Weights W1 [D, H], b1 [1, H], W2 [H, C], b2 [1, C]; X [N, D]; the result is [N, C, D].
xt::xtensor<float, 3> structured_forward_jacobian(const nn::Tensor<float>& W1, const nn::Tensor<float>& b1,
                                                  const nn::Tensor<float>& W2, const nn::Tensor<float>& b2,
                                                  const nn::Tensor<float>& X, std::size_t chunk = 50);

}  // namespace bench
