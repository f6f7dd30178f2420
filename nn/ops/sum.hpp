// nn/ops/sum.hpp — the sum of all elements, a [1, 1] result: value, reverse (VJP) and forward (JVP) kernels.
// Registered by its line in nn/ops.hpp; accumulates in double. The mean (mean.hpp) reuses these kernels.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Sum,
#elif !defined(NN_OPS_SUM_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_SUM_HPP

#include "nn/ops/args.hpp"

namespace nn {

// sum of all elements: y = Σ a;  da += dy;  ẏ = Σ ȧ   (one number per direction: [K, 1])
template <>
struct OpDef<Op::Sum> {
    static constexpr const char* name = "sum";
    static constexpr int arity = 1;
    template <class T>
    static void check(const OpArgs<T>&) {}                                   // any shape
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, 1, 1);
        double s = 0;                                                        // accumulate in double
        for (std::size_t i = 0; i < in.a.size(); ++i) s += static_cast<double>(in.a.data()[i]);
        y(0, 0) = static_cast<T>(s);
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>*) {
        if (da) *da += dy(0, 0);
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>*, std::size_t K,
                        Tensor<T>& ty) {
        const std::size_t n = in.a.size();
        reshape_to(ty, K, 1);                                                // [K, 1]
        for (std::size_t k = 0; k < K; ++k) {
            double s = 0;                                                    // accumulate in double
            for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(ta->data()[k * n + i]);
            ty(k, 0) = static_cast<T>(s);
        }
    }
};

}  // namespace nn

#endif  // NN_OPS_SUM_HPP
