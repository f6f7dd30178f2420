// docs/solutions/tape_add_softplus.cpp — chapter 6, exercise 3 (the capstone): add the op softplus, prove its two
// kernels by central differences, and use it as the hidden activation of a small MLP that then trains.
// The op is docs/solutions/ops/softplus.hpp; its registration is the line `#include "docs/solutions/ops/softplus.hpp"`
// that tests/extra_ops appends to a copy of nn/ops.hpp, and this program links the tape built from that copy
// (library nn_extra_ops).
#include <cmath>
#include <cstdio>
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
// The MLP: softplus(x·W1 + b1)·W2 + b2, and its mean squared error against a target.
nn::Var mlp_loss(nn::Tape<double>& t, const std::vector<nn::Var>& in) {  // in: x, W1, b1, W2, b2, target
    const nn::Var hidden = t.apply(nn::Op::Softplus, t.add_bias(t.matmul(in[0], in[1]), in[2]));
    return t.mse(t.add_bias(t.matmul(hidden, in[3]), in[4]), in[5]);
}
}  // namespace

int main() {
    std::mt19937_64 rng(6);
    constexpr double h = 1e-5, tol = 1e-6;

    // 1. The op is on the tape: it prints by its name, and its value is stable at both ends.
    {
        nn::Tape<double> t;
        const nn::Var x = t.leaf(Matrix{{-1000.0, -40.0, 0.0, 2.0, 1000.0}});
        const nn::Var y = t.apply(nn::Op::Softplus, x);
        const Matrix& v = t.value(y);
        std::cout << "softplus of -1000, -40, 0, 2, 1000: ";
        for (double e : v) std::printf("%.17g ", e);
        std::cout << '\n';
        expect(std::string(nn::op_name(nn::Op::Softplus)) == "softplus", "op_name(Op::Softplus) is \"softplus\"");
        expect(v(0, 4) == 1000.0 && std::isfinite(v(0, 4)), "softplus(1000) = 1000 (the naive log(1 + e^a) is inf)");
        const double naive = std::log(1.0 + std::exp(-40.0));   // 1 + 4e-18 rounds to 1
        expect(v(0, 0) >= 0.0 && v(0, 1) > 0.0 && v(0, 1) == std::log1p(std::exp(-40.0)) && naive == 0.0,
               "softplus(-40) = log1p(e^-40) > 0 (the naive form gives 0), softplus(-1000) >= 0");
        expect(std::abs(v(0, 2) - std::log(2.0)) <= 1e-16 && std::abs(v(0, 3) - std::log1p(std::exp(2.0))) <= 1e-15,
               "softplus(0) = log 2, softplus(2) = log(1 + e^2)");
    }
    // 2. Its reverse kernel (VJP) against central differences, on signed inputs, with a random seed.
    {
        nn::Recorder<double> f = [](nn::Tape<double>& t, const std::vector<nn::Var>& in) {
            return t.apply(nn::Op::Softplus, in[0]);
        };
        const Matrix x = random_matrix(4, 5, rng, -4, 4), seed = random_matrix(4, 5, rng, -1, 1);
        const nn::GradCheckResult r = nn::gradcheck(f, {x}, seed, h)[0];
        std::cout << "softplus reverse vs central differences: " << r << '\n';
        expect(r.ok(tol), "softplus reverse (VJP) within 1e-6 relative of central differences");
    }
    // 3. Its forward kernel (JVP): the tangent along a direction v against (f(x + hv) - f(x - hv)) / 2h.
    {
        const Matrix x = random_matrix(3, 4, rng, -4, 4), dir = random_matrix(3, 4, rng, -1, 1);
        nn::Tape<double> t;
        const nn::Var a = t.leaf(x);
        const nn::Var y = t.apply(nn::Op::Softplus, a);
        t.seed_tangent(a, 1) = dir;
        t.forward_tangents(y);
        const Matrix jvp = t.tangent(y);
        nn::Tape<double> up, down;
        const Matrix yu = up.value(up.apply(nn::Op::Softplus, up.leaf(Matrix(x + h * dir))));
        const Matrix yd = down.value(down.apply(nn::Op::Softplus, down.leaf(Matrix(x - h * dir))));
        double worst = 0;
        for (std::size_t i = 0; i < jvp.size(); ++i) {
            const double fd = (yu.data()[i] - yd.data()[i]) / (2 * h);
            worst = std::max(worst, std::abs(jvp.data()[i] - fd) / std::max(std::abs(fd), 1e-12));
        }
        std::printf("softplus forward (JVP) vs central differences: max rel %.1e\n", worst);
        expect(worst <= tol, "softplus forward (JVP) within 1e-6 relative of central differences");
    }
    // 4. In the MLP: the gradient of the loss in every input and parameter, then 300 steps of gradient descent.
    Matrix x = random_matrix(8, 3, rng, -2, 2), target({8, 1});
    for (std::size_t i = 0; i < 8; ++i) target(i, 0) = std::sin(x(i, 0)) + x(i, 1) * x(i, 2);   // a smooth target
    std::vector<Matrix> params = {random_matrix(3, 6, rng, -1, 1), random_matrix(1, 6, rng, -0.1, 0.1),
                                  random_matrix(6, 1, rng, -1, 1), random_matrix(1, 1, rng, -0.1, 0.1)};
    {
        const nn::Recorder<double> f = mlp_loss;
        const auto r = nn::gradcheck(f, {x, params[0], params[1], params[2], params[3], target}, Matrix{{1.0}}, h);
        const char* names[] = {"x", "W1", "b1", "W2", "b2", "target"};
        bool all = r.size() == 6;
        for (std::size_t k = 0; k < r.size(); ++k) {
            std::cout << "MLP loss, d/d" << names[k] << ": " << r[k] << '\n';
            all = all && r[k].ok(tol);
        }
        expect(all, "the softplus MLP's gradient in x, every parameter and the target within 1e-6 relative");
    }
    double first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
        nn::Tape<double> t;
        std::vector<nn::Var> in = {t.leaf(x, false)};
        for (const Matrix& p : params) in.push_back(t.leaf(p));
        in.push_back(t.leaf(target, false));
        const nn::Var loss = mlp_loss(t, in);
        (step == 0 ? first : last) = t.value(loss)(0, 0);
        t.backward(loss, Matrix{{1.0}});
        for (std::size_t k = 0; k < params.size(); ++k) params[k] -= 0.1 * t.grad(in[k + 1]);
    }
    std::printf("MLP training, 300 steps of gradient descent (rate 0.1): loss %.4f -> %.4f\n", first, last);
    expect(last < 0.25 * first, "training the softplus MLP cuts its loss to under a quarter");
    return failures == 0 ? 0 : 1;
}
