// docs/snippets/scalar_tape.hpp — chapter 3: a complete reverse-mode autodiff on scalars, small enough to read at once.
// Values, parents, local derivatives, a reverse walk that accumulates. nn::Tape (chapter 6) is this with matrices.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace scalar {

// One record: up to two parents, and the local derivative of this node with respect to each of them.
struct Node {
    int parent[2] = {-1, -1};  // ids of the inputs; -1 = none
    double local[2] = {0, 0};  // ∂node/∂parent[k], computed during the forward pass
};

struct Tape {
    std::vector<Node> nodes;
    std::vector<double> value;    // value[i]: the forward value of node i
    std::vector<double> adjoint;  // adjoint[i]: ∂output/∂(node i), filled by backward(output)

    // Records a node and returns its id. Parents are recorded first, so ids are already in topological order.
    int push(double v, int p0 = -1, double d0 = 0, int p1 = -1, double d1 = 0) {
        nodes.push_back({{p0, p1}, {d0, d1}});
        value.push_back(v);
        adjoint.push_back(0);
        return static_cast<int>(nodes.size()) - 1;
    }

    // Reverse mode: the seed ∂output/∂output = 1, then one walk from the last node to the first.
    // Each node hands adjoint × local derivative to its parents with +=, so a value used twice gets both.
    void backward(int output) {
        std::fill(adjoint.begin(), adjoint.end(), 0.0);
        adjoint[output] = 1;
        for (int i = output; i >= 0; --i)
            for (int k = 0; k < 2; ++k)
                if (nodes[i].parent[k] >= 0) adjoint[nodes[i].parent[k]] += adjoint[i] * nodes[i].local[k];
    }
};

// A handle on a node, so that formulas read like math: (x * y + tanh(x)) * y.
struct Var {
    Tape* tape;
    int id;
    double value() const { return tape->value[id]; }
    double grad() const { return tape->adjoint[id]; }
};

inline Var leaf(Tape& t, double v) { return {&t, t.push(v)}; }

// Every op: its value and its local derivatives, side by side.
inline Var operator+(Var a, Var b) {  // ∂/∂a = 1, ∂/∂b = 1
    return {a.tape, a.tape->push(a.value() + b.value(), a.id, 1.0, b.id, 1.0)};
}
inline Var operator-(Var a, Var b) {  // ∂/∂a = 1, ∂/∂b = −1
    return {a.tape, a.tape->push(a.value() - b.value(), a.id, 1.0, b.id, -1.0)};
}
inline Var operator*(Var a, Var b) {  // ∂/∂a = b, ∂/∂b = a
    return {a.tape, a.tape->push(a.value() * b.value(), a.id, b.value(), b.id, a.value())};
}
inline Var tanh(Var a) {              // ∂/∂a = 1 − tanh² a
    const double t = std::tanh(a.value());
    return {a.tape, a.tape->push(t, a.id, 1 - t * t)};
}

}  // namespace scalar
