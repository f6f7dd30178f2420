// docs/snippets/fd_step.cpp — chapter 7: how the step h decides the error of central differences, float vs double.
// Too big an h and the formula is wrong (error ~ h²); too small and rounding wins (error ~ eps / h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "nn/gradcheck.hpp"

// Max relative error of the check of Σ tanh(x) for one precision and one step.
template <class T>
double error(const nn::Tensor<double>& x, double h) {
    nn::Recorder<T> f = [](nn::Tape<T>& t, const std::vector<nn::Var>& in) { return t.sum(t.tanh(in[0])); };
    const nn::Tensor<T> xs = xt::cast<T>(x);                // the same x, rounded to T
    return nn::gradcheck<T>(f, {xs}, nn::Tensor<T>{{T(1)}}, static_cast<T>(h))[0].max_rel_error;
}

int main() {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> uniform(-1.5, 1.5);
    nn::Tensor<double> x({1, 8});
    for (double& v : x) v = uniform(rng);

    double best_float = 1, best_double = 1;
    std::printf("h        float    double\n");
    for (int k = 1; k <= 8; ++k) {
        const double h = std::pow(10.0, -k);
        const double ef = error<float>(x, h), ed = error<double>(x, h);
        best_float = std::min(best_float, ef);
        best_double = std::min(best_double, ed);
        std::printf("1e-%02d    %-5.0e    %.0e\n", k, ef, ed);      // inf where x ± h round back to x
    }
    // float cannot get below about 1e-5; double gets below 1e-9 with h near 1e-5.
    return best_double < 1e-9 && best_float > 1e-6 ? 0 : 1;
}
