// docs/snippets/forward_or_reverse.cpp — chapter 8: one 10x784 Jacobian three ways on the same model and tape.
// Reverse mode (10 VJPs), forward mode (784 JVPs) and central differences (1,568 evaluations) must agree.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "nn/mlp.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "sensitivity/maps/jacobian.hpp"

int main() {
    nn::MLP<double> model(784, 32, 10, nn::Activation::Tanh, 8);   // tanh: no kink, every pixel is compared
    nn::Tensor<double> x({3, 784});                                   // [3, 784] three random "images"
    std::mt19937_64 rng(8);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    for (double& v : x) v = pixel(rng);

    const auto reverse = sensitivity::maps::jacobian(model, x);             // 1 forward + 10 backward walks
    const auto forward = sensitivity::maps::jacobian_forward(model, x);     // 1 forward + 784 directions, 8 at a time
    const auto fd = sensitivity::maps::fd_jacobian(model, x, 1e-5);         // 2·784 + 1 forward passes per image

    double scale = 0, forward_err = 0, fd_err = 0;
    for (std::size_t i = 0; i < reverse.size(); ++i) {
        scale = std::max(scale, std::abs(reverse.data()[i]));
        forward_err = std::max(forward_err, std::abs(forward.data()[i] - reverse.data()[i]));
        fd_err = std::max(fd_err, std::abs(fd.J.data()[i] - reverse.data()[i]));
    }
    std::printf("J is [%zu, %zu, %zu], max |J| = %.3f\n", reverse.shape(0), reverse.shape(1), reverse.shape(2), scale);
    std::printf("reverse mode:  %4d walks of the tape, backward\n", 10);
    std::printf("forward mode:  %4d directions pushed forward (%d walks of 8)\n", 784, 784 / 8);
    std::printf("differences:   %4d evaluations of the network per image\n", 2 * 784 + 1);
    std::printf("forward vs reverse: %s of max |J|\n", forward_err <= 1e-12 * scale ? "< 1e-12" : "TOO FAR");
    std::printf("differences vs reverse: %s of max |J|\n", fd_err <= 1e-7 * scale ? "< 1e-7" : "TOO FAR");
    return forward_err <= 1e-12 * scale && fd_err <= 1e-7 * scale ? 0 : 1;
}
