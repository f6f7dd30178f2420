// nn/op.hpp — the closed set of ops, enum class Op, read from the list of ops (nn/ops.hpp); OpDef<op> declared here.
// Names only, no math: each op's definition is nn/ops/<name>.hpp; the tape's table (nn/tape.cpp) is built from them.
#pragma once

#include <cstddef>

namespace nn {

// The closed set of operations. The tape prints as a list of these, one node a line.
// An op is registered by ONE line, its #include in the list nn/ops.hpp, and that list is read twice:
//   - here, inside the enum, with NN_OP_ENUMERATOR defined: each op file then yields only its first line after the
//     header comment, its enumerator (`Relu,` in nn/ops/relu.hpp), so the enum lists the ops in the list's order;
//   - by whoever includes nn/ops.hpp (the tape, nn/tape.cpp), without it: each op file yields its definition.
// The order is the list's; new ops go at its end, so the numbers of the ops already there do not change.
// How to add one is the recipe in nn/tape.hpp.
enum class Op {
#define NN_OP_ENUMERATOR
#include "nn/ops.hpp"
#undef NN_OP_ENUMERATOR
    Count                 // not an op: the number of ops above
};

constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::Count);

// The definition of one op: its name, its number of inputs and its four kernels (nn/ops/args.hpp says how they are
// called). Declared, never defined in general: a listed op whose file lacks its specialization does not compile.
template <Op op>
struct OpDef;

template <class T>
struct OpArgs;                // what the kernels receive: nn/ops/args.hpp

const char* op_name(Op op);   // "softmax"; "?" for a value outside the enum

}  // namespace nn
