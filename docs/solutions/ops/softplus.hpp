// docs/solutions/ops/softplus.hpp — chapter 6, exercise 3 (the capstone): softplus elementwise, log(1 + e^a), with its
// value, reverse (VJP) and forward (JVP) kernels. Not an engine op: tests/extra_ops lists it in a copy of nn/ops.hpp
// for the solution docs/solutions/tape_add_softplus.cpp, which records it with tape.apply(Op::Softplus, a).
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Softplus,
#elif !defined(NN_DOCS_SOLUTIONS_OPS_SOFTPLUS_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_DOCS_SOLUTIONS_OPS_SOFTPLUS_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "nn/ops/args.hpp"

namespace nn {

namespace detail {
// σ(a) without overflow: e^-|a| is at most 1, so neither branch computes a huge exponential.
template <class T>
T stable_sigmoid(T a) {
    const T e = std::exp(-std::abs(a));
    return a >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
}
}  // namespace detail

// softplus: y = log(1 + e^a) = max(a, 0) + log1p(e^-|a|);  da += dy * σ(a);  ẏ = ȧ * σ(a)
// The naive log(1 + e^a) overflows to inf for a > 709 in double (88 in float) and rounds to 0 below -37; the
// rewritten form is exact to rounding everywhere.
template <>
struct OpDef<Op::Softplus> {
    static constexpr const char* name = "softplus";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        const T* a = in.a.data();
        T* out = y.data();
        for (std::size_t i = 0; i < in.a.size(); ++i)
            out[i] = std::max(a[i], T(0)) + std::log1p(std::exp(-std::abs(a[i])));
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (!da) return;
        const T* a = in.a.data();
        const T* g = dy.data();
        T* out = da->data();
        for (std::size_t i = 0; i < in.a.size(); ++i) out[i] += g[i] * detail::stable_sigmoid(a[i]);
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
            return ta->data()[ki] * detail::stable_sigmoid(in.a.data()[i]);
        });
    }
};

}  // namespace nn

#endif  // NN_DOCS_SOLUTIONS_OPS_SOFTPLUS_HPP
