// nn/tape.cpp — recording ops on the tape, walking it backward (VJP) and forward (JVP) through one table of ops.
// The math of each op is its definition in nn/ops/; this file only routes values, gradients and tangents between nodes.
#include "nn/tape.hpp"

#include "nn/ops.hpp"

#include <array>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace nn {

// ---------------------------------------------------------------- the table: one row per op
// Row i holds the name and the kernels of OpDef<Op(i)>, taken from its definition in nn/ops/. Built at compile time
// over the whole enum, so an op without a definition does not compile. The tape calls every kernel through it.
namespace {
template <class T>
struct OpRow {
    const char* name;
    int arity;                                // inputs: 0 (leaf), 1 or 2
    void (*check)(const OpArgs<T>& in);
    void (*value)(const OpArgs<T>& in, Tensor<T>& y);
    void (*reverse)(const OpArgs<T>& in, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db);
    void (*forward)(const OpArgs<T>& in, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>* tb, std::size_t K,
                    Tensor<T>& ty);
};

template <class T, Op op>
constexpr OpRow<T> row() {
    using D = OpDef<op>;
    return {D::name, D::arity, &D::template check<T>, &D::template value<T>, &D::template reverse<T>,
            &D::template forward<T>};
}

template <class T, std::size_t... I>
constexpr std::array<OpRow<T>, sizeof...(I)> make_table(std::index_sequence<I...>) {
    return {row<T, static_cast<Op>(I)>()...};
}

template <class T>
constexpr std::array<OpRow<T>, kOpCount> kOps = make_table<T>(std::make_index_sequence<kOpCount>{});

template <class T>
const OpRow<T>& op_row(Op op) {
    return kOps<T>[static_cast<std::size_t>(op)];
}

using detail::require;
using detail::shape_str;
}  // namespace

const char* op_name(Op op) {
    const auto i = static_cast<std::size_t>(op);
    return i < kOpCount ? kOps<double>[i].name : "?";
}

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
template <class T>
const Tensor<T>& no_input() {                 // the `b` of an op of one input
    static const Tensor<T> none;
    return none;
}
const std::vector<int> no_labels;
}  // namespace

template <class T>
Var Tape<T>::apply(Op op, Var a, Var b, T c) {
    return record_op(op, a, b, c, no_labels);
}

template <class T>
Var Tape<T>::softmax_cross_entropy(Var logits, const std::vector<int>& labels) {
    return record_op(Op::SoftmaxCrossEntropy, logits, {}, T(0), labels);
}

template <class T>
Var Tape<T>::record_op(Op op, Var a, Var b, T c, const std::vector<int>& labels) {
    if (static_cast<std::size_t>(op) >= kOpCount)
        throw std::invalid_argument("tape: op " + std::to_string(static_cast<int>(op)) + " is not in enum class Op");
    const OpRow<T>& k = op_row<T>(op);
    if (k.arity == 0)
        throw std::invalid_argument(std::string("tape: ") + k.name + " is recorded with leaf(), not apply()");
    if ((b.id >= 0) != (k.arity == 2))
        throw std::invalid_argument(std::string(k.name) + ": takes " + std::to_string(k.arity) +
                                    (k.arity == 1 ? " input" : " inputs"));
    const std::size_t ia = index(a);
    const std::size_t ib = b.id >= 0 ? index(b) : ia;
    Matrix unused;                            // check() reads no saved buffer
    k.check(OpArgs<T>{values_[ia], b.id >= 0 ? values_[ib] : no_input<T>(), c, labels, unused});
    Var y = record(op, a.id, b.id, nodes_[ia].requires_grad || nodes_[ib].requires_grad);
    nodes_[y.id].c = static_cast<double>(c);
    labels_[y.id].assign(labels.begin(), labels.end());
    forward(static_cast<std::size_t>(y.id));
    return y;
}

// ---------------------------------------------------------------- forward, backward, tangent: one table row each
template <class T>
OpArgs<T> Tape<T>::args(std::size_t i) {
    const Node& n = nodes_[i];
    return {values_[n.a], n.b >= 0 ? values_[n.b] : no_input<T>(), static_cast<T>(n.c), labels_[i], saved_[i]};
}

template <class T>
void Tape<T>::forward(std::size_t i) {
    op_row<T>(nodes_[i].op).value(args(i), values_[i]);
}

template <class T>
typename Tape<T>::Matrix* Tape<T>::grad_for(int id) {
    if (id < 0 || !nodes_[id].requires_grad) return nullptr;
    return &grads_[id];
}

template <class T>
void Tape<T>::backward_node(std::size_t i) {
    const Node& n = nodes_[i];
    op_row<T>(n.op).reverse(args(i), values_[i], grads_[i], grad_for(n.a), grad_for(n.b));
}

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
    op_row<T>(n.op).forward(args(i), values_[i], ta, tb, directions_, tangents_[i]);
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
void Tape<T>::rule_node(std::size_t i, const Rule<T>& rule, std::size_t shift) {
    const Node& n = nodes_[i];
    const Matrix* ref_a = nullptr;
    const Matrix* ref_y = nullptr;
    if (shift > 0) {
        const auto fail = [&](const std::string& what) {
            throw std::logic_error(std::string("backward: rule ") + rule.name + " at node " + std::to_string(i) +
                                   " (" + op_name(n.op) + ") " + what);
        };
        if (shift > i) fail("has no reference node (shift " + std::to_string(shift) + ")");
        const std::size_t j = i - shift;
        const Node& r = nodes_[j];
        if (r.op != n.op)
            fail("has reference node " + std::to_string(j) + " (" + op_name(r.op) + "), not the same op");
        if (values_[j].shape() != values_[i].shape() || values_[r.a].shape() != values_[n.a].shape())
            fail("has reference node " + std::to_string(j) + " of another shape");
        ref_a = &values_[r.a];
        ref_y = &values_[j];
    } else if (rule.needs_reference) {
        throw std::logic_error(std::string("backward: rule ") + rule.name + " at node " + std::to_string(i) + " (" +
                               op_name(n.op) + ") needs a reference pass (RuleSet::with_reference)");
    }
    const OpArgs<T> in = args(i);
    rule.reverse(RuleArgs<T>{in, values_[i], ref_a, ref_y, rule.param}, grads_[i], grad_for(n.a), grad_for(n.b));
}

template <class T>
void Tape<T>::backward(Var output, const Matrix& seed) {
    walk(output, seed, nullptr);
}

template <class T>
void Tape<T>::backward(Var output, const Matrix& seed, const RuleSet<T>& rules) {
    walk(output, seed, &rules);
}

template <class T>
void Tape<T>::walk(Var output, const Matrix& seed, const RuleSet<T>* rules) {
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
    if (rules) {                              // an explanation's walk: the loop below, through the rules
        if (!nodes_[out].requires_grad) return;
        xt::noalias(grads_[out]) += seed;
        for (std::size_t i = out + 1; i-- > 0;) {
            if (nodes_[i].op == Op::Leaf || !nodes_[i].requires_grad) continue;
            const Rule<T>* rule = rules->find(nodes_[i].op);
            if (rule) rule_node(i, *rule, rules->reference_shift());
            else backward_node(i);
        }
        return;
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
        if (n.op == Op::Scale || n.op == Op::LeakyRelu) line << ", " << n.c;
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
