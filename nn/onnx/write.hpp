// nn/onnx/write.hpp — a DenseStack written as an ONNX model that PyTorch, onnx.checker and nnsense's reader accept.
// Writing only; the reader is read.hpp. The file appears whole or not at all (temporary file, then rename).
#pragma once

#include <string>

#include "nn/onnx/dense_stack.hpp"

namespace nn::onnx {

// The model as bytes: opset 13, input "input" [N, input_width] with a symbolic batch N, output "output" [N, out].
// Layer k is Gemm(h, layer<k>.weight [in, out], layer<k>.bias [out], transB=0) and its activation node (LeakyRelu
// with alpha; GELU as the Div, Erf, Add, Mul, Mul that PyTorch writes, since opset 13 has no Gelu op); the head is
// Softmax or LogSoftmax on axis -1. Weights are float32 (raw_data): exact for a model trained in float, rounded
// otherwise (a folded BatchNorm). Throws std::invalid_argument for a stack that is not well formed (no layer, widths
// that do not chain, a bias of the wrong size, non-finite weights).
std::string onnx_bytes(const DenseStack& stack);

// onnx_bytes written to `path` through a temporary file and a rename; throws std::runtime_error naming `path`.
void write_onnx(const DenseStack& stack, const std::string& path);

}  // namespace nn::onnx
