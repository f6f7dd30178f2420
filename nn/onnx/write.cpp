// nn/onnx/write.cpp — building the ONNX ModelProto of a DenseStack node by node, then serializing it atomically.
// The reader (read.cpp) reads these files back; tests/onnx/check_export.py has onnx.checker and PyTorch read them too.
#include "nn/onnx/write.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include <onnx/onnx_pb.h>

#include "nn/training/atomic_file.hpp"

namespace nn::onnx {

namespace {

void check_well_formed(const DenseStack& s) {
    auto bad = [&](const std::string& msg) { throw std::invalid_argument("write_onnx: " + msg); };
    if (s.layers.empty()) bad("the stack has no layer");
    std::size_t width = s.input_width;
    for (std::size_t k = 0; k < s.layers.size(); ++k) {
        const Dense& l = s.layers[k];
        const std::string which = "layer " + std::to_string(k + 1);
        if (l.in() != width) bad(which + " takes " + std::to_string(l.in()) + " inputs after a width of " + std::to_string(width));
        if (l.b.size() != l.out()) bad(which + " has " + std::to_string(l.b.size()) + " biases for " + std::to_string(l.out()) + " outputs");
        for (double w : l.W) if (!std::isfinite(w)) bad(which + " has a weight that is not finite");
        for (double v : l.b) if (!std::isfinite(v)) bad(which + " has a bias that is not finite");
        if (!std::isfinite(l.alpha)) bad(which + "'s alpha is not finite");
        width = l.out();
    }
}

void add_tensor(::onnx::GraphProto& g, const std::string& name, std::vector<std::int64_t> dims,
                const std::vector<float>& values) {
    ::onnx::TensorProto* t = g.add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) t->add_dims(d);
    std::string raw(values.size() * sizeof(float), '\0');             // little-endian float32, as PyTorch writes
    if (!values.empty()) std::memcpy(&raw[0], values.data(), raw.size());
    t->set_raw_data(std::move(raw));
}

::onnx::NodeProto* add_node(::onnx::GraphProto& g, const std::string& op, const std::string& name,
                            std::vector<std::string> in, const std::string& out) {
    ::onnx::NodeProto* n = g.add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
}

void set_attribute(::onnx::NodeProto* n, const std::string& name, std::int64_t i) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(i);
}

void set_attribute(::onnx::NodeProto* n, const std::string& name, float f) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::FLOAT);
    a->set_f(f);
}

// A scalar float Constant node named `name`.
void add_constant(::onnx::GraphProto& g, const std::string& name, float value) {
    auto* n = add_node(g, "Constant", name, {}, name);
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(::onnx::AttributeProto::TENSOR);
    ::onnx::TensorProto* t = a->mutable_t();
    t->set_data_type(::onnx::TensorProto::FLOAT);
    t->add_float_data(value);
}

void add_value_info(google::protobuf::RepeatedPtrField<::onnx::ValueInfoProto>* list, const std::string& name,
                    std::size_t width) {
    ::onnx::ValueInfoProto* v = list->Add();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(::onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_param("N");                // a symbolic batch dimension
    tt->mutable_shape()->add_dim()->set_dim_value(static_cast<std::int64_t>(width));
}

// Appends the activation of layer `p` (names prefixed "layer<k>.") from value `in`; returns the output's name.
std::string add_activation(::onnx::GraphProto& g, const Dense& l, const std::string& p, const std::string& in) {
    switch (l.act) {
        case Activation::Identity: return in;
        case Activation::Relu: add_node(g, "Relu", p + "relu", {in}, p + "relu"); return p + "relu";
        case Activation::Tanh: add_node(g, "Tanh", p + "tanh", {in}, p + "tanh"); return p + "tanh";
        case Activation::Sigmoid: add_node(g, "Sigmoid", p + "sigmoid", {in}, p + "sigmoid"); return p + "sigmoid";
        case Activation::LeakyRelu: {
            auto* n = add_node(g, "LeakyRelu", p + "leaky_relu", {in}, p + "leaky_relu");
            set_attribute(n, "alpha", static_cast<float>(l.alpha));
            return p + "leaky_relu";
        }
        case Activation::Gelu:   // x·½(1 + erf(x/√2)), node for node what PyTorch 1.13 writes for nn.GELU()
            add_constant(g, p + "gelu.sqrt2", static_cast<float>(std::sqrt(2.0)));
            add_node(g, "Div", p + "gelu.div", {in, p + "gelu.sqrt2"}, p + "gelu.div");
            add_node(g, "Erf", p + "gelu.erf", {p + "gelu.div"}, p + "gelu.erf");
            add_constant(g, p + "gelu.one", 1.0f);
            add_node(g, "Add", p + "gelu.add", {p + "gelu.erf", p + "gelu.one"}, p + "gelu.add");
            add_node(g, "Mul", p + "gelu.mul", {in, p + "gelu.add"}, p + "gelu.mul");
            add_constant(g, p + "gelu.half", 0.5f);
            add_node(g, "Mul", p + "gelu", {p + "gelu.mul", p + "gelu.half"}, p + "gelu");
            return p + "gelu";
    }
    return in;
}

}  // namespace

std::string onnx_bytes(const DenseStack& s) {
    check_well_formed(s);
    ::onnx::ModelProto m;
    m.set_ir_version(8);                                                // what onnx 1.12 writes for opset 13
    m.set_producer_name("nnsense");
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    ::onnx::GraphProto& g = *m.mutable_graph();
    g.set_name("nnsense_dense_stack");
    add_value_info(g.mutable_input(), "input", s.input_width);
    std::string h = "input";
    for (std::size_t k = 0; k < s.layers.size(); ++k) {
        const Dense& l = s.layers[k];
        const std::string p = "layer" + std::to_string(k + 1) + ".";
        std::vector<float> W(l.W.begin(), l.W.end()), b(l.b.begin(), l.b.end());
        add_tensor(g, p + "weight", {static_cast<std::int64_t>(l.in()), static_cast<std::int64_t>(l.out())}, W);
        add_tensor(g, p + "bias", {static_cast<std::int64_t>(l.out())}, b);
        auto* gemm = add_node(g, "Gemm", p + "gemm", {h, p + "weight", p + "bias"}, p + "gemm");
        set_attribute(gemm, "transB", std::int64_t(0));                 // W is [in, out]: x·W, no transpose
        h = add_activation(g, l, p, p + "gemm");
    }
    if (s.head != Head::None) {
        auto* n = add_node(g, s.head == Head::Softmax ? "Softmax" : "LogSoftmax", "head", {h}, "head");
        set_attribute(n, "axis", std::int64_t(-1));
        h = "head";
    }
    // The graph's output is named "output": rename the last node's output.
    for (auto& out : *g.mutable_node(g.node_size() - 1)->mutable_output())
        if (out == h) out = "output";
    add_value_info(g.mutable_output(), "output", s.output_width());
    std::string bytes;
    if (!m.SerializeToString(&bytes)) throw std::runtime_error("write_onnx: protobuf could not serialize the model");
    return bytes;
}

void write_onnx(const DenseStack& stack, const std::string& path) {
    std::string bytes;
    try {
        bytes = onnx_bytes(stack);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(path + ": not written: " + e.what());
    }
    training::write_file_atomic(path, bytes);
}

}  // namespace nn::onnx
