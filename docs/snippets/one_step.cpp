// docs/snippets/one_step.cpp — chapter 9: two training steps of a tiny MLP, by hand and by nn::SGD / nn::Adam.
// The hand-written updates follow the comments in nn/sgd.hpp and nn/adam.hpp; the program fails if they disagree.
#include <cmath>
#include <cstdio>
#include <vector>

#include "nn/adam.hpp"
#include "nn/mlp.hpp"
#include "nn/sgd.hpp"

using Matrix = nn::Tensor<double>;

// Records the loss of one batch on the model's tape and leaves dW1, db1, dW2, db2 in the parameters' grads.
double loss_and_grads(nn::MLP<double>& model, const Matrix& xs, const std::vector<int>& labels) {
    model.reset();                                             // rewind to just after the 4 parameters
    nn::Var x = model.input(xs.shape(0));                      // [B, 4]
    model.tape().value(x) = xs;
    nn::Var loss = model.tape().softmax_cross_entropy(model.logits(x), labels);   // [1, 1]
    for (nn::Var p : model.parameters()) model.tape().zero_grad(p);
    model.tape().backward(loss);
    return model.tape().value(loss)(0, 0);
}

double max_diff(const Matrix& a, const Matrix& b) {
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::fmax(worst, std::fabs(a.data()[i] - b.data()[i]));
    return worst;
}

int main() {
    const Matrix xs = {{0.5, -1.0, 0.25, 2.0}, {1.5, 0.0, -0.5, 0.75}, {-1.0, 1.0, 1.0, 0.0}};   // [3, 4]
    const std::vector<int> labels = {0, 2, 1};
    const double lr = 0.1, mu = 0.9;
    int failures = 0;

    // SGD with Nesterov momentum: the optimizer on one copy, the rule by hand on another.
    nn::MLP<double> net(4, 5, 3, nn::Activation::Relu, 7), hand(net);   // same weights: hand is a copy
    nn::SGD<double> sgd(mu, true);
    std::vector<Matrix> v;                                     // hand's velocities, one per parameter
    for (int step = 1; step <= 2; ++step) {
        const double loss = loss_and_grads(net, xs, labels);
        sgd.step(net.tape(), net.parameters(), lr);
        loss_and_grads(hand, xs, labels);
        double worst = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const nn::Var p = hand.parameters()[i];
            const Matrix g = hand.tape().grad(p);                               // dw
            if (v.size() < 4) v.push_back(xt::zeros<double>(g.shape()));
            v[i] = mu * v[i] + g;                                               // v = μ·v + g
            hand.tape().value(p) = hand.tape().value(p) - lr * (g + mu * v[i]); // Nesterov: w -= lr·(g + μ·v)
            worst = std::fmax(worst, max_diff(hand.tape().value(p), net.tape().value(net.parameters()[i])));
        }
        std::printf("sgd step %d: loss %.6f, hand vs nn::SGD max difference < 1e-12: %s\n", step, loss,
                    worst < 1e-12 ? "yes" : "NO");
        failures += worst >= 1e-12;
    }

    // Adam's first step: m̂ = g and v̂ = g², so every weight moves by lr·g/(|g| + ε), almost exactly lr.
    nn::MLP<double> fresh(4, 5, 3, nn::Activation::Relu, 7);
    const Matrix before = fresh.tape().value(fresh.layer(0).W);                   // [4, 5]
    loss_and_grads(fresh, xs, labels);
    const Matrix dW1 = fresh.tape().grad(fresh.layer(0).W);
    nn::Adam<double> adam;                                                      // β1 0.9, β2 0.999, ε 1e-8
    adam.step(fresh.tape(), fresh.parameters(), 0.001);
    std::size_t moved = 0, nonzero = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        if (dW1.data()[i] == 0) continue;                                      // relu and a 0 input cut every path
        ++nonzero;
        const double change = std::fabs(fresh.tape().value(fresh.layer(0).W).data()[i] - before.data()[i]);
        moved += std::fabs(change - 0.001) < 1e-6;
    }
    std::printf("adam step 1: %zu of %zu weights of W1 with a gradient moved by lr = 0.001\n", moved, nonzero);
    failures += moved != nonzero || nonzero == 0;

    // The fused softmax cross-entropy stays finite for logits of ±1e4: loss = 2e4 exactly, gradient p - onehot.
    nn::Tape<double> tape;
    nn::Var logits = tape.leaf(Matrix{{1e4, -1e4}});                            // [1, 2], the wrong class wins
    nn::Var loss = tape.softmax_cross_entropy(logits, {1});
    tape.backward(loss);
    const Matrix& dlogits = tape.grad(logits);
    std::printf("logits (1e4, -1e4), label 1: loss %g, dlogits (%g, %g)\n", tape.value(loss)(0, 0), dlogits(0, 0),
                dlogits(0, 1));
    failures += !(tape.value(loss)(0, 0) == 2e4 && dlogits(0, 0) == 1 && dlogits(0, 1) == -1);
    return failures;
}
