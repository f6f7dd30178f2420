// sensitivity/maps/fd_check.cpp — central differences of f(x) on a double model, the relu-kink skip rule (every hidden layer), and the comparison.
// Forward passes only on the numerical side; the analytic side is jacobian() from sensitivity/maps/jacobian.cpp.
#include "sensitivity/maps/fd_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>
#include <xtensor/xbuilder.hpp>

#include "nn/gemm.hpp"

namespace sensitivity::maps {

namespace {
// Whether the model says it is a relu (or leaky relu) network, so that the kink rule applies to every hidden layer.
template <class T>
bool has_relu_kinks(const ModelView<T>& model) {
    return model.layers.size() >= 2 &&
           (model.activation == nn::Activation::Relu || model.activation == nn::Activation::LeakyRelu);
}

// The hidden pre-activations z_l = h_{l−1}·W_l + b_l [K, H_l] of every hidden layer, recorded on the model's own tape
// exactly as its forward pass records them, then forgotten.
template <class T>
std::vector<nn::Tensor<T>> preactivations(const ModelView<T>& model, const nn::Tensor<T>& x) {
    const nn::RewindOnExit<T> scope(*model.tape);
    nn::Var h = model.tape->leaf(x, false);
    std::vector<nn::Tensor<T>> z;
    for (std::size_t l = 0; l + 1 < model.layers.size(); ++l) {
        const nn::Var zl = nn::forward(*model.tape, model.layers[l], h);
        z.push_back(model.tape->value(zl));                              // a copy, taken before the rewind
        h = nn::activate(*model.tape, model.activation, zl);
    }
    return z;
}

// The softmax of one row of logits l [C], computed here and not by the tape's softmax, so the numerical side
// shares no softmax code with what it checks. Output i is p_i, or its complement 1 − p_i = Σ_{k≠i} e^{l_k − m} / s when
// flip[i]: summed directly, the complement keeps full relative precision when p_i ≈ 1, where a difference
// quotient of p_i itself would lose |log10(1 − p_i)| digits (a confident image has 1 − p ~ 1e-7).
void probabilities(const double* l, std::size_t C, const std::vector<bool>& flip, double* out) {
    const double m = *std::max_element(l, l + C);
    double s = 0;
    for (std::size_t i = 0; i < C; ++i) s += std::exp(l[i] - m);
    for (std::size_t i = 0; i < C; ++i) {
        if (!flip[i]) {
            out[i] = std::exp(l[i] - m) / s;
            continue;
        }
        double rest = 0;
        for (std::size_t k = 0; k < C; ++k)
            if (k != i) rest += std::exp(l[k] - m);
        out[i] = rest / s;
    }
}
}  // namespace

FdJacobian fd_jacobian(Model<double> model, const nn::Tensor<double>& x, double h, Output out) {
    if (!(h > 0)) throw std::invalid_argument("fd_jacobian: step h must be > 0, got " + std::to_string(h));
    if (x.shape(1) != model.in)
        throw std::invalid_argument("fd_jacobian: input has " + std::to_string(x.shape(1)) +
                                    " columns, the model expects " + std::to_string(model.in));
    const std::size_t K = x.shape(0), C = model.out, D = model.in;
    FdJacobian fd;
    fd.J = xt::zeros<double>({K, C, D});
    fd.skip = xt::zeros<bool>({K, D});

    // Which pixels cross a kink. Between kinks the network is linear, so while no earlier layer crosses one, pixel j
    // moves hidden pre-activation z_l[u] by exactly ±G_l[j, u]·h, with G_1 = W1 and G_l = (G_{l−1} ⊙ slope_{l−1})·W_l,
    // slope_{l−1} the activation's slope (relu: 0 or 1; leaky relu: α or 1) at z_{l−1}. It may cross when
    // |z_l[u]| <= |G_l[j, u]|·h. Checked at every hidden layer, from the first: a pixel skipped once stays skipped.
    if (has_relu_kinks(model) && K > 0) {
        const std::vector<nn::Tensor<double>> z = preactivations(model, x);  // [K, H_l] (records: references after)
        const double alpha = model.activation == nn::Activation::LeakyRelu ? nn::kLeakyReluSlope : 0.0;
        for (std::size_t k = 0; k < K; ++k) {
            nn::Tensor<double> G = model.tape->value(model.layers[0].W);      // [D, H_1]
            for (std::size_t l = 0; l < z.size(); ++l) {
                if (l > 0) {                                                  // G_l = (G_{l−1} ⊙ slope)·W_l
                    for (std::size_t j = 0; j < D; ++j)
                        for (std::size_t u = 0; u < G.shape(1); ++u)
                            if (!(z[l - 1](k, u) > 0)) G(j, u) *= alpha;
                    const nn::Tensor<double>& W = model.tape->value(model.layers[l].W);   // [H_{l−1}, H_l]
                    nn::Tensor<double> next = xt::zeros<double>({D, W.shape(1)});           // [D, H_l]
                    nn::gemm(G, W, next);                                                  // [D, H_{l−1}]·[H_{l−1}, H_l]
                    G = std::move(next);
                }
                for (std::size_t j = 0; j < D; ++j) {
                    if (fd.skip(k, j)) continue;
                    for (std::size_t u = 0; u < G.shape(1); ++u) {
                        const double g = std::abs(G(j, u));
                        if (g != 0 && std::abs(z[l](k, u)) <= g * h) {
                            fd.skip(k, j) = true;
                            break;
                        }
                    }
                }
            }
        }
    }

    nn::Tensor<double> probe({2 * D + 1, D});                             // rows 2j, 2j+1: x ± h e_j; row 2D: x
    std::vector<double> f0(C), fp(C), fm(C);
    std::vector<bool> flip(C);
    for (std::size_t k = 0; k < K; ++k) {
        for (std::size_t r = 0; r <= 2 * D; ++r)
            std::copy(x.data() + k * D, x.data() + (k + 1) * D, probe.data() + r * D);
        for (std::size_t j = 0; j < D; ++j) {
            probe(2 * j, j) += h;
            probe(2 * j + 1, j) -= h;
        }
        const nn::Tensor<double> l = predict(model, probe, Output::Logits);   // [2D + 1, C]
        if (out == Output::Logits) {
            for (std::size_t j = 0; j < D; ++j)
                for (std::size_t i = 0; i < C; ++i) fd.J(k, i, j) = (l(2 * j, i) - l(2 * j + 1, i)) / (2 * h);
            continue;
        }
        const std::vector<bool> none(C, false);
        probabilities(&l(2 * D, 0), C, none, f0.data());
        for (std::size_t i = 0; i < C; ++i) flip[i] = f0[i] > 0.5;
        for (std::size_t j = 0; j < D; ++j) {
            probabilities(&l(2 * j, 0), C, flip, fp.data());
            probabilities(&l(2 * j + 1, 0), C, flip, fm.data());
            for (std::size_t i = 0; i < C; ++i)                           // ∂(1 − p)/∂x = −∂p/∂x
                fd.J(k, i, j) = (flip[i] ? -1.0 : 1.0) * (fp[i] - fm[i]) / (2 * h);
        }
    }
    return fd;
}

FdComparison compare_jacobians(const xt::xtensor<double, 3>& a, const FdJacobian& numeric) {
    const xt::xtensor<double, 3>& n = numeric.J;
    if (a.shape() != n.shape())
        throw std::invalid_argument("compare_jacobians: analytic and numerical Jacobians differ in shape");
    const std::size_t K = n.shape(0), C = n.shape(1), D = n.shape(2);
    FdComparison r;
    for (std::size_t k = 0; k < K; ++k) {
        double scale = 0;                                                 // the image's largest sensitivity
        for (std::size_t i = 0; i < C; ++i)
            for (std::size_t j = 0; j < D; ++j) scale = std::max(scale, std::abs(n(k, i, j)));
        scale = std::max(scale, 1e-300);
        for (std::size_t i = 0; i < C; ++i)
            for (std::size_t j = 0; j < D; ++j) {
                if (numeric.skip(k, j)) {
                    ++r.pairs_skipped;
                    continue;
                }
                double err = std::abs(a(k, i, j) - n(k, i, j));
                if (!std::isfinite(err)) err = std::numeric_limits<double>::infinity();  // a NaN anywhere must fail the check
                r.max_abs_error = std::max(r.max_abs_error, err);
                r.max_rel_error = std::max(r.max_rel_error, err / scale);
                ++r.pairs_compared;
            }
    }
    return r;
}

FdReport fd_check(Model<float> model32, Model<double> model64, const nn::Tensor<float>& x, std::size_t K, double h,
                  Output out, double tol_double, double tol_float) {
    if (K == 0) throw std::invalid_argument("fd_check: K must be at least 1 image");
    if (x.shape(0) == 0) throw std::invalid_argument("fd_check: no images to check");
    K = std::min(K, x.shape(0));
    const std::size_t D = model32.in;
    if (model64.in != D || model64.out != model32.out)
        throw std::invalid_argument("fd_check: the double model has other inputs or outputs than the float one");
    if (x.shape(1) != D)
        throw std::invalid_argument("fd_check: input has " + std::to_string(x.shape(1)) +
                                    " columns, the model expects " + std::to_string(D));

    nn::Tensor<double> x64({K, D});
    for (std::size_t e = 0; e < K * D; ++e) x64.data()[e] = static_cast<double>(x.data()[e]);
    const FdJacobian numeric = fd_jacobian(model64, x64, h, out);

    FdReport rep;
    rep.images = K;
    rep.h = h;
    rep.tol_double = tol_double;
    rep.tol_float = tol_float;

    const FdComparison c64 = compare_jacobians(jacobian(model64, x64, out), numeric);
    rep.pairs_compared = c64.pairs_compared;
    rep.pairs_skipped = c64.pairs_skipped;
    rep.max_abs_error = c64.max_abs_error;
    rep.max_rel_error = c64.max_rel_error;

    nn::Tensor<float> x32({K, D});
    std::copy(x.data(), x.data() + K * D, x32.data());
    const xt::xtensor<float, 3> J32 = jacobian(model32, x32, out);
    const xt::xtensor<double, 3> J32d = xt::cast<double>(J32);
    // Right at a kink, float rounding can put a pre-activation on the other side of 0 than in double: the two
    // networks are then on different linear pieces and their derivatives differ by design, not by a bug.
    // Such an image is left out of the float comparison (all its pairs), and counted.
    FdJacobian numeric32 = numeric;
    if (has_relu_kinks(model32)) {
        const std::vector<nn::Tensor<double>> z64 = preactivations(model64, x64);   // [K, H_l] per hidden layer
        const std::vector<nn::Tensor<float>> z32 = preactivations(model32, x32);
        for (std::size_t l = 0; l < z32.size(); ++l)
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t u = 0; u < z32[l].shape(1); ++u)
                    if ((z64[l](k, u) > 0) != (z32[l](k, u) > 0.f)) {
                        xt::view(numeric32.skip, k, xt::all()) = true;
                        break;
                    }
    }
    const FdComparison c32 = compare_jacobians(J32d, numeric32);
    rep.float_pairs_compared = c32.pairs_compared;
    rep.float_max_abs_error = c32.max_abs_error;
    rep.float_max_rel_error = c32.max_rel_error;

    rep.passed = rep.pairs_compared > 0 && rep.float_pairs_compared > 0 &&   // comparing nothing proves nothing
                 rep.max_rel_error <= tol_double && rep.float_max_rel_error <= tol_float;
    return rep;
}

}  // namespace sensitivity::maps
