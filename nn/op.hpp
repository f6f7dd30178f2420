// nn/op.hpp — the closed list of ops: one enum line per op is its registration; OpDef<op> is its definition.
// Names only, no math: each op's definition is nn/ops/<name>.hpp; the tape's table (nn/tape.cpp) is built from them.
#pragma once

#include <cstddef>

namespace nn {

// The closed set of operations. The tape prints as a list of these, one node a line.
// How to add one is the recipe in nn/tape.hpp.
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
    LeakyRelu,            // a > 0 ? a : c·a, c the slope
    Gelu,                 // a·Φ(a), the exact (erf) GELU
    Softmax,              // row-wise
    LogSoftmax,           // row-wise
    SoftmaxCrossEntropy,  // mean over rows of -log softmax(a)[row, label]
    Mse,                  // mean((a - b)²)
    Sum,                  // Σ a
    Mean,                 // Σ a / n
    Count                 // not an op: the number of ops above (new ops go before it)
};

constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::Count);

// The definition of one op: its name, its number of inputs and its four kernels (nn/ops/args.hpp says how they are
// called). Declared, never defined in general: an op in the enum without its specialization does not compile.
template <Op op>
struct OpDef;

template <class T>
struct OpArgs;                // what the kernels receive: nn/ops/args.hpp

const char* op_name(Op op);   // "softmax"; "?" for a value outside the enum

}  // namespace nn
