// nn/tape.cpp — recording ops on the tape, walking it backward (VJP) and forward (JVP): three switches over Op.
// The math of each case is in nn/ops.hpp; this file only routes values, gradients and tangents between nodes.
#include "nn/tape.hpp"

#include "nn/ops.hpp"

#include <ostream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace nn {

const char* op_name(Op op) {
    switch (op) {
        case Op::Leaf: return "leaf";
        case Op::MatMul: return "matmul";
        case Op::AddBias: return "add_bias";
        case Op::Add: return "add";
        case Op::Sub: return "sub";
        case Op::Mul: return "mul";
        case Op::Scale: return "scale";
        case Op::Relu: return "relu";
        case Op::Sigmoid: return "sigmoid";
        case Op::Tanh: return "tanh";
        case Op::Softmax: return "softmax";
        case Op::LogSoftmax: return "log_softmax";
        case Op::SoftmaxCrossEntropy: return "softmax_cross_entropy";
        case Op::Mse: return "mse";
        case Op::Sum: return "sum";
        case Op::Mean: return "mean";
    }
    return "?";
}

namespace {
template <class M>
std::string shape_str(const M& m) {
    return "[" + std::to_string(m.shape(0)) + ", " + std::to_string(m.shape(1)) + "]";
}
}  // namespace

template <class T>
std::size_t Tape<T>::index(Var v) const {
    if (v.id < 0 || static_cast<std::size_t>(v.id) >= used_)
        throw std::out_of_range("tape: variable id " + std::to_string(v.id) + " is not on the tape (size " +
                                std::to_string(used_) + ")");
    return static_cast<std::size_t>(v.id);
}

// Append a node (reusing a spare slot and its buffers when there is one).
template <class T>
Var Tape<T>::record(Op op, int a, int b, bool requires_grad) {
    if (used_ == nodes_.size()) {
        nodes_.emplace_back();
        values_.emplace_back();
        grads_.emplace_back();
        grad_set_.push_back(0);
        saved_.emplace_back();
        labels_.emplace_back();
        tangents_.emplace_back();
        tangent_state_.push_back(0);
    }
    nodes_[used_] = Node{op, a, b, 0.0, requires_grad};
    grad_set_[used_] = 0;                     // the slot's buffer may hold an old node's gradient: not ours
    tangent_state_[used_] = 0;
    return Var{static_cast<int>(used_++)};
}

template <class T>
void Tape<T>::rewind(std::size_t mark) {
    if (mark > used_) throw std::out_of_range("tape: rewind past the end");
    used_ = mark;
}

// ---------------------------------------------------------------- leaves
template <class T>
Var Tape<T>::leaf(Matrix value, bool requires_grad) {
    Var v = record(Op::Leaf, -1, -1, requires_grad);   // `value` is a copy: safe even if it was one of ours
    values_[v.id] = std::move(value);
    return v;
}

template <class T>
Var Tape<T>::leaf(std::size_t rows, std::size_t cols, bool requires_grad) {
    Var v = record(Op::Leaf, -1, -1, requires_grad);
    reshape_to(values_[v.id], rows, cols);
    return v;
}

// ---------------------------------------------------------------- ops: check shapes, record, compute
namespace {
template <class M>
void require(bool ok, const char* op, const M& a, const M* b, const char* what) {
    if (ok) return;
    std::ostringstream msg;
    msg << op << ": " << what << " (got " << shape_str(a);
    if (b) msg << " and " << shape_str(*b);
    msg << ")";
    throw std::invalid_argument(msg.str());
}
template <class M>
void require(bool ok, const char* op, const M& a, const char* what) {
    require(ok, op, a, static_cast<const M*>(nullptr), what);
}
}  // namespace

template <class T>
Var Tape<T>::record_unary(Op op, Var a) {
    const std::size_t ia = index(a);
    Var y = record(op, a.id, -1, nodes_[ia].requires_grad);
    forward(static_cast<std::size_t>(y.id));
    return y;
}

