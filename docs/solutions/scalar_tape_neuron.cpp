// docs/solutions/scalar_tape_neuron.cpp — chapter 3, exercise 2: train one tanh neuron with the scalar tape.
// Gradient descent on a mean squared error; the data come from known weights, which training must find again.
#include <cmath>
#include <cstdio>
#include <vector>

#include "../snippets/scalar_tape.hpp"

int main() {
    const double true_w = 1.5, true_b = -0.5;
    std::vector<double> xs, ys;
    for (int i = 0; i <= 10; ++i) {
        xs.push_back(-1.0 + 0.2 * i);
        ys.push_back(std::tanh(true_w * xs.back() + true_b));
    }
    double w = 0.1, b = 0.0;
    const double lr = 0.5;
    double first_loss = 0, loss_value = 0;
    for (int step = 0; step < 500; ++step) {
        scalar::Tape tape;                                  // a fresh recording every step
        const scalar::Var vw = scalar::leaf(tape, w), vb = scalar::leaf(tape, b);
        scalar::Var loss = scalar::leaf(tape, 0.0);
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const scalar::Var e = scalar::tanh(vw * scalar::leaf(tape, xs[i]) + vb) - scalar::leaf(tape, ys[i]);
            loss = loss + e * e;                            // Σ e²; w and b fan out into every term
        }
        loss = loss * scalar::leaf(tape, 1.0 / xs.size());  // mean
        tape.backward(loss.id);
        loss_value = loss.value();
        if (step == 0) first_loss = loss_value;
        if (step % 100 == 0) std::printf("step %3d  loss %.3e  w %+.4f  b %+.4f\n", step, loss_value, w, b);
        w -= lr * vw.grad();
        b -= lr * vb.grad();
    }
    std::printf("final     loss %.3e  w %+.4f  b %+.4f  (true %+.1f, %+.1f)\n", loss_value, w, b, true_w, true_b);
    const bool ok = loss_value < 1e-6 * first_loss && std::fabs(w - true_w) < 1e-2 && std::fabs(b - true_b) < 1e-2;
    std::printf("%s\n", ok ? "the neuron found the weights that made the data" : "DID NOT LEARN");
    return ok ? 0 : 1;
}
