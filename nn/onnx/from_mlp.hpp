// nn/onnx/from_mlp.hpp — an nn::MLP of any depth as a DenseStack (so a saved model is also written as model.onnx),
// and back: a stack read from ONNX as an MLP, for the code that names the MLP (the table mode).
#pragma once

#include "nn/mlp.hpp"
#include "nn/onnx/dense_stack.hpp"

namespace nn::onnx {

// layer k (W_k, b_k, the MLP's activation) for each hidden layer, the last layer with identity; head none: the
// outputs are the logits, as MLP::logits gives them (nn::predict applies the softmax itself).
DenseStack from_mlp(const MLP<float>& model);

// A stack of two or more dense layers, one activation after every hidden layer (the MLP has one: relu, tanh, sigmoid,
// gelu or leaky_relu of slope 0.01) and none after the last, as an MLP with the same weights (double to float: exact
// for a file written in float32). The head is dropped: the MLP gives logits. Throws std::runtime_error
// "<source>: ..." naming what does not fit (no hidden layer, mixed activations).
MLP<float> to_mlp(const DenseStack& stack);

}  // namespace nn::onnx