template <class T>
Var Tape<T>::record_binary(Op op, Var a, Var b) {
    const std::size_t ia = index(a), ib = index(b);
    Var y = record(op, a.id, b.id, nodes_[ia].requires_grad || nodes_[ib].requires_grad);
    forward(static_cast<std::size_t>(y.id));
    return y;
}

// Elementwise ops of two inputs need equal shapes.
template <class T>
Var Tape<T>::add(Var a, Var b) {
    require(value(a).shape() == value(b).shape(), "add", value(a), &value(b), "shapes differ");
    return record_binary(Op::Add, a, b);
}

template <class T>
Var Tape<T>::sub(Var a, Var b) {
    require(value(a).shape() == value(b).shape(), "sub", value(a), &value(b), "shapes differ");
    return record_binary(Op::Sub, a, b);
}

template <class T>
Var Tape<T>::mul(Var a, Var b) {
    require(value(a).shape() == value(b).shape(), "mul", value(a), &value(b), "shapes differ");
    return record_binary(Op::Mul, a, b);
}

template <class T>
Var Tape<T>::mse(Var a, Var b) {
    require(value(a).shape() == value(b).shape(), "mse", value(a), &value(b), "shapes differ");
    return record_binary(Op::Mse, a, b);
}

template <class T>
Var Tape<T>::matmul(Var a, Var b) {
    require(value(a).shape(1) == value(b).shape(0), "matmul", value(a), &value(b), "inner sizes differ");
    return record_binary(Op::MatMul, a, b);
}

template <class T>
Var Tape<T>::add_bias(Var a, Var bias) {
    const Matrix& A = value(a);
    const Matrix& B = value(bias);
    require(B.shape(0) == 1 && B.shape(1) == A.shape(1), "add_bias", A, &B, "bias must be [1, N] for a [B, N] input");
    return record_binary(Op::AddBias, a, bias);
}

template <class T>
Var Tape<T>::scale(Var a, T c) {
    const std::size_t ia = index(a);
    Var y = record(Op::Scale, a.id, -1, nodes_[ia].requires_grad);
    nodes_[y.id].c = static_cast<double>(c);
    forward(static_cast<std::size_t>(y.id));
    return y;
}

// Ops of one input accept any shape.
template <class T>
Var Tape<T>::relu(Var a) { return record_unary(Op::Relu, a); }
template <class T>
Var Tape<T>::sigmoid(Var a) { return record_unary(Op::Sigmoid, a); }
template <class T>
Var Tape<T>::tanh(Var a) { return record_unary(Op::Tanh, a); }
template <class T>
Var Tape<T>::softmax(Var a) { return record_unary(Op::Softmax, a); }
template <class T>
Var Tape<T>::log_softmax(Var a) { return record_unary(Op::LogSoftmax, a); }
template <class T>
Var Tape<T>::sum(Var a) { return record_unary(Op::Sum, a); }
template <class T>
Var Tape<T>::mean(Var a) { return record_unary(Op::Mean, a); }

template <class T>
Var Tape<T>::softmax_cross_entropy(Var logits, const std::vector<int>& labels) {
    const Matrix& A = value(logits);
    require(labels.size() == A.shape(0), "softmax_cross_entropy", A, "need one label per row");
    for (int k : labels)
        if (k < 0 || static_cast<std::size_t>(k) >= A.shape(1))
            throw std::invalid_argument("softmax_cross_entropy: label " + std::to_string(k) +
                                        " is outside [0, " + std::to_string(A.shape(1)) + ")");
    Var y = record(Op::SoftmaxCrossEntropy, logits.id, -1, nodes_[logits.id].requires_grad);
    labels_[y.id].assign(labels.begin(), labels.end());
    forward(static_cast<std::size_t>(y.id));
    return y;
}

