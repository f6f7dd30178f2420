// nn/ops/mse.hpp — the mean squared difference of two same-shaped matrices: value, reverse (VJP) and forward (JVP).
// Registered by its line in nn/ops.hpp; sums in double.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Mse,
#elif !defined(NN_OPS_MSE_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_MSE_HPP

#include <xtensor/xnoalias.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// mse: L = mean((a - b)²) over all elements;  da += dL * 2(a - b)/n,  db -= dL * 2(a - b)/n;
//      L̇ = Σ 2(a - b)(ȧ - ḃ)/n   (one number per direction: [K, 1])
template <>
struct OpDef<Op::Mse> {
    static constexpr const char* name = "mse";
    static constexpr int arity = 2;
    template <class T>
    static void check(const OpArgs<T>& in) {
        detail::require(in.a.shape() == in.b.shape(), name, in.a, &in.b, "shapes differ");
    }
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, 1, 1);
        double s = 0;
        for (std::size_t i = 0; i < in.a.size(); ++i) {
            const double d = static_cast<double>(in.a.data()[i]) - static_cast<double>(in.b.data()[i]);
            s += d * d;
        }
        y(0, 0) = static_cast<T>(s / static_cast<double>(in.a.size()));
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
        const T g = T(2) * dy(0, 0) / static_cast<T>(in.a.size());
        if (da) xt::noalias(*da) += g * (in.a - in.b);
        if (db) xt::noalias(*db) -= g * (in.a - in.b);
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>* tb,
                        std::size_t K, Tensor<T>& ty) {
        const Tensor<T>& a = in.a;
        const Tensor<T>& b = in.b;
        const std::size_t n = a.size();
        reshape_to(ty, K, 1);                                                // [K, 1]
        for (std::size_t k = 0; k < K; ++k) {
            double s = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const T d = (ta ? ta->data()[k * n + i] : T(0)) - (tb ? tb->data()[k * n + i] : T(0));
                s += 2.0 * static_cast<double>(a.data()[i] - b.data()[i]) * static_cast<double>(d);
            }
            ty(k, 0) = static_cast<T>(s / static_cast<double>(n));
        }
    }
};

}  // namespace nn

#endif  // NN_OPS_MSE_HPP
