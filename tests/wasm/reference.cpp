// tests/wasm/reference.cpp — the native engine's numbers that the WebAssembly module must reproduce (tests/wasm/check.mjs):
// probabilities and full Jacobian of a saved model on the first N test digits, and one SGD step's loss and gradients.
// usage: wasm-reference MODEL_DIR MNIST_DIR OUT_DIR [N] [LR]   writes OUT_DIR/{p,J,loss,dW1,db1,dW2,db2,W1_after}.npy
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <xtensor/xnpy.hpp>

#include "datasets/dataset.hpp"
#include "nn/gemm.hpp"
#include "nn/mlp.hpp"
#include "nn/training/model_io.hpp"
#include "nn/training/train.hpp"
#include "sensitivity/maps/jacobian.hpp"

static int run(int argc, char** argv) {
    if (argc < 4 || argc > 6) {
        std::fprintf(stderr, "usage: wasm-reference MODEL_DIR MNIST_DIR OUT_DIR [N] [LR]\n");
        return 2;
    }
    const std::string out = argv[3];
    const std::size_t n = argc > 4 ? std::stoul(argv[4]) : 20;
    const double lr = argc > 5 ? std::stod(argv[5]) : 0.1;
    nn::MLP<float> model = nn::training::load_model(argv[1]);
    const datasets::Split mnist = datasets::load_mnist(argv[2], {false, true});
    const nn::Tensor<float> x = mnist.test.to_float<float>(0, n);                // [n, 784]
    const std::vector<int> labels(mnist.test.labels.begin(), mnist.test.labels.begin() + static_cast<long>(n));

    xt::dump_npy(out + "/p.npy", nn::predict(model, x));                           // [n, 10]
    xt::dump_npy(out + "/J.npy", sensitivity::maps::jacobian(model, x));           // [n, 10, 784]

    // One step as nn::training::train does it, with plain SGD: the gradients stay on the tape after the update.
    nn::OptimizerConfig config;
    config.momentum = 0;
    config.nesterov = false;
    auto sgd = nn::make_optimizer<float>(config);
    model.set_trainable(true);
    model.reset();
    const nn::Var xv = model.input(n);
    model.tape().value(xv) = x;
    const float loss = nn::training::train_step(model, xv, labels, *sgd, lr);
    xt::dump_npy(out + "/loss.npy", nn::Tensor<float>{{loss}});
    const char* names[] = {"dW1", "db1", "dW2", "db2"};
    const std::vector<nn::Var> params = model.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) xt::dump_npy(out + "/" + names[i] + ".npy", model.tape().grad(params[i]));
    xt::dump_npy(out + "/W1_after.npy", model.tape().value(model.layer(0).W));
    std::printf("wasm-reference: %zu digits, products by %s, loss %.6f, files in %s\n", n, nn::gemm_backend(), loss,
                out.c_str());
    return 0;
}

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wasm-reference: %s\n", e.what());
        return 1;
    }
}
