// bench/raw_blas_jacobian.hpp — the naive reference for the Jacobian: the softmax Jacobian of a ReLU MLP written
// straight on BLAS, no tape, each class's dX written by the last gemm straight into its strided slice of J (no copy).
#pragma once

#include <xtensor/xtensor.hpp>

#include "nn/tensor.hpp"

namespace bench {

// J[n, i, :] = ∂softmax(relu(x_n·W1 + b1)·W2 + b2)_i / ∂x_n for the rows of X [N, D]: one forward pass, then per
// class i one backward pass whose dX = dZ1·W1ᵀ lands in J with leading dimension C·D (gemm with beta = 0).
// Weights W1 [D, H], b1 [1, H], W2 [H, C], b2 [1, C]. J must be [N, C, D].
void raw_blas_jacobian(const nn::Tensor<float>& W1, const nn::Tensor<float>& b1, const nn::Tensor<float>& W2,
                       const nn::Tensor<float>& b2, const nn::Tensor<float>& X, xt::xtensor<float, 3>& J);

}  // namespace bench