// ---------------------------------------------------------------- forward: one switch
template <class T>
void Tape<T>::forward(std::size_t i) {
    const Node& n = nodes_[i];
    Matrix& y = values_[i];
    switch (n.op) {
        case Op::Leaf: break;
        case Op::MatMul: matmul_forward(values_[n.a], values_[n.b], y); break;
        case Op::AddBias: add_bias_forward(values_[n.a], values_[n.b], y); break;
        case Op::Add: add_forward(values_[n.a], values_[n.b], y); break;
        case Op::Sub: sub_forward(values_[n.a], values_[n.b], y); break;
        case Op::Mul: mul_forward(values_[n.a], values_[n.b], y); break;
        case Op::Scale: scale_forward(values_[n.a], static_cast<T>(n.c), y); break;
        case Op::Relu: relu_forward(values_[n.a], y); break;
        case Op::Sigmoid: sigmoid_forward(values_[n.a], y); break;
        case Op::Tanh: tanh_forward(values_[n.a], y); break;
        case Op::Softmax: softmax_forward(values_[n.a], y); break;
        case Op::LogSoftmax: log_softmax_forward(values_[n.a], y); break;
        case Op::SoftmaxCrossEntropy:
            softmax_cross_entropy_forward(values_[n.a], labels_[i], saved_[i], y);
            break;
        case Op::Mse: mse_forward(values_[n.a], values_[n.b], y); break;
        case Op::Sum: sum_forward(values_[n.a], y); break;
        case Op::Mean: mean_forward(values_[n.a], y); break;
    }
}

// ---------------------------------------------------------------- backward: one switch
template <class T>
typename Tape<T>::Matrix* Tape<T>::grad_for(int id) {
    if (id < 0 || !nodes_[id].requires_grad) return nullptr;
    return &grads_[id];
}

template <class T>
void Tape<T>::backward_node(std::size_t i) {
    const Node& n = nodes_[i];
    const Matrix& dy = grads_[i];
    const Matrix& y = values_[i];
    Matrix* da = grad_for(n.a);
    Matrix* db = grad_for(n.b);
    switch (n.op) {
        case Op::Leaf: break;
        case Op::MatMul: matmul_backward(values_[n.a], values_[n.b], dy, da, db); break;
        case Op::AddBias: add_bias_backward(dy, da, db); break;
        case Op::Add: add_backward(dy, da, db); break;
        case Op::Sub: sub_backward(dy, da, db); break;
        case Op::Mul: mul_backward(values_[n.a], values_[n.b], dy, da, db); break;
        case Op::Scale: scale_backward(static_cast<T>(n.c), dy, da); break;
        case Op::Relu: relu_backward(y, dy, da); break;
        case Op::Sigmoid: sigmoid_backward(y, dy, da); break;
        case Op::Tanh: tanh_backward(y, dy, da); break;
        case Op::Softmax: softmax_backward(y, dy, da); break;
        case Op::LogSoftmax: log_softmax_backward(y, dy, da); break;
        case Op::SoftmaxCrossEntropy: softmax_cross_entropy_backward(saved_[i], labels_[i], dy, da); break;
        case Op::Mse: mse_backward(values_[n.a], values_[n.b], dy, da, db); break;
        case Op::Sum: sum_backward(dy, da); break;
        case Op::Mean: mean_backward(values_[n.a], dy, da); break;
    }
}

// ---------------------------------------------------------------- forward mode: one switch
template <class T>
const typename Tape<T>::Matrix* Tape<T>::tangent_for(int id) const {
    if (id < 0 || tangent_state_[id] == 0) return nullptr;
    return &tangents_[id];
}

