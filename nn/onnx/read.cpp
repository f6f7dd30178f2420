// nn/onnx/read.cpp — an ONNX graph walked node by node into a DenseStack: each Gemm or MatMul (+ Add) opens a layer,
// a BatchNormalization right after folds into it, one activation closes it. Anything else is refused with one line.
#include "nn/onnx/read.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "nn/onnx/proto_values.hpp"

namespace nn::onnx {

namespace {

constexpr std::int64_t kMinOpset = 9, kMaxOpset = 17;
const std::set<std::string> kConvLike = {"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "MaxPool",
                                         "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "MaxUnpool",
                                         "LRN", "InstanceNormalization", "Upsample", "Resize"};
const std::set<std::string> kSupported = {"Gemm", "MatMul", "Add", "Relu", "LeakyRelu", "Tanh", "Sigmoid",
                                          "Softmax", "LogSoftmax", "Flatten", "Reshape", "Identity", "Constant",
                                          "Dropout", "BatchNormalization", "Div", "Erf", "Mul"};

// Where the walk is: what the last node on the data path was, so we know what may come next.
enum class Stage { Start, Affine, Activated, Head };

class Reader {
public:
    Reader(const ::onnx::ModelProto& model, std::string source) : model_(model), graph_(model.graph()) {
        stack_.source = std::move(source);
    }
    DenseStack read();

private:
    const std::string& src() const { return stack_.source; }
    [[noreturn]] void node_fail(int i, const std::string& msg) const {
        fail(src(), node_label(graph_.node(i), i) + ": " + msg);
    }
    void check_opset();
    void check_order();
    void read_input();
    void walk();
    void node(int i);
    const Values* constant(const std::string& name) const {
        auto it = constants_.find(name);
        return it == constants_.end() ? nullptr : &it->second;
    }
    const Values& constant_input(int i, int k, const char* role) const;
    void take_stream(int i, int k);                  // node i's input k must be the data path
    std::size_t width() const;                       // features per row of the data path (must be flat)
    Dense& open_layer(int i, const char* what);      // the layer the node at i adds to (right after Gemm/MatMul)
    void add_layer(int i, Tensor<double> W, std::vector<double> b);
    void gemm(int i);
    void matmul(int i);
    void add_bias(int i);
    void batch_norm(int i);
    void activation(int i, Activation act, double alpha = 0);
    void head(int i, Head h);
    void flatten(int i);
    void reshape(int i);
    void dropout(int i);
    void constant_node(int i);
    bool gelu(int i);
    int only_consumer(const std::string& name) const;

