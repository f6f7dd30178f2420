// nn/onnx/from_mlp.hpp — today's two-layer nn::MLP as a DenseStack, so a saved model can also be written as model.onnx.
// Reads the model's public layers only; it changes nothing and is not yet called by nn/training/model_io.
#pragma once

#include "nn/mlp.hpp"
#include "nn/onnx/dense_stack.hpp"

namespace nn::onnx {

// layer 1 (W1 [in, H], b1, the MLP's activation), layer 2 (W2 [H, out], b2, identity); head none: the outputs are
// the logits, as MLP::logits gives them (nn::predict applies the softmax itself).
DenseStack from_mlp(const MLP<float>& model);

}  // namespace nn::onnx
