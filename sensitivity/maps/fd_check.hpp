// sensitivity/maps/fd_check.hpp — proof that the tape's input Jacobian is right: central differences on a double copy.
// Only the input Jacobian ∂f/∂x; parameter gradients are checked by the gradient-check tests of nn/.
#pragma once

#include <cstddef>

#include <xtensor/xtensor.hpp>

#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// Central differences J[k][i][j] ≈ (f(x_k + h e_j)_i − f(x_k − h e_j)_i) / 2h, forward passes only (2·D + 1 rows
// per image, x itself the last, one batch; the softmax of the logits is taken here, in a form precise for p ≈ 1), and which pixels
// must be skipped: skip[k][j] is true when moving pixel j by ±h may move some hidden pre-activation across relu's
// kink: in layer 1, |z1[k, u]| <= |W1[j, u]|·h with W1[j, u] != 0 for some u; in a deeper layer l the same with
// W1 replaced by ∂z_l/∂x_j, the product of the weights and the slopes below it (exact: the net is linear between kinks).
// Across a kink the one-sided slopes differ and a difference quotient is not the derivative. Sigmoid, tanh and
// gelu have no kink: nothing is skipped; leaky_relu has relu's. The rule reads every dense layer (model.layers,
// model.hpp) of a relu or leaky-relu network; a model that does not list its layers has nothing skipped, so a kink
// near x shows up as a failed check.
struct FdJacobian {
    xt::xtensor<double, 3> J;       // [K, C, D]
    xt::xtensor<bool, 2> skip;      // [K, D]
};
FdJacobian fd_jacobian(Model<double> model, const nn::Tensor<double>& x /*[K, D]*/, double h,
                       Output out = Output::Softmax);

// How far an analytic Jacobian is from the numerical one, over the pairs (i, j) whose pixel is not skipped.
// Relative error (the definition matters, so here it is):
//     rel = max over images k, compared pairs (i, j) of |a[k,i,j] − n[k,i,j]| / max(scale_k, 1e-300),
//     scale_k = max over ALL pairs (i, j) of image k of |n[k,i,j]|  (the size of that image's sensitivities).
// So every entry of every image must agree to `rel` times the largest sensitivity of its image: a pair that is
// 0 in one and not in the other, or a sign flip anywhere, fails; tiny entries are not held to an impossible
// per-entry relative standard (their own FD roundoff is ~1e-10·scale_k in double).
struct FdComparison {
    double max_abs_error = 0;
    double max_rel_error = 0;
    std::size_t pairs_compared = 0;
    std::size_t pairs_skipped = 0;
};
FdComparison compare_jacobians(const xt::xtensor<double, 3>& analytic, const FdJacobian& numeric);

struct FdReport {
    std::size_t images = 0;
    double h = 0;
    std::size_t pairs_compared = 0;   // (image, output, pixel) triples compared
    std::size_t pairs_skipped = 0;    // triples skipped because ±h crosses a relu kink
    double max_abs_error = 0;         // double tape J vs double central differences
    double max_rel_error = 0;         //   (definition above; target tol_double)
    std::size_t float_pairs_compared = 0;  // as pairs_compared, minus the images where the float network's
                                      //   relu mask differs from the double copy's (a pre-activation within rounding of 0)
    double float_max_abs_error = 0;   // float tape J vs double central differences
    double float_max_rel_error = 0;   //   (target tol_float)
    double tol_double = 0, tol_float = 0;
    bool passed = false;              // both compared > 0, max_rel_error <= tol_double, float_max_rel_error <= tol_float
};

// Checks the first K rows of x (K is clamped to the rows available; K = 0 is an error): the tape Jacobian of a
// DOUBLE copy of the model and that of the float model itself, both against central differences on the double copy.
// h = 1e-5 balances roundoff (~1e-16/h) against truncation (~h²); on the trained MNIST model the double error is
// ~1e-9 relative at 1e-5 and ~2e-8 at 1e-6, and a relu kink lies within ±h of almost no pixel.
// `model64` is the same model in double (the same weights).
FdReport fd_check(Model<float> model, Model<double> model64, const nn::Tensor<float>& x, std::size_t K,
                  double h = 1e-5, Output out = Output::Softmax, double tol_double = 1e-6, double tol_float = 1e-3);
// The same for a float model of any class template M that copies itself into double, M<double>(model) (the MLP
// does); `model` itself is not touched: the float Jacobian is taken on a copy.
template <template <class> class M>
FdReport fd_check(const M<float>& model, const nn::Tensor<float>& x, std::size_t K, double h = 1e-5,
                  Output out = Output::Softmax, double tol_double = 1e-6, double tol_float = 1e-3) {
    M<double> model64(model);                                             // the same weights in double
    M<float> model32(model);                                              // jacobian() needs a tape to record on
    return fd_check(Model<float>(model32), Model<double>(model64), x, K, h, out, tol_double, tol_float);
}

}  // namespace sensitivity::maps
