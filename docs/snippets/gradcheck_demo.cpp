// docs/snippets/gradcheck_demo.cpp — chapter 7: a gradient check that passes, and two that must fail.
// Uses nn/gradcheck.hpp as a student would; the full check of every op is tests/test_gradcheck.cpp.
#include <iostream>
#include <random>
#include <vector>

#include "nn/gradcheck.hpp"

using Matrix = nn::Tensor<double>;
using Leaves = std::vector<nn::Var>;

int main() {
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> uniform(-2.0, 2.0);
    Matrix a({3, 4}), seed({3, 4});
    for (double& v : a) v = uniform(rng);
    for (double& v : seed) v = uniform(rng);             // a random seed: every output element counts
    const double h = 1e-5, tolerance = 1e-6;

    // 1. softmax, as the tape computes it: passes.
    nn::Recorder<double> softmax = [](nn::Tape<double>& t, const Leaves& in) { return t.softmax(in[0]); };
    const nn::GradCheckResult good = nn::gradcheck(softmax, {a}, seed, h)[0];
    std::cout << "softmax:        " << good << '\n';

    // 2. A bug: x·c with c a constant copy of x. The true gradient of Σ x·x is 2x; the tape only sees x.
    nn::Recorder<double> detached = [](nn::Tape<double>& t, const Leaves& in) {
        const nn::Var c = t.leaf(t.value(in[0]), false);  // the value, cut off from the graph
        return t.sum(t.mul(in[0], c));
    };
    const nn::GradCheckResult bug = nn::gradcheck(detached, {a}, Matrix{{1.0}}, h)[0];
    std::cout << "detached copy:  " << bug << '\n';

    // 3. relu exactly at its kink: the tape says 0, finite differences see half of each side.
    nn::Recorder<double> relu = [](nn::Tape<double>& t, const Leaves& in) { return t.sum(t.relu(in[0])); };
    const nn::GradCheckResult kink = nn::gradcheck(relu, {Matrix{{0.0, 0.7}}}, Matrix{{1.0}}, h)[0];
    std::cout << "relu at 0:      " << kink << '\n';

    const bool as_expected = good.ok(tolerance) && !bug.ok(tolerance) && !kink.ok(tolerance);
    std::cout << (as_expected ? "one pass, two failures, as expected\n" : "UNEXPECTED\n");
    return as_expected ? 0 : 1;
}