    const ::onnx::ModelProto& model_;
    const ::onnx::GraphProto& graph_;
    DenseStack stack_;
    std::int64_t opset_ = 0;
    std::map<std::string, Values> constants_;        // initializers and Constant outputs
    std::map<std::string, std::vector<int>> consumers_;
    std::vector<char> done_;                         // nodes already read as part of a pattern (GELU)
    std::string stream_;                             // the name of the value on the data path
    std::vector<std::int64_t> dims_;                 // its dims after the batch dimension
    std::int64_t fixed_batch_ = -1;                  // the input's batch dimension when it is a number
    Stage stage_ = Stage::Start;
};

void Reader::check_opset() {
    bool found = false;
    for (const auto& o : model_.opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx") {
            found = true;
            opset_ = o.version();
        }
    if (!found) fail(src(), "the model imports no opset of the default ONNX domain (not a model torch.onnx writes)");
    if (opset_ < kMinOpset || opset_ > kMaxOpset)
        fail(src(), "opset " + std::to_string(opset_) + " is not supported (nnsense reads opsets " +
                        std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) +
                        "); export again with opset_version between them");
}

// Every value a node reads is defined earlier: by the input, an initializer or an earlier node. In a graph with a
// cycle some node necessarily reads a value defined later (or never), so this also finds cycles.
void Reader::check_order() {
    std::set<std::string> defined, later;
    for (const auto& in : graph_.input()) defined.insert(in.name());
    for (const auto& t : graph_.initializer()) defined.insert(t.name());
    std::map<std::string, int> producer;
    for (int i = 0; i < graph_.node_size(); ++i)
        for (const auto& out : graph_.node(i).output())
            if (!out.empty()) producer.emplace(out, i);
    for (int i = 0; i < graph_.node_size(); ++i) {
        const auto& n = graph_.node(i);
        for (const auto& in : n.input()) {
            if (in.empty() || defined.count(in)) continue;
            auto p = producer.find(in);
            if (p == producer.end())
                node_fail(i, "reads '" + in + "', which no node, initializer or input defines");
            node_fail(i, "reads '" + in + "', which " + node_label(graph_.node(p->second), p->second) +
                             " computes later: the graph has a cycle or is not in topological order");
        }
        for (const auto& out : n.output()) {
            if (out.empty()) continue;
            if (!defined.insert(out).second) node_fail(i, "writes '" + out + "', which is already defined");
        }
    }
    for (int i = 0; i < graph_.node_size(); ++i)
        for (const auto& in : graph_.node(i).input()) consumers_[in].push_back(i);
}

void Reader::read_input() {
    std::vector<const ::onnx::ValueInfoProto*> data;
    for (const auto& in : graph_.input())
        if (!constants_.count(in.name())) data.push_back(&in);
    if (data.size() != 1) {
        std::string names;
        for (const auto* d : data) names += (names.empty() ? "'" : ", '") + d->name() + "'";
        fail(src(), "the graph has " + std::to_string(data.size()) + " inputs besides its initializers" +
                        (names.empty() ? "" : " (" + names + ")") + "; nnsense reads models with one input");
    }
    const auto& in = *data[0];
    const std::string what = "input '" + in.name() + "'";
    if (!in.type().has_tensor_type()) fail(src(), what + " is not a tensor");
    const auto& tt = in.type().tensor_type();
    if (tt.elem_type() != ::onnx::TensorProto::FLOAT && tt.elem_type() != ::onnx::TensorProto::DOUBLE)
        fail(src(), what + " is not a float or double tensor");
    if (!tt.has_shape() || tt.shape().dim_size() < 2)
        fail(src(), what + " needs a shape [N, features...] with the batch dimension first; it has " +
                        (tt.has_shape() ? std::to_string(tt.shape().dim_size()) + " dimension(s)" : "no shape"));
    const auto& d0 = tt.shape().dim(0);
    if (d0.has_dim_value()) fixed_batch_ = d0.dim_value();
    std::int64_t width = 1;
    for (int k = 1; k < tt.shape().dim_size(); ++k) {
        const auto& d = tt.shape().dim(k);
        if (!d.has_dim_value() || d.dim_value() <= 0)
            fail(src(), what + ": dimension " + std::to_string(k) +
                            " must be a fixed positive number (only the batch dimension may be symbolic)");
        if (width > (std::int64_t(1) << 31) / d.dim_value()) fail(src(), what + " has too many features per row");
        width *= d.dim_value();
        dims_.push_back(d.dim_value());
    }
    stack_.input_width = static_cast<std::size_t>(width);
    stream_ = in.name();
}

DenseStack Reader::read() {
    if (model_.ir_version() <= 0 || !model_.has_graph())
        fail(src(), "not an ONNX model (no IR version or no graph: an empty, truncated or other kind of file)");
    check_opset();
    if (graph_.output_size() != 1) {
        std::string names;
        for (const auto& o : graph_.output()) names += (names.empty() ? "'" : ", '") + o.name() + "'";
        fail(src(), "the graph has " + std::to_string(graph_.output_size()) + " outputs" +
                        (names.empty() ? "" : " (" + names + ")") + "; nnsense reads models with one output");
    }
    for (const auto& t : graph_.initializer()) {
        if (constants_.count(t.name())) fail(src(), "two initializers are named '" + t.name() + "'");
        constants_.emplace(t.name(), tensor_values(t, "initializer '" + t.name() + "'", src()));
    }
    check_order();
    read_input();
    walk();
    return std::move(stack_);
}

void Reader::walk() {
    done_.assign(static_cast<std::size_t>(graph_.node_size()), 0);
    // Constants first: a pattern (GELU) looks ahead at operands whose Constant nodes come later in the list.
    for (int i = 0; i < graph_.node_size(); ++i)
        if (graph_.node(i).op_type() == "Constant" && graph_.node(i).domain().empty()) {
            constant_node(i);
            done_[static_cast<std::size_t>(i)] = 1;
        }
    for (int i = 0; i < graph_.node_size(); ++i)
        if (!done_[static_cast<std::size_t>(i)]) node(i);
    const std::string& out = graph_.output(0).name();
    if (out != stream_)
        fail(src(), "the graph's output '" + out + "' is not the end of the chain of layers from the input (it ends at '" +
                        stream_ + "')");
    if (stack_.layers.empty()) fail(src(), "the graph has no dense layer (Gemm, or MatMul + Add)");
    for (std::size_t k = 0; k < stack_.layers.size(); ++k) {
        const Dense& l = stack_.layers[k];
        bool finite = true;
        for (double w : l.W) finite = finite && std::isfinite(w);
        for (double v : l.b) finite = finite && std::isfinite(v);
        if (!finite)
            fail(src(), "layer " + std::to_string(k + 1) + "'s weights are not finite after folding alpha, beta and "
                                                            "BatchNormalization into them");
    }
}

const Values& Reader::constant_input(int i, int k, const char* role) const {
    const auto& n = graph_.node(i);
    if (k >= n.input_size() || n.input(k).empty()) node_fail(i, std::string("has no ") + role + " input");
    const Values* v = constant(n.input(k));
    if (!v) node_fail(i, std::string("its ") + role + " '" + n.input(k) + "' must be a constant (an initializer)");
    return *v;
}

void Reader::take_stream(int i, int k) {
    const auto& n = graph_.node(i);
    if (k >= n.input_size() || n.input(k) != stream_)
        node_fail(i, "does not read the output of the previous layer ('" + stream_ +
                         "') where it should: only a single chain of dense layers is supported");
    for (int j = 0; j < n.input_size(); ++j)
        if (j != k && !n.input(j).empty() && !constant(n.input(j)))
            node_fail(i, "reads '" + n.input(j) + "', a second value computed from the input: only a single chain "
                             "of dense layers is supported");
}

std::size_t Reader::width() const { return dims_.size() == 1 ? static_cast<std::size_t>(dims_[0]) : 0; }

Dense& Reader::open_layer(int i, const char* what) {
    if (stage_ != Stage::Affine)
        node_fail(i, std::string(what) + " is supported only right after a dense layer (Gemm, or MatMul + Add)");
    return stack_.layers.back();
}

void Reader::add_layer(int i, Tensor<double> W, std::vector<double> b) {
    if (stage_ == Stage::Head) node_fail(i, "comes after the Softmax/LogSoftmax head, which must be the last node");
    if (!stack_.layers.empty() && stack_.layers.back().out() != W.shape(0))
        node_fail(i, "its weights take " + std::to_string(W.shape(0)) + " inputs, the previous layer gives " +
                         std::to_string(stack_.layers.back().out()));
    stack_.layers.push_back(Dense{std::move(W), std::move(b)});
    dims_ = {static_cast<std::int64_t>(stack_.layers.back().out())};
    stage_ = Stage::Affine;
}

// Y = alpha·A'·B' + beta·C with A the data [N, K]: the layer's W = alpha·B' [K, M], b = beta·C.
void Reader::gemm(int i) {
    const auto& n = graph_.node(i);
    if (n.input_size() > 1 && n.input(1) == stream_ && constant(n.input(0)))
        node_fail(i, "has the data as its second operand (B): only x·W, the data as A, is a dense layer on rows");
    take_stream(i, 0);
    if (int_attribute(n, "transA", 0, src()) != 0)
        node_fail(i, "has transA=1, which would multiply across the rows of the batch; only transA=0 is supported");
    const bool transB = int_attribute(n, "transB", 0, src()) != 0;
    const double alpha = float_attribute(n, "alpha", 1.0, src()), beta = float_attribute(n, "beta", 1.0, src());
    const Values& B = constant_input(i, 1, "weight B");
    if (B.dims.size() != 2 || B.integer) node_fail(i, "weight '" + n.input(1) + "' must be a 2-D float matrix, it has dims " + dims_text(B.dims));
    const std::size_t K = static_cast<std::size_t>(transB ? B.dims[1] : B.dims[0]);
    const std::size_t M = static_cast<std::size_t>(transB ? B.dims[0] : B.dims[1]);
    if (width() == 0)
        node_fail(i, "gets a " + dims_text(dims_) + " input per row: a Flatten (or Reshape to [N, -1]) must come first");
    if (K != width())
        node_fail(i, "weight '" + n.input(1) + "' has dims " + dims_text(B.dims) + " (transB=" +
                         std::to_string(transB) + ": " + std::to_string(K) + " inputs), but the previous layer gives " +
                         std::to_string(width()));
    Tensor<double> W({K, M});                                    // [K, M]
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t m = 0; m < M; ++m) W(k, m) = alpha * B.data[transB ? m * K + k : k * M + m];
    std::vector<double> b(M, 0.0);
    if (n.input_size() > 2 && !n.input(2).empty()) {
        const Values& C = constant_input(i, 2, "bias C");
        if (C.data.size() != M && C.data.size() != 1)
            node_fail(i, "bias '" + n.input(2) + "' has dims " + dims_text(C.dims) + "; expected [" +
                             std::to_string(M) + "] or [1, " + std::to_string(M) + "]");
        for (std::size_t m = 0; m < M; ++m) b[m] = beta * C.data[C.data.size() == 1 ? 0 : m];
    }
    add_layer(i, std::move(W), std::move(b));
}

