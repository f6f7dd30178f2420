// nn/onnx/read.hpp — reading an ONNX file (what torch.onnx.export writes) into a checked DenseStack.
// Reading only: nothing is evaluated here; record.hpp puts the stack on a tape, write.hpp writes one back out.
#pragma once

#include <string>

#include "nn/onnx/dense_stack.hpp"

namespace onnx {
class ModelProto;
}

namespace nn::onnx {

// The op types the reader understands, for error messages and the docs.
const char* supported_ops();

// Reads `path`; throws std::runtime_error with one line "<path>: <what is wrong and what to do>" for anything it
// cannot turn into a dense stack (not ONNX, truncated, an unsupported op, a Conv net, bad sizes, NaN weights,
// two outputs, a cycle, an opset outside 9..17, ...).
DenseStack read_onnx(const std::string& path);
// The same for a file's bytes already in memory; `source` names them in errors.
DenseStack parse_onnx(const std::string& bytes, const std::string& source);
// The same for a parsed model (the tests build ModelProtos by hand).
DenseStack read_model(const ::onnx::ModelProto& model, const std::string& source);

}  // namespace nn::onnx
