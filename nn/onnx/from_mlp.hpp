// nn/onnx/from_mlp.hpp — today's two-layer nn::MLP as a DenseStack (so a saved model is also written as model.onnx),
// and back: a two-layer stack read from ONNX as an MLP, for the code that still names the MLP (the table mode).
#pragma once

#include "nn/mlp.hpp"
#include "nn/onnx/dense_stack.hpp"

namespace nn::onnx {

// layer 1 (W1 [in, H], b1, the MLP's activation), layer 2 (W2 [H, out], b2, identity); head none: the outputs are
// the logits, as MLP::logits gives them (nn::predict applies the softmax itself).
DenseStack from_mlp(const MLP<float>& model);

// A stack of exactly two dense layers, relu, tanh or sigmoid after the first and nothing after the second, as an MLP
// with the same weights (double to float: exact for a file written in float32). The head is dropped: the MLP gives
// logits. Throws std::runtime_error "<source>: ..." naming what does not fit (depth, activation).
MLP<float> to_mlp(const DenseStack& stack);

}  // namespace nn::onnx
