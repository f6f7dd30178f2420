// docs/solutions/gradcheck_bug_hunt.cpp — chapter 7, exercise 3 (the bug hunt): the op swish_planted
// (docs/solutions/ops/swish_planted.hpp) has a wrong reverse kernel. nn::gradcheck finds it on signed inputs, misses it
// on non-negative ones (pixels in [0, 1]), and passes the fixed op swish (docs/solutions/ops/swish.hpp) on both.
// Both ops are listed in a copy of nn/ops.hpp by tests/extra_ops (chapter 6, exercise 3); this program links that tape.
#include <cmath>
#include <iostream>
#include <random>
#include <vector>

#include "nn/gradcheck.hpp"

using Matrix = nn::Tensor<double>;

namespace {
int failures = 0;
void expect(bool ok, const char* what) {
    std::cout << (ok ? "ok:     " : "FAILED: ") << what << '\n';
    failures += ok ? 0 : 1;
}
Matrix random_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng, double lo, double hi) {
    std::uniform_real_distribution<double> u(lo, hi);
    Matrix m({rows, cols});
    for (double& v : m) v = u(rng);
    return m;
}
nn::GradCheckResult check(nn::Op op, const Matrix& x, const Matrix& seed) {
    const nn::Recorder<double> f = [op](nn::Tape<double>& t, const std::vector<nn::Var>& in) { return t.apply(op, in[0]); };
    return nn::gradcheck(f, {x}, seed, 1e-5)[0];
}
}  // namespace

int main() {
    constexpr double tol = 1e-6;
    std::mt19937_64 rng(7);
    const Matrix seed = random_matrix(6, 8, rng, -1, 1);
    const Matrix pixels = random_matrix(6, 8, rng, 0, 1);   // what an MNIST input looks like: the trap
    const Matrix signed_x = random_matrix(6, 8, rng, -3, 3); // what a hidden pre-activation looks like

    const nn::GradCheckResult planted_pixels = check(nn::Op::SwishPlanted, pixels, seed);
    const nn::GradCheckResult planted_signed = check(nn::Op::SwishPlanted, signed_x, seed);
    const nn::GradCheckResult fixed_pixels = check(nn::Op::Swish, pixels, seed);
    const nn::GradCheckResult fixed_signed = check(nn::Op::Swish, signed_x, seed);
    std::cout << "swish_planted, inputs in [0, 1]:  " << planted_pixels << '\n'
              << "swish_planted, inputs in [-3, 3]: " << planted_signed << '\n'
              << "swish (fixed), inputs in [0, 1]:  " << fixed_pixels << '\n'
              << "swish (fixed), inputs in [-3, 3]: " << fixed_signed << '\n';

    expect(planted_pixels.ok(tol), "the trap: the planted op PASSES on non-negative inputs (where |x| = x)");
    expect(!planted_signed.ok(tol), "the planted op FAILS on signed inputs");
    const std::size_t worst = planted_signed.worst_row * signed_x.shape(1) + planted_signed.worst_col;
    expect(signed_x.data()[worst] < 0, "its worst element is a negative input");
    expect(fixed_pixels.ok(tol) && fixed_signed.ok(tol), "the fixed op passes on both");

    // The symptom, element by element: where x < 0 the planted slope is swish'(|x|), not swish'(x). At x = -2 the
    // true slope is σ(-2)(1 - 2σ(2)) ≈ -0.0908 (swish falls there) but the planted one says swish'(2) ≈ 1.0908.
    nn::Tape<double> t;
    const nn::Var a = t.leaf(Matrix{{-2.0, 2.0}});
    t.backward(t.apply(nn::Op::SwishPlanted, a), Matrix{{1.0, 1.0}});
    const Matrix planted_slope = t.grad(a);
    nn::Tape<double> u;
    const nn::Var b = u.leaf(Matrix{{-2.0, 2.0}});
    u.backward(u.apply(nn::Op::Swish, b), Matrix{{1.0, 1.0}});
    const Matrix true_slope = u.grad(b);
    std::cout << "slope at x = -2: planted " << planted_slope(0, 0) << ", true " << true_slope(0, 0)
              << "; at x = 2: planted " << planted_slope(0, 1) << ", true " << true_slope(0, 1) << '\n';
    expect(std::abs(planted_slope(0, 1) - true_slope(0, 1)) < 1e-15 && planted_slope(0, 0) > 1.0 &&
               true_slope(0, 0) < 0.0, "at x = 2 the slopes agree; at x = -2 the planted one has the wrong sign");
    return failures == 0 ? 0 : 1;
}
