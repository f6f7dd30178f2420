// docs/solutions/gradcheck_mse.cpp — chapter 7, exercise 1: check the mse op's gradient with nn::gradcheck, for both inputs.
// Random inputs in double, h = 1e-5; both relative errors must be below the tests' 1e-6.
#include <iostream>
#include <random>
#include <vector>

#include "nn/gradcheck.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> uniform(-2.0, 2.0);
    Matrix a({4, 3}), b({4, 3});
    for (double& v : a) v = uniform(rng);
    for (double& v : b) v = uniform(rng);
    nn::Recorder<double> mse = [](nn::Tape<double>& t, const std::vector<nn::Var>& in) { return t.mse(in[0], in[1]); };
    const std::vector<nn::GradCheckResult> r = nn::gradcheck(mse, {a, b}, Matrix{{1.0}}, 1e-5);
    std::cout << "d mse / da: " << r[0] << "\nd mse / db: " << r[1] << '\n';
    return r.size() == 2 && r[0].ok(1e-6) && r[1].ok(1e-6) ? 0 : 1;
}
