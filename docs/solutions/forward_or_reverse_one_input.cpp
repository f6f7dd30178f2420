// docs/solutions/forward_or_reverse_one_input.cpp — chapter 8, exercise 2: one input, ten outputs, forward mode wins.
// d p(s·x) / ds at s = 1 for every image and class: one forward-mode direction instead of ten backward walks.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "nn/mlp.hpp"

int main() {
    nn::MLP<double> model(784, 32, 10, nn::Activation::Tanh, 8);
    nn::Tensor<double> x({5, 784});                                   // [5, 784]
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    for (double& v : x) v = pixel(rng);
    nn::Tape<double>& tape = model.tape();
    const nn::Var xv = tape.leaf(x, true);                            // x itself; s·x at s = 1
    const nn::Var p = tape.softmax(model.logits(xv));                 // [5, 10]

    // Forward mode: d(s·x)/ds = x, so the one direction is x itself. One walk gives all 5 × 10 derivatives.
    tape.seed_tangent(xv, 1) = x;
    tape.forward_tangents(p);
    const nn::Tensor<double> dp_ds = tape.tangent(p);                 // [5, 10]

    // Reverse mode: one walk per class, each giving ∂p_c/∂x, then dotted with x per image. Ten walks.
    nn::Tensor<double> by_reverse({5, 10});
    for (std::size_t c = 0; c < 10; ++c) {
        nn::Tensor<double> seed = xt::zeros<double>({5, 10});
        for (std::size_t n = 0; n < 5; ++n) seed(n, c) = 1;
        tape.zero_grad(xv);
        tape.backward(p, seed);
        const nn::Tensor<double>& g = tape.grad(xv);                  // [5, 784]
        for (std::size_t n = 0; n < 5; ++n) {
            double s = 0;
            for (std::size_t j = 0; j < 784; ++j) s += g(n, j) * x(n, j);
            by_reverse(n, c) = s;
        }
    }

    // And a central difference in s for image 0, class 0.
    const double h = 1e-5;
    nn::Tensor<double> up = x, down = x;
    up *= 1 + h;
    down *= 1 - h;
    const double fd = (nn::predict(model, up)(0, 0) - nn::predict(model, down)(0, 0)) / (2 * h);

    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < dp_ds.size(); ++i) {
        worst = std::max(worst, std::abs(dp_ds.data()[i] - by_reverse.data()[i]));
        scale = std::max(scale, std::abs(by_reverse.data()[i]));
    }
    std::printf("dp/ds for image 0: forward % .6f, reverse % .6f, differences % .6f (class 0)\n", dp_ds(0, 0),
                by_reverse(0, 0), fd);
    std::printf("walks: forward mode 1, reverse mode 10; max difference %.1e of max |dp/ds| %.3f\n", worst / scale,
                scale);
    return worst <= 1e-12 * scale && std::abs(fd - dp_ds(0, 0)) <= 1e-8 ? 0 : 1;
}
