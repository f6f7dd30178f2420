// docs/solutions/layers_log_softmax.cpp — chapter 9, exercise 2: log(softmax) written as two steps fails, log_softmax does not.
// For logits (1e4, −1e4) p₂ underflows to 0, so log p₂ = −inf; the engine's log_softmax gives −2e4, and its gradient checks.
#include <cmath>
#include <cstdio>
#include <vector>

#include "nn/gradcheck.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::Tape<double> tape;
    nn::Var a = tape.leaf(Matrix{{1e4, -1e4}});               // [1, 2]
    const double naive = std::log(tape.value(tape.softmax(a))(0, 1));   // two steps: p, then log p
    const double stable = tape.value(tape.log_softmax(a))(0, 1);
    std::printf("log(softmax) = %g, log_softmax = %g\n", naive, stable);

    nn::Recorder<double> f = [](nn::Tape<double>& t, const std::vector<nn::Var>& in) { return t.log_softmax(in[0]); };
    const Matrix x = {{0.3, -1.2, 2.0}, {1.0, 1.0, -0.5}}, seed = {{0.5, -1.0, 2.0}, {1.5, 0.25, -0.75}};
    const nn::GradCheckResult r = nn::gradcheck(f, {x}, seed, 1e-5)[0];
    std::printf("gradcheck of log_softmax: max rel %.1e\n", r.max_rel_error);
    return std::isinf(naive) && naive < 0 && stable == -2e4 && r.ok(1e-6) ? 0 : 1;
}