void Reader::matmul(int i) {
    const auto& n = graph_.node(i);
    take_stream(i, 0);
    const Values& B = constant_input(i, 1, "weight");
    if (B.dims.size() != 2 || B.integer) node_fail(i, "weight '" + n.input(1) + "' must be a 2-D float matrix, it has dims " + dims_text(B.dims));
    if (width() == 0)
        node_fail(i, "gets a " + dims_text(dims_) + " input per row: a Flatten (or Reshape to [N, -1]) must come first");
    const std::size_t K = static_cast<std::size_t>(B.dims[0]), M = static_cast<std::size_t>(B.dims[1]);
    if (K != width())
        node_fail(i, "weight '" + n.input(1) + "' has dims " + dims_text(B.dims) + " (" + std::to_string(K) +
                         " inputs), but the previous layer gives " + std::to_string(width()));
    Tensor<double> W({K, M});                                    // [K, M]
    std::copy(B.data.begin(), B.data.end(), W.begin());
    add_layer(i, std::move(W), std::vector<double>(M, 0.0));
}

// Add(data, c) right after MatMul or Gemm: the layer's bias.
void Reader::add_bias(int i) {
    const auto& n = graph_.node(i);
    const int k = n.input_size() == 2 && n.input(1) == stream_ ? 1 : 0;
    take_stream(i, k);
    Dense& l = open_layer(i, "Add with a constant (a bias)");
    const Values& c = constant_input(i, 1 - k, "bias");
    if (c.data.size() != l.out() && c.data.size() != 1)
        node_fail(i, "bias '" + n.input(1 - k) + "' has dims " + dims_text(c.dims) + "; expected [" +
                         std::to_string(l.out()) + "] or [1, " + std::to_string(l.out()) + "]");
    for (std::size_t m = 0; m < l.out(); ++m) l.b[m] += c.data[c.data.size() == 1 ? 0 : m];
}

