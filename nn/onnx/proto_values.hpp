// nn/onnx/proto_values.hpp — the numbers inside ONNX protobuf messages: a TensorProto's values (raw_data or the typed
// fields, sizes and finiteness checked) and a node's attributes. Used by read.cpp; knows nothing of layers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace nn::onnx {

// A constant tensor: its dims and its values in row-major order (integers are stored exactly as doubles up to 2^53).
struct Values {
    std::vector<std::int64_t> dims;
    std::vector<double> data;
    bool integer = false;           // int32 / int64 (a shape), as opposed to float / double (weights)
};

// Throws std::runtime_error "<source>: <msg>" — every error of the reader is one line naming the file.
[[noreturn]] void fail(const std::string& source, const std::string& msg);

// "[8, 3]".
std::string dims_text(const std::vector<std::int64_t>& dims);

// The values of `t`, checked: known data type (float, double, int32, int64), no external data, dims >= 0, as many
// values as the dims say, every float finite. `what` names it in errors ("initializer '0.weight'").
Values tensor_values(const ::onnx::TensorProto& t, const std::string& what, const std::string& source);

// A node's attribute by name, or nullptr.
const ::onnx::AttributeProto* find_attribute(const ::onnx::NodeProto& node, const std::string& name);
// An INT / FLOAT attribute, or `fallback` when absent; throws when it has another type (or a float is not finite).
std::int64_t int_attribute(const ::onnx::NodeProto& node, const std::string& name, std::int64_t fallback,
                           const std::string& source);
double float_attribute(const ::onnx::NodeProto& node, const std::string& name, double fallback,
                       const std::string& source);

// "node 'Gemm_0' (Gemm)", or "node #3 (Gemm)" when it has no name.
std::string node_label(const ::onnx::NodeProto& node, int index);

}  // namespace nn::onnx
