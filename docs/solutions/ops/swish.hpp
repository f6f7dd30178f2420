// docs/solutions/ops/swish.hpp — chapter 7, exercise 3, fixed: swish (SiLU), y = a·σ(a), with its value, reverse (VJP)
// and forward (JVP) kernels. The planted op it corrects is docs/solutions/ops/swish_planted.hpp. Not an engine op:
// tests/extra_ops lists it in a copy of nn/ops.hpp (see chapter 6, exercise 3).
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Swish,
#elif !defined(NN_DOCS_SOLUTIONS_OPS_SWISH_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_DOCS_SOLUTIONS_OPS_SWISH_HPP

#include <cmath>
#include <cstddef>

#include "nn/ops/args.hpp"
#include "docs/solutions/ops/softplus.hpp"  // detail::stable_sigmoid

namespace nn {

namespace detail {
// dy/da of swish: σ(a) + a·σ(a)(1 - σ(a)).
template <class T>
T swish_slope(T a) {
    const T s = stable_sigmoid(a);
    return s + a * s * (T(1) - s);
}
}  // namespace detail

// swish: y = a·σ(a);  da += dy * (σ(a) + a·σ(a)(1 - σ(a)));  ẏ = ȧ * (σ(a) + a·σ(a)(1 - σ(a)))
template <>
struct OpDef<Op::Swish> {
    static constexpr const char* name = "swish";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        const T* a = in.a.data();
        T* out = y.data();
        for (std::size_t i = 0; i < in.a.size(); ++i) out[i] = a[i] * detail::stable_sigmoid(a[i]);
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (!da) return;
        const T* a = in.a.data();
        const T* g = dy.data();
        T* out = da->data();
        for (std::size_t i = 0; i < in.a.size(); ++i) out[i] += g[i] * detail::swish_slope(a[i]);
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        detail::per_block(K, y.shape(0), y.shape(1), ty, [&](std::size_t ki, std::size_t i) {
            return ta->data()[ki] * detail::swish_slope(in.a.data()[i]);
        });
    }
};

}  // namespace nn

#endif  // NN_DOCS_SOLUTIONS_OPS_SWISH_HPP