// y = (z - mean)·γ/√(var+ε) + β for z = x·W + b:  W' = W·diag(s), b' = (b - mean)·s + β with s = γ/√(var+ε).
void Reader::batch_norm(int i) {
    const auto& n = graph_.node(i);
    take_stream(i, 0);
    Dense& l = open_layer(i, "BatchNormalization (folded into the layer's weights)");
    if (int_attribute(n, "training_mode", 0, src()) != 0)
        node_fail(i, "is in training mode; export the model in eval mode (model.eval())");
    const double eps = float_attribute(n, "epsilon", 1e-5, src());
    const char* roles[] = {"scale", "B", "mean", "var"};
    std::vector<const Values*> p;
    for (int k = 0; k < 4; ++k) {
        p.push_back(&constant_input(i, k + 1, roles[k]));
        if (p.back()->data.size() != l.out())
            node_fail(i, std::string(roles[k]) + " '" + n.input(k + 1) + "' has " + std::to_string(p.back()->data.size()) +
                             " values; the layer before it has " + std::to_string(l.out()) + " outputs");
    }
    for (std::size_t m = 0; m < l.out(); ++m) {
        const double var = p[3]->data[m] + eps;
        if (!(var > 0)) node_fail(i, "var + epsilon is not positive for channel " + std::to_string(m));
        const double s = p[0]->data[m] / std::sqrt(var);
        for (std::size_t k = 0; k < l.in(); ++k) l.W(k, m) *= s;
        l.b[m] = (l.b[m] - p[2]->data[m]) * s + p[1]->data[m];
    }
    stack_.notes.push_back("BatchNormalization '" + n.name() + "' folded into layer " +
                           std::to_string(stack_.layers.size()));
}

