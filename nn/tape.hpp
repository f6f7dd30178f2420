// nn/tape.hpp — the tape: every op records a node; backward(output, seed) walks the nodes in reverse.
// The tape owns values and gradients (separate buffers); the math of each op lives in nn/ops.hpp.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "nn/ops.hpp"

namespace nn {

// The closed set of operations. The tape prints as a list of these, one node a line.
enum class Op {
    Leaf,                 // an input or a parameter: no inputs, no backward
    MatMul,               // a·b
    AddBias,              // a + b, b one row broadcast over the batch
    Add,                  // a + b
    Sub,                  // a - b
    Mul,                  // a * b, elementwise
    Scale,                // c * a, c a constant
    Relu,
    Sigmoid,
    Tanh,
    Softmax,              // row-wise
    LogSoftmax,           // row-wise
    SoftmaxCrossEntropy,  // mean over rows of -log softmax(a)[row, label]
    Mse,                  // mean((a - b)²)
    Sum,                  // Σ a
    Mean,                 // Σ a / n
};

const char* op_name(Op op);

// A variable is an integer id into the tape. The struct only keeps ids from mixing with plain ints.
struct Var {
    int id = -1;
};

// One record on the tape: which op, which inputs, and what the backward pass will need.
struct Node {
    Op op = Op::Leaf;
    int a = -1, b = -1;        // input ids (-1: unused)
    double c = 0;              // the constant of Scale
    bool requires_grad = false;
};

template <class T>
class Tape {
public:
    using Matrix = Tensor<T>;

    // ---- leaves
    // A leaf holding `value`. Parameters and inputs whose gradient we want pass requires_grad = true.
    Var leaf(Matrix value, bool requires_grad = true);
    // A leaf of the given shape whose value the caller fills in place through value(v): no copy.
    Var leaf(std::size_t rows, std::size_t cols, bool requires_grad = true);

    // ---- ops (each records one node and computes its value right away)
    Var matmul(Var a, Var b);                 // [B, K]·[K, N] -> [B, N]
    Var add_bias(Var a, Var bias);            // [B, N] + [1, N] -> [B, N]
    Var add(Var a, Var b);                    // same shapes
    Var sub(Var a, Var b);
    Var mul(Var a, Var b);
    Var scale(Var a, T c);
    Var relu(Var a);
    Var sigmoid(Var a);
    Var tanh(Var a);
    Var softmax(Var a);                       // row-wise
    Var log_softmax(Var a);                   // row-wise
    Var softmax_cross_entropy(Var logits, const std::vector<int>& labels);  // -> [1, 1]
    Var mse(Var a, Var b);                    // -> [1, 1]
    Var sum(Var a);                           // -> [1, 1]
    Var mean(Var a);                          // -> [1, 1]

    // ---- reverse mode
    // Adds seed·∂output/∂v to grad(v) of every leaf v that requires a gradient. Intermediate
    // gradients are recomputed from zero on each call; leaf gradients accumulate until zero_grad().
    // Nothing is freed: the same tape can be walked again with another seed.
    void backward(Var output, const Matrix& seed);
    void backward(Var output);                // output must be [1, 1]; seed 1
    void zero_grad();                         // every gradient on the tape back to 0
    void zero_grad(Var v);                    // one node's gradient back to 0
    // Switch a leaf's gradient on or off (e.g. freeze the weights while taking ∂p/∂x).
    // Applies to nodes recorded afterwards: rewind past the leaf's users first.
    void set_requires_grad(Var leaf, bool requires_grad);

    // ---- access
    const Matrix& value(Var v) const { return values_.at(index(v)); }
    Matrix& value(Var v) { return values_.at(index(v)); }
    const Matrix& grad(Var v) const;
    const Node& node(Var v) const { return nodes_.at(index(v)); }
    std::size_t size() const { return used_; }

    // ---- reuse between training steps
    // mark() remembers the current length; rewind(m) forgets every node recorded after it but keeps
    // their buffers, so the next step's nodes reuse the memory instead of allocating again.
    std::size_t mark() const { return used_; }
    void rewind(std::size_t mark);
    void clear() { rewind(0); }

private:
    std::size_t index(Var v) const;
    Var record(Op op, int a, int b, bool requires_grad);
    void forward(std::size_t i);              // compute values_[i] from its inputs
    void backward_node(std::size_t i);        // push grads_[i] to the node's inputs
    Matrix* grad_for(int id);                 // grads_[id] if it needs a gradient, else nullptr

    std::vector<Node> nodes_;
    std::vector<Matrix> values_;              // values_[i]: the value of node i
    std::vector<Matrix> grads_;               // grads_[i]: ∂(seeded output)/∂ node i
    std::vector<Matrix> saved_;               // saved_[i]: what node i keeps for backward (softmax of CE)
    std::vector<std::vector<int>> labels_;    // labels_[i]: the labels of a cross-entropy node
    std::size_t used_ = 0;                    // nodes_[0, used_) are live; the rest are spare buffers
};

// One line per node: id, op, shape, input ids.
template <class T>
std::ostream& operator<<(std::ostream& os, const Tape<T>& tape);

extern template class Tape<float>;
extern template class Tape<double>;

}  // namespace nn