template <class T>
void Tape<T>::tangent_node(std::size_t i) {
    const Node& n = nodes_[i];
    const Matrix* ta = tangent_for(n.a);
    const Matrix* tb = tangent_for(n.b);
    tangent_state_[i] = (ta || tb) ? 2 : 0;
    if (!ta && !tb) return;                   // depends on no seeded leaf: tangent 0, nothing computed
    const std::size_t K = directions_;
    const Matrix& y = values_[i];
    Matrix& ty = tangents_[i];
    switch (n.op) {
        case Op::Leaf: break;
        case Op::MatMul: matmul_tangent(values_[n.a], values_[n.b], ta, tb, K, ty); break;
        case Op::AddBias: add_bias_tangent(values_[n.a], ta, tb, K, ty); break;
        case Op::Add: add_tangent(values_[n.a], ta, tb, K, ty); break;
        case Op::Sub: sub_tangent(values_[n.a], ta, tb, K, ty); break;
        case Op::Mul: mul_tangent(values_[n.a], values_[n.b], ta, tb, K, ty); break;
        case Op::Scale: scale_tangent(static_cast<T>(n.c), *ta, ty); break;
        case Op::Relu: relu_tangent(y, *ta, K, ty); break;
        case Op::Sigmoid: sigmoid_tangent(y, *ta, K, ty); break;
        case Op::Tanh: tanh_tangent(y, *ta, K, ty); break;
        case Op::Softmax: softmax_tangent(y, *ta, K, ty); break;
        case Op::LogSoftmax: log_softmax_tangent(y, *ta, K, ty); break;
        case Op::SoftmaxCrossEntropy: softmax_cross_entropy_tangent(saved_[i], labels_[i], *ta, K, ty); break;
        case Op::Mse: mse_tangent(values_[n.a], values_[n.b], ta, tb, K, ty); break;
        case Op::Sum: sum_tangent(values_[n.a], *ta, K, ty); break;
        case Op::Mean: mean_tangent(values_[n.a], *ta, K, ty); break;
    }
}

template <class T>
typename Tape<T>::Matrix& Tape<T>::seed_tangent(Var leaf, std::size_t directions) {
    const std::size_t i = index(leaf);
    if (nodes_[i].op != Op::Leaf)
        throw std::logic_error("tape: seed_tangent on node " + std::to_string(i) + " (" + op_name(nodes_[i].op) +
                               "), which is not a leaf");
    if (directions == 0) throw std::invalid_argument("tape: seed_tangent needs at least 1 direction");
    if (directions_ != 0 && directions != directions_)
        throw std::invalid_argument("tape: seed_tangent with " + std::to_string(directions) +
                                    " directions, but the seeds so far have " + std::to_string(directions_) +
                                    " (call clear_tangents() first)");
    directions_ = directions;
    Matrix& t = tangents_[i];
    reshape_to(t, directions * values_[i].shape(0), values_[i].shape(1));   // [K·R, N]
    t.fill(T(0));
    tangent_state_[i] = 1;
    return t;
}

template <class T>
void Tape<T>::forward_tangents(Var output) {
    const std::size_t out = index(output);
    if (directions_ == 0) throw std::logic_error("tape: forward_tangents without a seed (call seed_tangent first)");
    for (std::size_t i = 0; i <= out; ++i)
        if (nodes_[i].op != Op::Leaf) tangent_node(i);
}

template <class T>
bool Tape<T>::has_tangent(Var v) const {
    return tangent_state_[index(v)] != 0;
}

template <class T>
const typename Tape<T>::Matrix& Tape<T>::tangent(Var v) const {
    const std::size_t i = index(v);
    if (tangent_state_[i] == 0)
        throw std::logic_error("tape: node " + std::to_string(i) + " (" + op_name(nodes_[i].op) +
                               ") has no tangent: it depends on no seeded leaf, or forward_tangents was not called");
    return tangents_[i];
}

template <class T>
void Tape<T>::clear_tangents() {
    std::fill(tangent_state_.begin(), tangent_state_.end(), char(0));
    directions_ = 0;
}

template <class T>
void Tape<T>::backward(Var output, const Matrix& seed) {
    const std::size_t out = index(output);
    require(seed.shape() == values_[out].shape(), "backward", seed, &values_[out],
            "seed must have the output's shape");
    // Gradients of intermediate nodes start from zero on every walk; leaves keep accumulating.
    for (std::size_t i = 0; i <= out; ++i) {
        if (!nodes_[i].requires_grad) continue;
        Matrix& g = grads_[i];
        if (g.shape() != values_[i].shape() || !grad_set_[i]) {   // a new node, perhaps in a reused slot
            g.resize(values_[i].shape());
            g.fill(T(0));
        } else if (nodes_[i].op != Op::Leaf) {
            g.fill(T(0));
        }
        grad_set_[i] = 1;
    }
    if (!nodes_[out].requires_grad) return;  // nothing upstream needs a gradient
    xt::noalias(grads_[out]) += seed;
    for (std::size_t i = out + 1; i-- > 0;)
        if (nodes_[i].op != Op::Leaf && nodes_[i].requires_grad) backward_node(i);
}

