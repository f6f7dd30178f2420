// nn/dot.hpp — a recorded tape as a Graphviz DOT graph: one box per node with its op, shape, value and gradient.
// For pictures in the tutorial (render with `dot -Tpng`); reads the tape only through its public accessors.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "nn/tape.hpp"

namespace nn {

struct DotOptions {
    std::vector<std::pair<Var, std::string>> names;  // e.g. {x, "x"}: shown above the op
    bool show_grad = true;         // call only after backward: grad(v) of every node that requires one is drawn
    std::size_t max_elements = 6;  // a value with more elements is drawn as its shape and its min..max
    std::string title;             // a caption under the graph; empty = none
    bool left_to_right = true;     // false: inputs at the top, the output at the bottom
};

namespace dot_detail {

inline std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// A matrix as text for a DOT label: "2.924" for [1, 1], "[1, -2; 0.5, 3]" when small, else "min..max".
template <class T>
std::string matrix(const Tensor<T>& m, std::size_t max_elements) {
    if (m.size() == 1) return number(m(0, 0));
    std::string s;
    if (m.size() <= max_elements) {
        for (std::size_t r = 0; r < m.shape(0); ++r)
            for (std::size_t c = 0; c < m.shape(1); ++c)
                s += (c ? ", " : (r ? "; " : "[")) + number(m(r, c));
        return s + "]";
    }
    double lo = m.data()[0], hi = lo;
    for (const T& v : m) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
    return number(lo) + " .. " + number(hi);
}

// Quotes and backslashes escaped; line breaks become DOT's centred "\n".
inline std::string escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        if (ch == '\n') out += "\\n";
        else out += ch;
    }
    return out;
}

}  // namespace dot_detail

// Writes `digraph tape { ... }`: leaves as boxes, ops as rounded boxes, edges from each input to its user.
// Every node shows "%id op [rows, cols]", "value ..." and, if options.show_grad and it requires a gradient,
// "grad ..." (the adjoint left by the last backward walk). Throws std::logic_error (from Tape::grad) when
// show_grad is set and backward has not run.
template <class T>
void write_dot(std::ostream& os, const Tape<T>& tape, const DotOptions& options = {}) {
    os << "digraph tape {\n  rankdir=" << (options.left_to_right ? "LR" : "TB") << ";\n"
       << "  graph [fontname=\"DejaVu Sans\", fontsize=11];\n  node [fontname=\"DejaVu Sans\", fontsize=11];\n";
    if (!options.title.empty()) os << "  label=\"" << dot_detail::escape(options.title) << "\";\n";
    for (std::size_t i = 0; i < tape.size(); ++i) {
        const Var v{static_cast<int>(i)};
        const Node& n = tape.node(v);
        const Tensor<T>& value = tape.value(v);
        std::string label;
        for (const auto& [var, name] : options.names)
            if (var.id == v.id) label += name + "\n";
        label += "%" + std::to_string(i) + " " + op_name(n.op) + " [" + std::to_string(value.shape(0)) + ", " +
                 std::to_string(value.shape(1)) + "]\nvalue " + dot_detail::matrix(value, options.max_elements);
        if (options.show_grad && n.requires_grad)
            label += "\ngrad " + dot_detail::matrix(tape.grad(v), options.max_elements);
        os << "  n" << i << " [shape=box" << (n.op == Op::Leaf ? "" : ", style=rounded") << ", label=\""
           << dot_detail::escape(label) << "\"];\n";
        for (int input : {n.a, n.b})
            if (input >= 0) os << "  n" << input << " -> n" << i << ";\n";
    }
    os << "}\n";
}

}  // namespace nn
