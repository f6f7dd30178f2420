// docs/solutions/tables_units_chain_rule.cpp — chapter 15, exercise 1: the network sees z = (x − mean) / sd, the user asks
// about x. Check ∂y/∂x_j = y_sd · ∂f/∂z_j / sd_j against central differences in raw units, and that ·sd_j gives per-SD.
#include <cmath>
#include <cstdio>

#include "nn/mlp.hpp"
#include "sensitivity/maps/jacobian.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::MLP<double> net(2, 6, 1, nn::Activation::Tanh, 4);
    const double mean[2] = {500, -1}, sd[2] = {250, 0.01};         // grams and a tiny unit: wildly different scales
    const double y_mean = 10, y_sd = 3;                             // the target was standardized too
    const double x[2] = {620, -1.004};                              // one row in raw units
    // y(x) in raw units: standardize, run the network, undo the target's standardization.
    auto y_of = [&](const double* raw) {
        Matrix z({1, 2});
        for (int j = 0; j < 2; ++j) z(0, j) = (raw[j] - mean[j]) / sd[j];
        return y_mean + y_sd * sensitivity::maps::predict(net, z, sensitivity::maps::Output::Logits)(0, 0);
    };
    Matrix z({1, 2});
    for (int j = 0; j < 2; ++j) z(0, j) = (x[j] - mean[j]) / sd[j];
    const auto Jz = sensitivity::maps::jacobian(net, z, sensitivity::maps::Output::Logits);   // [1, 1, 2], per standardized unit
    int failures = 0;
    for (int j = 0; j < 2; ++j) {
        const double chain = y_sd * Jz(0, 0, j) / sd[j];                // target units per raw unit
        const double h = 1e-4 * sd[j];
        double up[2] = {x[0], x[1]}, down[2] = {x[0], x[1]};
        up[j] += h;
        down[j] -= h;
        const double fd = (y_of(up) - y_of(down)) / (2 * h);
        const bool ok = std::fabs(chain - fd) <= 1e-6 * std::fabs(fd) + 1e-12;
        std::printf("feature %d: dy/dx = %.6g per unit (FD %.6g) %s; per SD %.4g\n", j, chain, fd, ok ? "ok" : "WRONG",
                    chain * sd[j]);
        failures += !ok;
        // Per SD does not depend on the feature's unit: it is y_sd · ∂f/∂z_j.
        failures += std::fabs(chain * sd[j] - y_sd * Jz(0, 0, j)) > 1e-12 * std::fabs(y_sd * Jz(0, 0, j));
    }
    return failures;
}
