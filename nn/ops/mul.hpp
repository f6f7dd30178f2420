// nn/ops/mul.hpp — a * b elementwise, same shapes: value, reverse (VJP) and forward (JVP) kernels under one math line.
// Registered by its line in nn/ops.hpp; the matrix product is matmul.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Mul,
#elif !defined(NN_OPS_MUL_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_MUL_HPP

#include <xtensor/xnoalias.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// mul (elementwise): y = a * b;  da += dy * b,  db += dy * a;  ẏ = ȧ * b + a * ḃ
template <>
struct OpDef<Op::Mul> {
    static constexpr const char* name = "mul";
    static constexpr int arity = 2;
    template <class T>
    static void check(const OpArgs<T>& in) {
        detail::require(in.a.shape() == in.b.shape(), name, in.a, &in.b, "shapes differ");
    }
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        xt::noalias(y) = in.a * in.b;
    }
    template <class T>
    static void reverse(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
        if (da) xt::noalias(*da) += dy * in.b;
        if (db) xt::noalias(*db) += dy * in.a;
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>* tb,
                        std::size_t K, Tensor<T>& ty) {
        const Tensor<T>& a = in.a;
        const Tensor<T>& b = in.b;
        detail::per_block(K, a.shape(0), a.shape(1), ty, [&](std::size_t ki, std::size_t i) {
            return (ta ? ta->data()[ki] * b.data()[i] : T(0)) + (tb ? a.data()[i] * tb->data()[ki] : T(0));
        });
    }
};

}  // namespace nn

#endif  // NN_OPS_MUL_HPP
