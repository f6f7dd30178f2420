// docs/snippets/ce_backward_precision.cpp — chapter 9: the cross-entropy backward p − onehot in float, at p_k ≈ 1.
// The label's element p_k − 1 is a subtraction of two numbers near 1; the other elements are the small p_c themselves.
#include <cmath>
#include <cstdio>

#include "nn/tape.hpp"

// ∂loss/∂logits of one row with label 0, in precision T, through the tape.
template <class T>
nn::Tensor<T> dlogits(double margin) {
    nn::Tape<T> tape;
    nn::Tensor<T> z = {{T(margin), T(0), T(-1), T(0.5)}};                 // [1, 4]
    nn::Var logits = tape.leaf(z);
    nn::Var loss = tape.softmax_cross_entropy(logits, {0});               // [1, 1]
    tape.backward(loss);
    return tape.grad(logits);                                             // [1, 4]: p − onehot(0)
}

int main() {
    std::printf("margin   1 - p_0     rel. error of dlogit_0 (float)   worst other element\n");
    double err_at_12 = 0, worst_other = 0;
    for (double margin : {4.0, 8.0, 12.0, 15.0}) {
        const nn::Tensor<double> exact = dlogits<double>(margin);
        const nn::Tensor<float> f = dlogits<float>(margin);
        const double e0 = std::fabs(f(0, 0) - exact(0, 0)) / std::fabs(exact(0, 0));
        double other = 0;
        for (std::size_t c = 1; c < 4; ++c) other = std::fmax(other, std::fabs(f(0, c) - exact(0, c)) / exact(0, c));
        std::printf("%5.0f    %.2e    %.2e                         %.2e\n", margin, -exact(0, 0), e0, other);
        if (margin == 12.0) err_at_12 = e0;
        worst_other = std::fmax(worst_other, other);
    }
    // The label's element loses digits as 1 − p_0 shrinks; the others stay at float's own precision.
    const bool as_expected = err_at_12 > 1e-4 && worst_other < 1e-6;
    std::printf("%s\n", as_expected ? "p_0 - 1 lost digits to cancellation; p_c did not" : "UNEXPECTED");
    return as_expected ? 0 : 1;
}
