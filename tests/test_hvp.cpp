// tests/test_hvp.cpp — chapter 8: exact Hessian-vector products of the MLP's loss in its input (nn/input_hvp.hpp)
// equal central differences of gradients, and the recorded reverse sweep equals backward(). Not the ops' own checks.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <xtensor/xview.hpp>

#include "nn/input_hvp.hpp"

namespace {

nn::Tensor<double> random_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng) {
    std::normal_distribution<double> normal(0.0, 1.0);
    nn::Tensor<double> m({rows, cols});
    for (double& v : m) v = normal(rng);
    return m;
}

// ∇ₓL the ordinary way: record the loss on the model's tape, walk backward with the weights frozen.
nn::Tensor<double> backward_gradient(nn::MLP<double>& model, const nn::Tensor<double>& x,
                                     const std::vector<int>& labels) {
    model.reset();
    auto frozen = model.freeze();
    const nn::Var xv = model.input(x.shape(0), true);
    model.tape().value(xv) = x;
    model.tape().backward(model.tape().softmax_cross_entropy(model.logits(xv), labels));
    return model.tape().grad(xv);
}

double max_abs(const nn::Tensor<double>& a) {
    double m = 0;
    for (double v : a) m = std::max(m, std::abs(v));
    return m;
}

double inner(const nn::Tensor<double>& a, const nn::Tensor<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
    return s;
}

const std::vector<nn::Activation> kActivations = {nn::Activation::Relu, nn::Activation::Sigmoid, nn::Activation::Tanh};

}  // namespace

TEST_CASE("the reverse sweep recorded as ops gives the same input gradient as backward(), within 1e-12") {
    std::mt19937_64 rng(1);
    for (nn::Activation act : kActivations) {
        nn::MLP<double> model(7, 5, 4, act, 3);
        const nn::Tensor<double> x = random_matrix(3, 7, rng), v = random_matrix(3, 7, rng);
        const std::vector<int> labels = {1, 3, 0};
        const nn::InputHvp<double> r = nn::input_hvp(model, x, labels, v);
        const nn::Tensor<double> g = backward_gradient(model, x, labels);
        INFO(nn::activation_name(act));
        CHECK(max_abs(r.grad - g) <= 1e-12 * max_abs(g));
    }
}

TEST_CASE("H·v equals central differences of the gradient within 1e-6 relative, 3 directions at once (double)") {
    std::mt19937_64 rng(2);
    constexpr double h = 1e-5;
    constexpr std::size_t B = 3, D = 7, K = 3;
    for (nn::Activation act : kActivations) {
        nn::MLP<double> model(D, 5, 4, act, 4);
        const nn::Tensor<double> x = random_matrix(B, D, rng), v = random_matrix(K * B, D, rng);
        const std::vector<int> labels = {2, 0, 3};
        const nn::InputHvp<double> r = nn::input_hvp(model, x, labels, v);
        REQUIRE(r.hvp.shape(0) == K * B);
        for (std::size_t k = 0; k < K; ++k) {
            const nn::Tensor<double> vk = xt::view(v, xt::range(k * B, (k + 1) * B), xt::all());
            const nn::Tensor<double> fd =
                (backward_gradient(model, x + h * vk, labels) - backward_gradient(model, x - h * vk, labels)) / (2 * h);
            const nn::Tensor<double> hv = xt::view(r.hvp, xt::range(k * B, (k + 1) * B), xt::all());
            INFO(nn::activation_name(act), ", direction ", k, ": max |Hv| = ", max_abs(hv), ", max |Hv - fd| = ",
                 max_abs(hv - fd));
            CHECK(max_abs(hv) > 1e-3);                       // a real curvature, not a vanishing one
            CHECK(max_abs(hv - fd) <= 1e-6 * max_abs(fd));
        }
    }
}

TEST_CASE("the Hessian is symmetric: <u, H v> = <v, H u> within 1e-12") {
    std::mt19937_64 rng(3);
    for (nn::Activation act : kActivations) {
        nn::MLP<double> model(6, 5, 3, act, 5);
        const nn::Tensor<double> x = random_matrix(2, 6, rng), u = random_matrix(2, 6, rng), v = random_matrix(2, 6, rng);
        const std::vector<int> labels = {0, 2};
        const nn::Tensor<double> Hv = nn::input_hvp(model, x, labels, v).hvp, Hu = nn::input_hvp(model, x, labels, u).hvp;
        INFO(nn::activation_name(act), ": <u, Hv> = ", inner(u, Hv), ", <v, Hu> = ", inner(v, Hu));
        CHECK(std::abs(inner(u, Hv) - inner(v, Hu)) <= 1e-12 * (std::abs(inner(u, Hv)) + 1e-300));
    }
}

TEST_CASE("the finite-difference comparison fails for the wrong direction (one pixel of v changed)") {
    std::mt19937_64 rng(4);
    constexpr double h = 1e-5;
    nn::MLP<double> model(7, 5, 4, nn::Activation::Tanh, 6);
    const nn::Tensor<double> x = random_matrix(2, 7, rng), v = random_matrix(2, 7, rng);
    const std::vector<int> labels = {1, 2};
    nn::Tensor<double> w = v;
    w(0, 3) += 0.1;                                          // the check must see a 0.1 change in one pixel's direction
    const nn::Tensor<double> Hv = nn::input_hvp(model, x, labels, v).hvp;
    const nn::Tensor<double> fd_w =
        (backward_gradient(model, x + h * w, labels) - backward_gradient(model, x - h * w, labels)) / (2 * h);
    INFO("max |Hv - fd(w)| = ", max_abs(Hv - fd_w), " of ", max_abs(fd_w));
    CHECK(max_abs(Hv - fd_w) > 1e-3 * max_abs(fd_w));
}

TEST_CASE("input_hvp refuses an input of the wrong width, a direction of the wrong shape and a bad label") {
    nn::MLP<double> model(4, 3, 2, nn::Activation::Relu, 7);
    const nn::Tensor<double> x = xt::ones<double>({2, 4}), v = xt::ones<double>({2, 4});
    CHECK_THROWS_WITH(nn::input_hvp(model, nn::Tensor<double>(xt::ones<double>({2, 5})), {0, 1}, v),
                      "input_hvp: x has 5 columns, the model expects 4");
    CHECK_THROWS_WITH(nn::input_hvp(model, x, {0, 1}, nn::Tensor<double>(xt::ones<double>({3, 4}))),
                      "input_hvp: v must be [K·B, D] for x [B, D]");
    CHECK_THROWS_WITH(nn::input_hvp(model, x, {0, 2}, v), "softmax_cross_entropy: label 2 is outside [0, 2)");
}