void Reader::activation(int i, Activation act, double alpha) {
    take_stream(i, 0);
    Dense& l = open_layer(i, "an activation");
    l.act = act;
    l.alpha = alpha;
    stage_ = Stage::Activated;
}

void Reader::head(int i, Head h) {
    const auto& n = graph_.node(i);
    take_stream(i, 0);
    if (stage_ == Stage::Start || stage_ == Stage::Head)
        node_fail(i, "must come once, after the last dense layer");
    const std::int64_t axis = int_attribute(n, "axis", opset_ >= 13 ? -1 : 1, src());
    if (axis != 1 && axis != -1) node_fail(i, "has axis=" + std::to_string(axis) + "; only the row axis (1 or -1) is supported");
    stack_.head = h;
    stage_ = Stage::Head;
}

void Reader::flatten(int i) {
    take_stream(i, 0);
    const std::int64_t axis = int_attribute(graph_.node(i), "axis", 1, src());
    if (axis != 1)
        node_fail(i, "has axis=" + std::to_string(axis) + "; only axis=1 (flatten each row) is supported");
    std::int64_t w = 1;
    for (std::int64_t d : dims_) w *= d;
    dims_ = {w};
}

// Reshape to [N, -1] (also written [0, -1], [-1, width] or, for a fixed batch, [batch, -1]): flatten each row.
void Reader::reshape(int i) {
    const auto& n = graph_.node(i);
    take_stream(i, 0);
    const Values& s = constant_input(i, 1, "shape");
    std::int64_t w = 1;
    for (std::int64_t d : dims_) w *= d;
    const bool two = s.integer && s.data.size() == 2;
    const double s0 = two ? s.data[0] : 0, s1 = two ? s.data[1] : 0;
    const bool zero_copies = int_attribute(n, "allowzero", 0, src()) == 0;
    const bool batch_ok = (s0 == 0 && zero_copies) || s0 == -1 || (fixed_batch_ >= 0 && s0 == double(fixed_batch_));
    const bool width_ok = (s1 == -1 && s0 != -1) || s1 == double(w);
    if (!two || !batch_ok || !width_ok)
    {
        std::string shape = "[";
        for (std::size_t k = 0; k < s.data.size() && k < 8; ++k) shape += (k ? ", " : "") + std::to_string(static_cast<long long>(s.data[k]));
        node_fail(i, "reshapes to " + shape + (s.data.size() > 8 ? ", ...]" : "]") +
                         ": only a reshape to [N, -1], which flattens each row, is supported");
    }
    if (s0 > 0) stack_.notes.push_back("Reshape '" + n.name() + "' to [" + std::to_string(fixed_batch_) + ", " +
                                       std::to_string(static_cast<long long>(s1)) + "] read as [N, -1]");
    dims_ = {w};
}

