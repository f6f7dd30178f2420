// nn/ops/args.hpp — what every op's kernels receive (OpArgs), and the helpers they share (shape checks, per_block).
// The form every definition in nn/ops/ follows; no op lives here.
#pragma once

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/op.hpp"
#include "nn/tensor.hpp"

namespace nn {

// One node as its kernels see it. Every op definition OpDef<Op::X> has, beside `name` and `arity` (1 or 2 inputs):
//   check(in)                            throws std::invalid_argument if the inputs' shapes do not fit
//   value(in, y)                         y = the op's value
//   reverse(in, y, dy, da, db)           the VJP: da += ∂y/∂a ᵀ dy, db likewise; nullptr: that input needs no gradient
//   forward(in, y, ta, tb, K, ty)        the JVP: ty = ∂y/∂a · ta + ∂y/∂b · tb for K stacked directions
// Reverse kernels always accumulate (+=), so a variable used twice gets the sum of both contributions.
// Forward kernels push K directions at once. A tangent is stacked: for a value [R, N] it is [K·R, N], rows
// [k·R, (k+1)·R) being the derivative of the value along direction k. They take `ta`, `tb` as pointers (nullptr:
// that input does not depend on the seeded leaves, its tangent is 0; at least one is set) and overwrite `ty`.
// Notation: ȧ is the tangent of a (a dot over the name), dy the gradient (adjoint) of y.
template <class T>
struct OpArgs {
    const Tensor<T>& a;                  // the first input's value
    const Tensor<T>& b;                  // the second input's value (an empty matrix for an op of one input)
    T c;                                 // the node's constant (scale's c, leaky_relu's slope; 0 for the others)
    const std::vector<int>& labels;      // the node's labels (softmax_cross_entropy's; empty for the others)
    Tensor<T>& saved;                    // what value() keeps for reverse() and forward() (cross-entropy's softmax)
};

namespace detail {
template <class M>
std::string shape_str(const M& m) {
    return "[" + std::to_string(m.shape(0)) + ", " + std::to_string(m.shape(1)) + "]";
}

// Throws "op: what (got [R, N] and [R, N])" unless ok.
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

// For each direction k and element i of a [R, N] value: ty[ki] = f(ki, i), with ki = k·R·N + i the same element
// in block k of the stacked tangents (ta, tb, ty) and i its index in the value (a, b, y).
template <class T, class F>
void per_block(std::size_t K, std::size_t rows, std::size_t cols, Tensor<T>& ty, F f) {
    reshape_to(ty, K * rows, cols);
    const std::size_t n = rows * cols;
    T* out = ty.data();
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t i = 0; i < n; ++i) out[k * n + i] = f(k * n + i, i);
}
}  // namespace detail

}  // namespace nn
