// docs/snippets/tables_cv_question.cpp — chapter 15: the CrossValidated question's 3-8-1 network (ReLU, sigmoid output,
// MSE) on x ~ U(0,1)³ and sin(x), rebuilt on our tape; what its [5, 3] target against a [5, 1] output really trains.
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "nn/mlp.hpp"
#include "nn/optimizer.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    const std::size_t N = 512;
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Matrix x({N, 3}), s({N, 3}), mean_s({N, 1});                  // x [N, 3], s = sin(x) [N, 3]
    for (std::size_t n = 0; n < N; ++n) {
        mean_s(n, 0) = 0;
        for (std::size_t j = 0; j < 3; ++j) {
            x(n, j) = u(rng);
            s(n, j) = std::sin(x(n, j));
            mean_s(n, 0) += s(n, j) / 3;
        }
    }
    nn::MLP<double> net(3, 8, 1, nn::Activation::Relu, 1);         // Linear(3,8), ReLU, Linear(8,1) ...
    nn::Tape<double>& tape = net.tape();
    int failures = 0;

    // The question's loss line: MSELoss(pred [N, 1], sin(x) [N, 3]). Our mse refuses the shapes instead of broadcasting.
    net.reset();
    nn::Var xin = net.input(N);
    tape.value(xin) = x;
    nn::Var pred = tape.sigmoid(net.logits(xin));                  // ... Sigmoid(): pred [N, 1]
    try {
        tape.mse(pred, tape.leaf(s, false));
        std::printf("mse([N,1], [N,3]) was accepted: NO\n");
        ++failures;
    } catch (const std::invalid_argument&) {
        std::printf("mse([N,1], [N,3]) is refused: yes\n");
    }

    // What broadcasting computes: mean over n, j of (p_n - sin x_nj)² = mean over n of (p_n - mean_j sin x_nj)² + a
    // constant. So the network is fitted to the AVERAGE of the three sines. We train on exactly that target.
    auto adam = nn::make_optimizer<double>(nn::OptimizerConfig{nn::OptimizerKind::Adam});
    double loss = 0;
    for (int step = 0; step < 3000; ++step) {
        net.set_trainable(true);
        net.reset();
        nn::Var xs = net.input(N);
        tape.value(xs) = x;
        nn::Var l = tape.mse(tape.sigmoid(net.logits(xs)), tape.leaf(mean_s, false));   // [1, 1]
        for (nn::Var p : net.parameters()) tape.zero_grad(p);
        tape.backward(l);
        adam->step(tape, net.parameters(), 0.01);
        loss = tape.value(l)(0, 0);
    }
    // The target's variance is about 0.02, so an MSE under 1e-3 is an R² above 0.95.
    std::printf("MSE against the mean of the sines after 3000 Adam steps < 1e-3: %s\n", loss < 1e-3 ? "yes" : "NO");
    failures += !(loss < 1e-3);

    // The sensitivity the answer recommends, mean |dy/dx_j| over the rows, from one backward of the same tape.
    // The truth for the average of the sines is cos(x_j) / 3 for every input: the three inputs are equally important.
    net.set_trainable(false);
    net.reset();
    nn::Var xg = net.input(N, true);
    tape.value(xg) = x;
    nn::Var y = tape.sigmoid(net.logits(xg));
    tape.backward(y, Matrix(xt::ones<double>({N, std::size_t(1)})));  // rows do not interact: row n gets dy_n/dx_n
    for (std::size_t j = 0; j < 3; ++j) {
        double net_j = 0, truth_j = 0;
        for (std::size_t n = 0; n < N; ++n) {
            net_j += std::fabs(tape.grad(xg)(n, j)) / N;
            truth_j += std::cos(x(n, j)) / 3 / N;
        }
        const bool close = std::fabs(net_j - truth_j) < 0.1 * truth_j;
        std::printf("x%zu: mean |dy/dx| within 10%% of mean cos(x)/3 = %.2f: %s\n", j + 1, truth_j, close ? "yes" : "NO");
        failures += !close;
    }
    return failures;
}