void Reader::dropout(int i) {
    const auto& n = graph_.node(i);
    take_stream(i, 0);
    if (n.input_size() > 2 && !n.input(2).empty()) {
        const Values& t = constant_input(i, 2, "training_mode");
        if (!t.data.empty() && t.data[0] != 0) node_fail(i, "is in training mode; export the model in eval mode");
    }
    stack_.notes.push_back("Dropout '" + n.name() + "' removed (inference)");
}

void Reader::constant_node(int i) {
    const auto& n = graph_.node(i);
    if (n.output_size() != 1 || n.attribute_size() != 1) node_fail(i, "must have one output and one attribute");
    const auto& a = n.attribute(0);
    Values v;
    if (a.name() == "value" && a.type() == ::onnx::AttributeProto::TENSOR) {
        v = tensor_values(a.t(), node_label(n, i) + "'s value", src());
    } else if (a.name() == "value_float" && a.type() == ::onnx::AttributeProto::FLOAT) {
        v.data = {a.f()};
    } else if (a.name() == "value_floats" && a.type() == ::onnx::AttributeProto::FLOATS) {
        v.data.assign(a.floats().begin(), a.floats().end());
        v.dims = {static_cast<std::int64_t>(v.data.size())};
    } else if (a.name() == "value_int" && a.type() == ::onnx::AttributeProto::INT) {
        v.data = {static_cast<double>(a.i())};
        v.integer = true;
    } else if (a.name() == "value_ints" && a.type() == ::onnx::AttributeProto::INTS) {
        for (std::int64_t x : a.ints()) v.data.push_back(static_cast<double>(x));
        v.dims = {static_cast<std::int64_t>(v.data.size())};
        v.integer = true;
    } else {
        node_fail(i, "has attribute '" + a.name() + "'; nnsense reads value, value_float(s) and value_int(s)");
    }
    for (double x : v.data)
        if (!std::isfinite(x)) node_fail(i, "holds a value that is not a finite number");
    constants_[n.output(0)] = std::move(v);
}

int Reader::only_consumer(const std::string& name) const {
    if (name.empty()) return -1;
    auto it = consumers_.find(name);
    return it != consumers_.end() && it->second.size() == 1 ? it->second[0] : -1;
}

// The GELU that PyTorch 1.13 writes for nn.GELU() (opsets 13 and 17 alike), recognized as one activation:
//   d = Div(x, √2);  e = Erf(d);  a = Add(e, 1);  m = Mul(x, a);  y = Mul(m, 0.5)      (operands in either order)
// Each intermediate has one consumer, and x feeds exactly the Div and the first Mul. Returns false if no match.
bool Reader::gelu(int i) {
    auto constant_is = [&](const ::onnx::NodeProto& n, const std::string& other, double want) {
        for (const auto& in : n.input())
            if (in != other) {
                const Values* c = constant(in);
                return c && c->data.size() == 1 && std::abs(c->data[0] - want) < 1e-6;
            }
        return false;
    };
    auto reads = [](const ::onnx::NodeProto& n, const std::string& name) {
        return n.input_size() == 2 && (n.input(0) == name || n.input(1) == name);
    };
    auto out = [&](int q) -> const std::string& {   // a node's first output, or "" (a node may have none)
        static const std::string none;
        return graph_.node(q).output_size() > 0 ? graph_.node(q).output(0) : none;
    };
    const auto& div = graph_.node(i);
    if (div.input_size() != 2 || div.input(0) != stream_ || !constant_is(div, stream_, std::sqrt(2.0))) return false;
    const int j = only_consumer(out(i));
    if (j < 0 || graph_.node(j).op_type() != "Erf") return false;
    const int k = only_consumer(out(j));
    if (k < 0 || graph_.node(k).op_type() != "Add" || !reads(graph_.node(k), out(j)) ||
        !constant_is(graph_.node(k), out(j), 1.0))
        return false;
    const int l = only_consumer(out(k));
    if (l < 0 || graph_.node(l).op_type() != "Mul" || !reads(graph_.node(l), stream_)) return false;
    const int p = only_consumer(out(l));
    if (p < 0 || graph_.node(p).op_type() != "Mul" || !reads(graph_.node(p), out(l)) ||
        !constant_is(graph_.node(p), out(l), 0.5))
        return false;
    const auto& uses = consumers_.at(stream_);
    if (uses.size() != 2) return false;
    Dense& layer = open_layer(i, "GELU (Div, Erf, Add, Mul, Mul)");
    layer.act = Activation::Gelu;
    stage_ = Stage::Activated;
    for (int q : {j, k, l, p}) done_[static_cast<std::size_t>(q)] = 1;
    stream_ = out(p);
    return true;
}

