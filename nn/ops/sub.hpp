// nn/ops/sub.hpp — a - b, same shapes: value, reverse (VJP) and forward (JVP) kernels under one line of math.
// Registered by its line in nn/ops.hpp.
#if defined(NN_OP_ENUMERATOR)     // nn/op.hpp reads only the next line, inside enum class Op
Sub,
#elif !defined(NN_OPS_SUB_HPP)   // the definition, once (#pragma once cannot be conditional)
#define NN_OPS_SUB_HPP

#include <xtensor/xnoalias.hpp>

#include "nn/ops/args.hpp"

namespace nn {

// sub: y = a - b;  da += dy,  db -= dy;  ẏ = ȧ - ḃ
template <>
struct OpDef<Op::Sub> {
    static constexpr const char* name = "sub";
    static constexpr int arity = 2;
    template <class T>
    static void check(const OpArgs<T>& in) {
        detail::require(in.a.shape() == in.b.shape(), name, in.a, &in.b, "shapes differ");
    }
    template <class T>
    static void value(const OpArgs<T>& in, Tensor<T>& y) {
        reshape_to(y, in.a.shape(0), in.a.shape(1));
        xt::noalias(y) = in.a - in.b;
    }
    template <class T>
    static void reverse(const OpArgs<T>&, const Tensor<T>&, const Tensor<T>& dy, Tensor<T>* da, Tensor<T>* db) {
        if (da) xt::noalias(*da) += dy;
        if (db) xt::noalias(*db) -= dy;
    }
    template <class T>
    static void forward(const OpArgs<T>& in, const Tensor<T>&, const Tensor<T>* ta, const Tensor<T>* tb,
                        std::size_t K, Tensor<T>& ty) {
        detail::per_block(K, in.a.shape(0), in.a.shape(1), ty, [&](std::size_t ki, std::size_t) {
            return (ta ? ta->data()[ki] : T(0)) - (tb ? tb->data()[ki] : T(0));
        });
    }
};

}  // namespace nn

#endif  // NN_OPS_SUB_HPP
