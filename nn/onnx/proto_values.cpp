// nn/onnx/proto_values.cpp — TensorProto values and node attributes, checked, with one-line errors naming the file.
// Little-endian raw_data is copied as it is: nnsense runs on little-endian machines (x86-64, arm64, wasm).
#include "nn/onnx/proto_values.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "names/names.hpp"

namespace nn::onnx {

namespace {
constexpr std::int64_t kMaxValues = std::int64_t(1) << 31;   // 2^31 values: far beyond any dense net we read

using Proto = ::onnx::TensorProto;
const names::NameTable<int, 10> kTypeNames = {{{Proto::FLOAT, "float"},
                                               {Proto::DOUBLE, "double"},
                                               {Proto::INT32, "int32"},
                                               {Proto::INT64, "int64"},
                                               {Proto::FLOAT16, "float16"},
                                               {Proto::BFLOAT16, "bfloat16"},
                                               {Proto::UINT8, "uint8"},
                                               {Proto::INT8, "int8"},
                                               {Proto::BOOL, "bool"},
                                               {Proto::STRING, "string"}}};
const char* type_name(int t) { return names::name_of(kTypeNames, t, "an unknown type"); }

// Copies `count` little-endian values of type S from raw bytes, or the typed field, into out.
template <class S, class Field>
void copy_values(const ::onnx::TensorProto& t, const Field& field, std::int64_t count, std::vector<double>& out,
                 const std::string& what, const std::string& source) {
    const std::string& raw = t.raw_data();
    if (!raw.empty()) {
        if (raw.size() != static_cast<std::size_t>(count) * sizeof(S))
            fail(source, what + " has dims " + dims_text({t.dims().begin(), t.dims().end()}) + " (" +
                             std::to_string(count) + " values) but " + std::to_string(raw.size()) +
                             " bytes of raw_data (" + std::to_string(raw.size() / sizeof(S)) + " " +
                             type_name(t.data_type()) + " values)");
        out.resize(static_cast<std::size_t>(count));
        for (std::int64_t i = 0; i < count; ++i) {
            S v;
            std::memcpy(&v, raw.data() + i * sizeof(S), sizeof(S));
            out[static_cast<std::size_t>(i)] = static_cast<double>(v);
        }
        return;
    }
    if (field.size() != count)
        fail(source, what + " has dims " + dims_text({t.dims().begin(), t.dims().end()}) + " (" +
                         std::to_string(count) + " values) but holds " + std::to_string(field.size()) + " values");
    out.assign(field.begin(), field.end());
}
}  // namespace

void fail(const std::string& source, const std::string& msg) { throw std::runtime_error(source + ": " + msg); }

std::string dims_text(const std::vector<std::int64_t>& dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

Values tensor_values(const ::onnx::TensorProto& t, const std::string& what, const std::string& source) {
    if (t.data_location() == ::onnx::TensorProto::EXTERNAL)
        fail(source, what + " keeps its values in an external file, which nnsense does not read (save the model "
                            "as one file)");
    Values v;
    v.dims.assign(t.dims().begin(), t.dims().end());
    std::int64_t count = 1;
    for (std::int64_t d : v.dims) {
        if (d < 0) fail(source, what + " has a negative dimension in " + dims_text(v.dims));
        if (d > 0 && count > kMaxValues / d) fail(source, what + " has dims " + dims_text(v.dims) + ": too many values");
        count *= d;
    }
    switch (t.data_type()) {
        case ::onnx::TensorProto::FLOAT: copy_values<float>(t, t.float_data(), count, v.data, what, source); break;
        case ::onnx::TensorProto::DOUBLE: copy_values<double>(t, t.double_data(), count, v.data, what, source); break;
        case ::onnx::TensorProto::INT32:
            copy_values<std::int32_t>(t, t.int32_data(), count, v.data, what, source);
            v.integer = true;
            break;
        case ::onnx::TensorProto::INT64:
            copy_values<std::int64_t>(t, t.int64_data(), count, v.data, what, source);
            v.integer = true;
            break;
        default:
            fail(source, what + " has data type " + type_name(t.data_type()) +
                             "; nnsense reads float, double, int32 and int64 tensors");
    }
    if (!v.integer)
        for (std::size_t i = 0; i < v.data.size(); ++i)
            if (!std::isfinite(v.data[i]))
                fail(source, what + " holds " + (std::isnan(v.data[i]) ? "a NaN" : "an infinite value") +
                                 " at index " + std::to_string(i) + " (weights must be finite numbers)");
    return v;
}

const ::onnx::AttributeProto* find_attribute(const ::onnx::NodeProto& node, const std::string& name) {
    for (const auto& a : node.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

std::int64_t int_attribute(const ::onnx::NodeProto& node, const std::string& name, std::int64_t fallback,
                           const std::string& source) {
    const ::onnx::AttributeProto* a = find_attribute(node, name);
    if (!a) return fallback;
    if (a->type() != ::onnx::AttributeProto::INT)
        fail(source, node_label(node, -1) + ": attribute " + name + " should be an integer");
    return a->i();
}

double float_attribute(const ::onnx::NodeProto& node, const std::string& name, double fallback,
                       const std::string& source) {
    const ::onnx::AttributeProto* a = find_attribute(node, name);
    if (!a) return fallback;
    if (a->type() != ::onnx::AttributeProto::FLOAT)
        fail(source, node_label(node, -1) + ": attribute " + name + " should be a float");
    if (!std::isfinite(a->f())) fail(source, node_label(node, -1) + ": attribute " + name + " is not a finite number");
    return a->f();
}

std::string node_label(const ::onnx::NodeProto& node, int index) {
    const std::string who = !node.name().empty() ? "'" + node.name() + "'"
                          : index >= 0           ? "#" + std::to_string(index)
                          : node.output_size() > 0 ? "writing '" + node.output(0) + "'"
                                                 : "(unnamed)";
    return "node " + who + " (" + node.op_type() + ")";
}

}  // namespace nn::onnx
