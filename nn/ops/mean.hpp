// nn/ops/mean.hpp — the mean of all elements, a [1, 1] result: value, reverse (VJP) and forward (JVP) kernels.
// Registered by its line in nn/ops.hpp; the sum's kernels (sum.hpp) divided by n.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Mean,
#elif !defined(NN_OPS_MEAN_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_MEAN_HPP

#include "nn/ops/args.hpp"
#include "nn/ops/sum.hpp"

namespace nn {

// mean of all elements: y = Σ a / n;  da += dy / n;  ẏ = Σ ȧ / n
template <>
struct OpDef<Op::Mean> {
    static constexpr const char* name = "mean";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        OpDef<Op::Sum>::value(in, y);
        y(0, 0) /= static_cast<T>(in.a.size());
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (da) *da += dy(0, 0) / static_cast<T>(in.a.size());
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>& y, const Tensor<T>* ta, const Tensor<T>* tb,
                        std::size_t K, Tensor<T>& ty) {
        OpDef<Op::Sum>::forward(in, y, ta, tb, K, ty);
        ty /= static_cast<T>(in.a.size());
    }
};

}  // namespace nn

#endif  // NN_OPS_MEAN_HPP
