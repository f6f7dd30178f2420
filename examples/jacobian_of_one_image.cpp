// examples/jacobian_of_one_image.cpp — load a trained model, take the Jacobian of one test image, check it, print it.
// A short program to copy: the pixels whose change moves the predicted probability most, and the check that they are right.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <numeric>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"
#include "nn/argmax.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "sensitivity/maps/jacobian.hpp"

// usage: jacobian-of-one-image MODEL_DIR [IMAGE_INDEX] [MNIST_DIR]  (a directory written by train-and-explain)
static int run(int argc, char** argv) {
    if (argc < 2) { std::fprintf(stderr, "usage: jacobian-of-one-image MODEL_DIR [IMAGE_INDEX] [MNIST_DIR]\n"); return 2; }
    nn::MLP<float> model = nn::training::load_model(argv[1]);
    const std::size_t index = argc > 2 ? std::stoul(argv[2]) : 0;
    const datasets::Split mnist = datasets::load_mnist(argc > 3 ? argv[3] : "data/mnist", {false, true});
    const nn::Tensor<float> x = mnist.test.to_float<float>(index, 1);           // [1, 784]

    // One forward, then one backward per class: J[0][i][j] = ∂p_i/∂x_j.
    const xt::xtensor<float, 3> J = sensitivity::maps::jacobian(model, x);      // [1, 10, 784]
    const nn::Tensor<float> p = sensitivity::maps::predict(model, x);           // [1, 10]
    const int c = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    std::printf("test image %zu, label %d: predicted %d with p = %.4f\n", index, int(mnist.test.labels[index]), c, p(0, c));

    // The five pixels whose change moves p_c most.
    std::vector<std::size_t> pixel(x.shape(1));
    std::iota(pixel.begin(), pixel.end(), 0);
    std::partial_sort(pixel.begin(), pixel.begin() + 5, pixel.end(),
                      [&](std::size_t a, std::size_t b) { return std::fabs(J(0, c, a)) > std::fabs(J(0, c, b)); });
    for (std::size_t k = 0; k < 5; ++k)
        std::printf("  pixel (row %2zu, col %2zu): dp_%d/dx = %+.4f\n", pixel[k] / 28, pixel[k] % 28, c, J(0, c, pixel[k]));

    // The proof: central differences on a double copy of the model agree with the tape.
    const sensitivity::maps::FdReport fd = sensitivity::maps::fd_check(model, x, 1);
    std::printf("finite differences: %zu pairs compared, max relative error %.1e (double), %.1e (float): %s\n",
                fd.pairs_compared, fd.max_rel_error, fd.float_max_rel_error, fd.passed ? "agree" : "DISAGREE");
    return fd.passed ? 0 : 1;
}

int main(int argc, char** argv) {   // a missing file or a bad number: one line, exit 1
    try { return run(argc, argv); } catch (const std::exception& e) { std::fprintf(stderr, "jacobian-of-one-image: %s\n", e.what()); return 1; }
}
