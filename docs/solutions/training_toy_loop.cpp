// docs/solutions/training_toy_loop.cpp — chapter 10, exercise 2: a training loop by hand on a toy problem.
// Two classes split by the sign of x₀ + x₁; reset, fill the input, loss, zero_grad, backward, SGD step, 200 times.
#include <cstdio>
#include <random>
#include <vector>

#include "nn/mlp.hpp"
#include "nn/sgd.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    const std::size_t B = 64;
    Matrix xs({B, 2});                                        // [64, 2]
    std::vector<int> labels(B);
    for (std::size_t n = 0; n < B; ++n) {
        xs(n, 0) = uniform(rng);
        xs(n, 1) = uniform(rng);
        labels[n] = xs(n, 0) + xs(n, 1) > 0 ? 1 : 0;
    }
    nn::MLP<double> model(2, 8, 2, nn::Activation::Relu, 3);
    nn::SGD<double> sgd(0.9, true);
    double first = 0, last = 0;
    for (int step = 0; step < 200; ++step) {
        model.reset();                                        // forget the previous step's nodes, keep the buffers
        nn::Var x = model.input(B);                           // [64, 2]
        model.tape().value(x) = xs;
        nn::Var loss = model.tape().softmax_cross_entropy(model.logits(x), labels);   // [1, 1]
        for (nn::Var p : model.parameters()) model.tape().zero_grad(p);
        model.tape().backward(loss);
        sgd.step(model.tape(), model.parameters(), 0.1);
        (step == 0 ? first : last) = model.tape().value(loss)(0, 0);
    }
    // Accuracy of the trained model on the same points.
    model.reset();
    nn::Var x = model.input(B, false);
    model.tape().value(x) = xs;
    const Matrix& logits = model.tape().value(model.logits(x));   // [64, 2]
    std::size_t right = 0;
    for (std::size_t n = 0; n < B; ++n) right += (logits(n, 1) > logits(n, 0) ? 1 : 0) == labels[n];
    std::printf("loss %.4f at step 1, %.4f at step 200; %zu of %zu points right\n", first, last, right, B);
    return last < first / 5 && right >= B - 2 ? 0 : 1;
}
