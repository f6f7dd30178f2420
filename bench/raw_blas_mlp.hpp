// bench/raw_blas_mlp.hpp — the naive reference: a training step of the in-H-out ReLU MLP written straight on BLAS, no tape.
// Kept so a reader can compare it with the tape line by line and bench_train can time both; the library never uses it.
#pragma once

#include <vector>

#include "nn/ops.hpp"

namespace bench {

// The same network as nn::MLP with ReLU: logits = relu(X·W1 + b1)·W2 + b2, softmax cross-entropy (batch mean),
// SGD with momentum in PyTorch's convention: v = momentum·v + g;  W -= lr·v.
class RawBlasMlp {
public:
    using Matrix = nn::Tensor<float>;
    // Starts from copies of the given parameters (W1 [in, H], b1 [1, H], W2 [H, out], b2 [1, out]); velocities 0.
    RawBlasMlp(Matrix W1, Matrix b1, Matrix W2, Matrix b2);

    // One step on the batch X [B, in] with labels [B]; returns the batch's mean loss before the update.
    double step(const Matrix& X, const std::vector<int>& labels, float lr, float momentum);

    Matrix W1, b1, W2, b2;                   // parameters

private:
    Matrix vW1, vb1, vW2, vb2;               // momentum buffers, same shapes
    Matrix Z1, H, Z2;                        // forward:  [B, H], [B, H], [B, out] (Z2 becomes the softmax in place)
    Matrix dZ2, dH, dW1, db1, dW2, db2;      // backward: [B, out], [B, H] (dZ1 in place), then parameter shapes
};

}  // namespace bench