template <class T>
void Tape<T>::backward(Var output) {
    const std::size_t out = index(output);
    require(values_[out].size() == 1, "backward", values_[out],
            "without a seed the output must be a scalar [1, 1]");
    Matrix one = xt::ones<T>({std::size_t(1), std::size_t(1)});
    backward(output, one);
}

template <class T>
void Tape<T>::zero_grad() {
    for (std::size_t i = 0; i < used_; ++i) {
        if (!nodes_[i].requires_grad) continue;
        reshape_to(grads_[i], values_[i].shape(0), values_[i].shape(1));
        grads_[i].fill(T(0));
        grad_set_[i] = 1;
    }
}

template <class T>
void Tape<T>::zero_grad(Var v) {
    const std::size_t i = index(v);
    if (!nodes_[i].requires_grad) return;
    reshape_to(grads_[i], values_[i].shape(0), values_[i].shape(1));
    grads_[i].fill(T(0));
    grad_set_[i] = 1;
}

template <class T>
void Tape<T>::set_requires_grad(Var leaf, bool requires_grad) {
    const std::size_t i = index(leaf);
    if (nodes_[i].op != Op::Leaf)
        throw std::logic_error("tape: set_requires_grad on node " + std::to_string(i) + " (" +
                               op_name(nodes_[i].op) + "), which is not a leaf");
    nodes_[i].requires_grad = requires_grad;
}

template <class T>
const typename Tape<T>::Matrix& Tape<T>::grad(Var v) const {
    const std::size_t i = index(v);
    if (!nodes_[i].requires_grad)
        throw std::logic_error("tape: node " + std::to_string(i) + " (" + op_name(nodes_[i].op) +
                               ") was recorded with requires_grad = false");
    if (!grad_set_[i] || grads_[i].shape() != values_[i].shape())
        throw std::logic_error("tape: node " + std::to_string(i) + " has no gradient yet: call backward first");
    return grads_[i];
}

// ---------------------------------------------------------------- freezing for a scope
template <class T>
FrozenLeaves<T>::FrozenLeaves(Tape<T>& tape, std::vector<Var> leaves) : tape_(tape), leaves_(std::move(leaves)) {
    for (Var v : leaves_) {
        was_.push_back(tape_.node(v).requires_grad);
        tape_.set_requires_grad(v, false);
    }
}

template <class T>
FrozenLeaves<T>::~FrozenLeaves() {
    for (std::size_t k = leaves_.size(); k-- > 0;)              // reverse order: a leaf listed twice ends as it began
        if (static_cast<std::size_t>(leaves_[k].id) < tape_.size()) tape_.set_requires_grad(leaves_[k], was_[k]);
}

// ---------------------------------------------------------------- printing
template <class T>
std::ostream& operator<<(std::ostream& os, const Tape<T>& tape) {
    for (std::size_t i = 0; i < tape.size(); ++i) {
        const Var v{static_cast<int>(i)};
        const Node& n = tape.node(v);
        std::ostringstream line;
        line << "%" << i << " = " << op_name(n.op);
        if (n.a >= 0) line << "(%" << n.a;
        if (n.b >= 0) line << ", %" << n.b;
        if (n.op == Op::Scale) line << ", " << n.c;
        if (n.a >= 0) line << ")";
        std::string s = line.str();
        if (s.size() < 32) s.append(32 - s.size(), ' ');
        os << s << shape_str(tape.value(v)) << (n.requires_grad ? "  grad" : "") << '\n';
    }
    return os;
}

template class Tape<float>;
template class Tape<double>;
template class FrozenLeaves<float>;
template class FrozenLeaves<double>;
template std::ostream& operator<<(std::ostream&, const Tape<float>&);
template std::ostream& operator<<(std::ostream&, const Tape<double>&);

}  // namespace nn