void Reader::node(int i) {
    const auto& n = graph_.node(i);
    const std::string& op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        node_fail(i, "is from operator domain '" + n.domain() + "', which nnsense does not read (supported: " +
                         supported_ops() + ")");
    if (kConvLike.count(op))
        node_fail(i, "only dense networks are supported (Gemm or MatMul layers): convolution and pooling are not");
    if (!kSupported.count(op))
        node_fail(i, "op type " + op + " is not supported (supported: " + supported_ops() + ")");
    if (op == "Constant") return constant_node(i);
    if (n.output_size() < 1 || n.output(0).empty()) node_fail(i, "has no output");
    if (op == "Identity" && n.input_size() == 1 && constant(n.input(0))) {
        constants_[n.output(0)] = *constant(n.input(0));
        return;
    }
    if (op == "Gemm") gemm(i);
    else if (op == "MatMul") matmul(i);
    else if (op == "Add") add_bias(i);
    else if (op == "BatchNormalization") batch_norm(i);
    else if (op == "Relu") activation(i, Activation::Relu);
    else if (op == "Tanh") activation(i, Activation::Tanh);
    else if (op == "Sigmoid") activation(i, Activation::Sigmoid);
    else if (op == "LeakyRelu") activation(i, Activation::LeakyRelu, float_attribute(n, "alpha", 0.01, src()));
    else if (op == "Softmax") head(i, Head::Softmax);
    else if (op == "LogSoftmax") head(i, Head::LogSoftmax);
    else if (op == "Flatten") flatten(i);
    else if (op == "Reshape") reshape(i);
    else if (op == "Identity") take_stream(i, 0);
    else if (op == "Dropout") dropout(i);
    else if (op == "Div" && gelu(i)) return;      // gelu() moved the data path to the pattern's last Mul
    else
        node_fail(i, "Div, Erf and Mul are read only as the GELU pattern x·½(1 + erf(x/√2)) that PyTorch writes "
                     "for nn.GELU(), and Add only as a bias after MatMul or Gemm");
    stream_ = n.output(0);
}

}  // namespace

const char* supported_ops() {
    return "Gemm, MatMul, Add (a bias), Relu, LeakyRelu, Tanh, Sigmoid, Softmax, LogSoftmax, Flatten, Reshape (to "
           "[N, -1]), Identity, Constant, Dropout, BatchNormalization (after a dense layer), and Div, Erf, Add, Mul as "
           "nn.GELU()'s pattern";
}

DenseStack read_model(const ::onnx::ModelProto& model, const std::string& source) {
    return Reader(model, source).read();
}

DenseStack parse_onnx(const std::string& bytes, const std::string& source) {
    ::onnx::ModelProto model;
    if (!model.ParseFromString(bytes))
        fail(source, "not an ONNX model (the protobuf does not parse: the file is truncated or of another kind)");
    return read_model(model, source);
}

DenseStack read_onnx(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot open the file");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in.good() && !in.eof()) fail(path, "cannot read the file");
    return parse_onnx(bytes.str(), path);
}

}  // namespace nn::onnx
