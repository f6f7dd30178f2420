// docs/solutions/tables_copy_split.cpp — chapter 15, exercise 2: with an exact copy x2 = x1, every split of the first-layer
// weights between the two columns gives the same predictions, so mean |∂y/∂x1| and mean |∂y/∂x2| are arbitrary; their sum is not.
#include <cmath>
#include <cstdio>
#include <random>

#include "nn/mlp.hpp"
#include "sensitivity/maps/jacobian.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::MLP<double> a(2, 4, 1, nn::Activation::Tanh, 9);
    nn::MLP<double> b(a);                                           // the same network ...
    Matrix& Wa = a.tape().value(a.layer(0).W);                        // [2, 4]: row 0 reads x1, row 1 reads x2
    Matrix& Wb = b.tape().value(b.layer(0).W);
    for (std::size_t u = 0; u < 4; ++u) {                           // ... with the weight split 100:0 and 30:70
        const double total = Wa(0, u) + Wa(1, u);
        Wa(0, u) = total;
        Wa(1, u) = 0;
        Wb(0, u) = 0.3 * total;
        Wb(1, u) = 0.7 * total;
    }
    std::mt19937_64 rng(2);
    std::normal_distribution<double> g(0, 1);
    Matrix x({200, 2});
    for (std::size_t n = 0; n < 200; ++n) x(n, 0) = x(n, 1) = g(rng); // the copy: x2 = x1 exactly
    const Matrix pa = sensitivity::maps::predict(a, x, sensitivity::maps::Output::Logits), pb = sensitivity::maps::predict(b, x, sensitivity::maps::Output::Logits);
    const auto Ja = sensitivity::maps::jacobian(a, x, sensitivity::maps::Output::Logits), Jb = sensitivity::maps::jacobian(b, x, sensitivity::maps::Output::Logits);
    double diff = 0, ma[2] = {0, 0}, mb[2] = {0, 0}, sa = 0, sb = 0;
    for (std::size_t n = 0; n < 200; ++n) {
        diff = std::fmax(diff, std::fabs(pa(n, 0) - pb(n, 0)));
        for (int j = 0; j < 2; ++j) {
            ma[j] += std::fabs(Ja(n, 0, j)) / 200;
            mb[j] += std::fabs(Jb(n, 0, j)) / 200;
        }
        sa += std::fabs(Ja(n, 0, 0) + Ja(n, 0, 1)) / 200;
        sb += std::fabs(Jb(n, 0, 0) + Jb(n, 0, 1)) / 200;
    }
    std::printf("same predictions (max difference %.1e)\n", diff);
    std::printf("split 100:0  mean|J| x1 %.4f  x2 %.4f   mean|J1 + J2| %.4f\n", ma[0], ma[1], sa);
    std::printf("split  30:70 mean|J| x1 %.4f  x2 %.4f   mean|J1 + J2| %.4f\n", mb[0], mb[1], sb);
    int failures = 0;
    failures += diff > 1e-12;
    failures += ma[1] != 0 || std::fabs(mb[0] - 0.3 * ma[0]) > 1e-12 || std::fabs(mb[1] - 0.7 * ma[0]) > 1e-12;
    failures += std::fabs(sa - sb) > 1e-12;
    return failures;
}
