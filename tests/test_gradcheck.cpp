// tests/test_gradcheck.cpp — chapters 7 and 8: every op's tape gradient (VJP) and tangent (JVP) equal central differences.
// Also proves the checker itself can fail. Tape bookkeeping (printing, zero_grad, rewind) is test_tape.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "nn/gradcheck.hpp"

namespace {

using Shape = std::array<std::size_t, 2>;

// Random values with |x| in [0.1, 1.5] and a random sign: away from relu's kink at 0.
nn::Tensor<double> random_matrix(Shape s, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> magnitude(0.1, 1.5);
    std::bernoulli_distribution negative(0.5);
    nn::Tensor<double> m({s[0], s[1]});
    for (double& v : m) v = negative(rng) ? -magnitude(rng) : magnitude(rng);
    return m;
}

template <class T>
nn::Tensor<T> cast(const nn::Tensor<double>& m) {
    return xt::cast<T>(m);
}

// One op under test: its inputs' shapes, its output's shape, and the function that records it.
// The same generic lambda becomes a float and a double recorder.
struct OpCase {
    std::string op;                 // as op_name() prints it
    std::vector<Shape> inputs;
    Shape output;
    nn::Recorder<double> f64;
    nn::Recorder<float> f32;
};

template <class F>
OpCase make_case(std::string op, std::vector<Shape> inputs, Shape output, F f) {
    return OpCase{std::move(op), std::move(inputs), output, f, f};
}

using Leaves = std::vector<nn::Var>;

std::vector<OpCase> all_op_cases() {
    const std::vector<int> labels = {2, 0, 3};
    return {
        make_case("matmul", {{3, 4}, {4, 5}}, {3, 5}, [](auto& t, const Leaves& v) { return t.matmul(v[0], v[1]); }),
        make_case("add_bias", {{3, 4}, {1, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.add_bias(v[0], v[1]); }),
        make_case("add", {{3, 4}, {3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.add(v[0], v[1]); }),
        make_case("sub", {{3, 4}, {3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.sub(v[0], v[1]); }),
        make_case("mul", {{3, 4}, {3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.mul(v[0], v[1]); }),
        make_case("scale", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.scale(v[0], -1.75); }),
        make_case("relu", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.relu(v[0]); }),
        make_case("sigmoid", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.sigmoid(v[0]); }),
        make_case("tanh", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.tanh(v[0]); }),
        make_case("leaky_relu", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.leaky_relu(v[0], 0.2); }),
        make_case("gelu", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.gelu(v[0]); }),
        make_case("softmax", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.softmax(v[0]); }),
        make_case("log_softmax", {{3, 4}}, {3, 4}, [](auto& t, const Leaves& v) { return t.log_softmax(v[0]); }),
        make_case("softmax_cross_entropy", {{3, 4}}, {1, 1},
                  [labels](auto& t, const Leaves& v) { return t.softmax_cross_entropy(v[0], labels); }),
        make_case("mse", {{3, 4}, {3, 4}}, {1, 1}, [](auto& t, const Leaves& v) { return t.mse(v[0], v[1]); }),
        make_case("sum", {{3, 4}}, {1, 1}, [](auto& t, const Leaves& v) { return t.sum(v[0]); }),
        make_case("mean", {{3, 4}}, {1, 1}, [](auto& t, const Leaves& v) { return t.mean(v[0]); }),
    };
}

// Records f once on a fresh tape and returns the op of its output node.
std::string recorded_op(const OpCase& c) {
    std::mt19937_64 rng(1);
    nn::Tape<double> tape;
    Leaves leaves;
    for (Shape s : c.inputs) leaves.push_back(tape.leaf(random_matrix(s, rng)));
    return nn::op_name(tape.node(c.f64(tape, leaves)).op);
}

// max |a - b| / max |b| over a whole tensor.
template <class A, class B>
double relative_difference(const A& a, const B& b) {
    double diff = 0, ref = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, std::abs(double(a.data()[i]) - double(b.data()[i])));
        ref = std::max(ref, std::abs(double(b.data()[i])));
    }
    return diff / ref;
}

constexpr double kStep = 1e-5;   // central-difference step in double
constexpr double kTol = 1e-6;    // max relative error allowed in double

}  // namespace

TEST_CASE("every op on the tape has a gradient case below (the Op enum is closed)") {
    std::vector<std::string> covered;
    for (const OpCase& c : all_op_cases()) {
        INFO("case ", c.op);
        CHECK(recorded_op(c) == c.op);   // the case really records the op it names
        covered.push_back(recorded_op(c));
    }
    for (int i = 1;; ++i) {              // 0 is Leaf, which has no backward
        const std::string name = nn::op_name(static_cast<nn::Op>(i));
        if (name == "?") break;
        INFO("op ", name, " has no case in all_op_cases()");
        CHECK(std::find(covered.begin(), covered.end(), name) != covered.end());
    }
}

TEST_CASE("every op's tape gradient equals central differences within 1e-6 relative, for every input (double)") {
    std::mt19937_64 rng(20241125);
    for (const OpCase& c : all_op_cases()) {
        std::vector<nn::Tensor<double>> inputs;
        for (Shape s : c.inputs) inputs.push_back(random_matrix(s, rng));
        const nn::Tensor<double> seed = random_matrix(c.output, rng);   // a random non-trivial seed
        const auto results = nn::gradcheck(c.f64, inputs, seed, kStep);
        REQUIRE(results.size() == c.inputs.size());
        for (std::size_t k = 0; k < results.size(); ++k) {
            std::ostringstream what;
            what << c.op << ", input " << k << ": " << results[k];
            INFO(what.str());
            CHECK(results[k].max_rel_error <= kTol);
        }
    }
}

TEST_CASE("every op's float gradient agrees with its double gradient within 1e-4 relative") {
    std::mt19937_64 rng(7);
    for (const OpCase& c : all_op_cases()) {
        std::vector<nn::Tensor<float>> in32;
        std::vector<nn::Tensor<double>> in64;
        for (Shape s : c.inputs) {
            in32.push_back(cast<float>(random_matrix(s, rng)));
            in64.push_back(cast<double>(in32.back()));             // exactly the same numbers
        }
        const nn::Tensor<double> seed64 = cast<double>(cast<float>(random_matrix(c.output, rng)));
        const nn::Tensor<float> seed32 = cast<float>(seed64);
        for (std::size_t k = 0; k < c.inputs.size(); ++k) {
            const nn::Tensor<float> g32 = nn::tape_gradient(c.f32, in32, k, seed32);
            const nn::Tensor<double> g64 = nn::tape_gradient(c.f64, in64, k, seed64);
            INFO(c.op, ", input ", k);
            CHECK(relative_difference(g32, g64) <= 1e-4);
        }
    }
}

TEST_CASE("a variable used twice gets the sum of both paths: x*x and a weight shared by two matmuls") {
    std::mt19937_64 rng(11);
    const nn::Tensor<double> x = random_matrix({3, 4}, rng);
    const nn::Tensor<double> seed = random_matrix({3, 4}, rng);

    nn::Recorder<double> square = [](nn::Tape<double>& t, const Leaves& v) { return t.mul(v[0], v[0]); };
    CHECK(nn::gradcheck(square, {x}, seed, kStep)[0].ok(kTol));
    const nn::Tensor<double> expected = 2.0 * x * seed;            // d(x²) = 2x, weighted by the seed
    CHECK(relative_difference(nn::tape_gradient(square, {x}, 0, seed), expected) <= 1e-15);

    nn::Recorder<double> shared = [](nn::Tape<double>& t, const Leaves& v) {
        return t.matmul(t.tanh(t.matmul(v[0], v[1])), v[1]);       // [3, 4]·[4, 4] twice with the same W
    };
    const auto r = nn::gradcheck(shared, {x, random_matrix({4, 4}, rng)}, seed, kStep);
    INFO("dx: ", r[0], "; dW: ", r[1]);
    CHECK(r[0].ok(kTol));
    CHECK(r[1].ok(kTol));
}

TEST_CASE("a diamond x -> tanh(x), x -> sigmoid(x), then their sum, gives both branches' gradients added") {
    std::mt19937_64 rng(12);
    const nn::Tensor<double> x = random_matrix({2, 5}, rng);
    const nn::Tensor<double> seed = random_matrix({2, 5}, rng);
    nn::Recorder<double> diamond = [](nn::Tape<double>& t, const Leaves& v) {
        return t.add(t.tanh(v[0]), t.sigmoid(v[0]));
    };
    CHECK(nn::gradcheck(diamond, {x}, seed, kStep)[0].ok(kTol));
    const nn::Tensor<double> th = xt::tanh(x);
    const nn::Tensor<double> sg = 1.0 / (1.0 + xt::exp(-x));
    const nn::Tensor<double> expected = seed * ((1.0 - th * th) + sg * (1.0 - sg));
    CHECK(relative_difference(nn::tape_gradient(diamond, {x}, 0, seed), expected) <= 1e-14);
}

TEST_CASE("one forward, backward with two different seeds: each gradient equals its own finite differences") {
    std::mt19937_64 rng(13);
    const std::vector<nn::Tensor<double>> inputs = {random_matrix({4, 6}, rng), random_matrix({6, 3}, rng),
                                                    random_matrix({1, 3}, rng)};
    nn::Recorder<double> f = [](nn::Tape<double>& t, const Leaves& v) {
        return t.softmax(t.add_bias(t.matmul(t.relu(v[0]), v[1]), v[2]));   // [4, 3]
    };
    const nn::Tensor<double> seed1 = random_matrix({4, 3}, rng);
    const nn::Tensor<double> seed2 = random_matrix({4, 3}, rng);

    nn::Tape<double> tape;                                      // one forward ...
    Leaves leaves;
    for (const auto& x : inputs) leaves.push_back(tape.leaf(x));
    const nn::Var y = f(tape, leaves);
    const std::size_t nodes = tape.size();

    tape.zero_grad();                                           // ... and three backward walks
    tape.backward(y, seed1);
    const nn::Tensor<double> dx1 = tape.grad(leaves[0]), dW1 = tape.grad(leaves[1]);
    tape.zero_grad();
    tape.backward(y, seed2);
    const nn::Tensor<double> dx2 = tape.grad(leaves[0]), dW2 = tape.grad(leaves[1]);
    tape.zero_grad();
    tape.backward(y, seed1);
    CHECK(tape.size() == nodes);                                // backward records nothing

    const auto check = [&](const nn::Tensor<double>& got, std::size_t k, const nn::Tensor<double>& seed) {
        const auto r = nn::compare_gradients(got, nn::numeric_gradient(f, inputs, k, seed, kStep), 1e-8);
        INFO("input ", k, ": ", r);
        CHECK(r.ok(kTol));
    };
    check(dx1, 0, seed1);
    check(dW1, 1, seed1);
    check(dx2, 0, seed2);
    check(dW2, 1, seed2);
    CHECK(relative_difference(dx1, dx2) > 1e-3);                // the seeds really give different answers
    CHECK(tape.grad(leaves[0]) == dx1);                         // the same seed again: bit for bit
    CHECK(tape.grad(leaves[1]) == dW1);
}

TEST_CASE("compare_gradients reports the largest errors and the worst element") {
    const nn::Tensor<double> analytic = {{1.0, 2.0}, {3.0, -4.0}};
    const nn::Tensor<double> numeric = {{1.0, 2.5}, {3.0, -4.0}};
    const nn::GradCheckResult r = nn::compare_gradients(analytic, numeric, 1e-8);
    CHECK(r.max_abs_error == doctest::Approx(0.5));
    CHECK(r.max_rel_error == doctest::Approx(0.2));             // 0.5 / max(2, 2.5)
    CHECK(r.worst_row == 0);
    CHECK(r.worst_col == 1);
    CHECK(r.worst_analytic == 2.0);
    CHECK(r.worst_numeric == 2.5);
    CHECK_FALSE(r.ok(0.1));
    CHECK(r.ok(0.25));
    const nn::GradCheckResult zero = nn::compare_gradients(nn::Tensor<double>{{0.0}}, nn::Tensor<double>{{1e-12}}, 1e-8);
    CHECK(zero.max_rel_error == doctest::Approx(1e-4));         // tiny keeps near-zero gradients from exploding
}

TEST_CASE("a NaN or an infinity anywhere fails the comparison, not only in the first element") {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const nn::Tensor<double> good = {{1.0, 2.0, 3.0}};
    for (std::size_t col : {std::size_t(0), std::size_t(2)}) {
        nn::Tensor<double> broken = good;
        broken(0, col) = nan;
        const nn::GradCheckResult tape_nan = nn::compare_gradients(broken, good, 1e-8);
        const nn::GradCheckResult numeric_nan = nn::compare_gradients(good, broken, 1e-8);
        INFO("NaN in column ", col, ": ", tape_nan, "; ", numeric_nan);
        CHECK_FALSE(tape_nan.ok(1e-6));
        CHECK_FALSE(numeric_nan.ok(1e-6));
        CHECK(tape_nan.worst_col == col);
        broken(0, col) = inf;
        CHECK_FALSE(nn::compare_gradients(broken, good, 1e-8).ok(1e-6));
    }
    // A step so small that x ± h round back to x: the numeric side is 0/0, and the check says so.
    const nn::Tensor<float> x = {{1.0f, -1.25f}};
    nn::Recorder<float> f = [](nn::Tape<float>& t, const std::vector<nn::Var>& v) { return t.sum(t.tanh(v[0])); };
    const auto r = nn::gradcheck(f, {x}, nn::Tensor<float>{{1.0f}}, 1e-9f)[0];
    INFO(r);
    CHECK_FALSE(r.ok(1e-2));
    CHECK(std::isinf(r.max_rel_error));
}

TEST_CASE("the check fails when the function hides a path from the tape (a detached copy of x)") {
    std::mt19937_64 rng(14);
    const nn::Tensor<double> x = random_matrix({3, 3}, rng);
    // f(x) = Σ x ⊙ c, with c a copy of x's value: the tape sees df/dx = c, the truth is 2x.
    nn::Recorder<double> detached = [](nn::Tape<double>& t, const Leaves& v) {
        const nn::Var c = t.leaf(t.value(v[0]), false);
        return t.sum(t.mul(v[0], c));
    };
    const auto r = nn::gradcheck(detached, {x}, nn::Tensor<double>{{1.0}}, kStep)[0];
    INFO(r);
    CHECK_FALSE(r.ok(kTol));
    CHECK(r.max_rel_error == doctest::Approx(0.5).epsilon(1e-6));   // |x - 2x| / |2x|
}

TEST_CASE("the check fails with a huge step h, and passes with a sensible one") {
    std::mt19937_64 rng(15);
    const nn::Tensor<double> x = random_matrix({2, 4}, rng);
    nn::Recorder<double> f = [](nn::Tape<double>& t, const Leaves& v) { return t.sum(t.tanh(v[0])); };
    const auto good = nn::gradcheck(f, {x}, nn::Tensor<double>{{1.0}}, kStep)[0];
    const auto huge = nn::gradcheck(f, {x}, nn::Tensor<double>{{1.0}}, 1.0)[0];
    INFO("h = 1e-5: ", good, "; h = 1: ", huge);
    CHECK(good.ok(kTol));
    CHECK_FALSE(huge.ok(1e-2));
}

TEST_CASE("the check fails exactly at relu's kink, where the derivative does not exist") {
    const nn::Tensor<double> x = {{0.0, 0.5, -0.5}};
    nn::Recorder<double> f = [](nn::Tape<double>& t, const Leaves& v) { return t.sum(t.relu(v[0])); };
    const auto r = nn::gradcheck(f, {x}, nn::Tensor<double>{{1.0}}, kStep)[0];
    INFO(r);
    CHECK_FALSE(r.ok(kTol));
    CHECK(r.worst_col == 0);
    CHECK(r.worst_analytic == 0.0);                              // the tape picks 0 at the kink
    CHECK(r.worst_numeric == doctest::Approx(0.5));              // finite differences average the two sides
}

TEST_CASE("gradcheck refuses a seed of the wrong shape and an input index out of range") {
    nn::Recorder<double> f = [](nn::Tape<double>& t, const Leaves& v) { return t.tanh(v[0]); };
    const nn::Tensor<double> x = {{0.3, 0.4}};
    CHECK_THROWS_WITH(nn::numeric_gradient(f, {x}, 0, nn::Tensor<double>{{1.0}}, kStep),
                      "gradcheck: seed is [1, 1] but the output is [1, 2]");
    CHECK_THROWS_WITH(nn::tape_gradient(f, {x}, 1, nn::Tensor<double>{{1.0, 1.0}}),
                      "gradcheck: wrt = 1 but there are only 1 inputs");
}

// ---------------------------------------------------------------- forward mode (JVP): the tangent kernels
namespace {

// f(inputs + t·v) recorded on a fresh tape: the value whose central difference in t is the JVP along v.
nn::Tensor<double> value_along(const nn::Recorder<double>& f, const std::vector<nn::Tensor<double>>& inputs,
                               const std::vector<nn::Tensor<double>>& v, double t, const std::vector<bool>& seeded) {
    nn::Tape<double> tape;
    Leaves leaves;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        nn::Tensor<double> x = inputs[k];
        if (seeded[k]) x += t * v[k];
        leaves.push_back(tape.leaf(x, false));
    }
    return tape.value(f(tape, leaves));
}

// The tape's JVP of f along K directions at once; dirs[k][d] is the direction of input k for direction d.
// Returns the stacked tangent [K·R, N] of the output. Only inputs with seeded[k] get a seed.
nn::Tensor<double> tape_jvp(const nn::Recorder<double>& f, const std::vector<nn::Tensor<double>>& inputs,
                            const std::vector<std::vector<nn::Tensor<double>>>& dirs, const std::vector<bool>& seeded) {
    const std::size_t K = dirs[0].size();
    nn::Tape<double> tape;
    Leaves leaves;
    for (const auto& x : inputs) leaves.push_back(tape.leaf(x, false));
    const nn::Var y = f(tape, leaves);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        if (!seeded[k]) continue;
        nn::Tensor<double>& t = tape.seed_tangent(leaves[k], K);     // [K·R, N]
        const std::size_t n = inputs[k].size();
        for (std::size_t d = 0; d < K; ++d) std::copy(dirs[k][d].begin(), dirs[k][d].end(), t.data() + d * n);
    }
    tape.forward_tangents(y);
    return tape.tangent(y);
}

}  // namespace

TEST_CASE("every op's tangent (JVP) equals central differences within 1e-6 relative, 3 directions at once (double)") {
    std::mt19937_64 rng(20261128);
    constexpr std::size_t K = 3;
    for (const OpCase& c : all_op_cases()) {
        std::vector<nn::Tensor<double>> inputs;
        std::vector<std::vector<nn::Tensor<double>>> dirs(c.inputs.size());
        for (std::size_t k = 0; k < c.inputs.size(); ++k) {
            inputs.push_back(random_matrix(c.inputs[k], rng));
            for (std::size_t d = 0; d < K; ++d) dirs[k].push_back(random_matrix(c.inputs[k], rng));
        }
        // Seed each input alone, then all of them together: every branch of every tangent kernel runs.
        std::vector<std::vector<bool>> patterns;
        for (std::size_t k = 0; k < c.inputs.size(); ++k) {
            std::vector<bool> p(c.inputs.size(), false);
            p[k] = true;
            patterns.push_back(p);
        }
        if (c.inputs.size() > 1) patterns.emplace_back(c.inputs.size(), true);
        for (const std::vector<bool>& seeded : patterns) {
            const nn::Tensor<double> jvp = tape_jvp(c.f64, inputs, dirs, seeded);
            const std::size_t R = c.output[0], N = c.output[1];
            REQUIRE(jvp.shape(0) == K * R);
            REQUIRE(jvp.shape(1) == N);
            for (std::size_t d = 0; d < K; ++d) {
                std::vector<nn::Tensor<double>> v(c.inputs.size());
                for (std::size_t k = 0; k < c.inputs.size(); ++k) v[k] = dirs[k][d];
                const nn::Tensor<double> fd = (value_along(c.f64, inputs, v, kStep, seeded) -
                                               value_along(c.f64, inputs, v, -kStep, seeded)) / (2 * kStep);
                const nn::Tensor<double> block = xt::view(jvp, xt::range(d * R, (d + 1) * R), xt::all());
                INFO(c.op, ", direction ", d, ", seeded inputs ", seeded.size() > 1 && seeded[1] ? "incl. 2nd" : "1st");
                CHECK(relative_difference(block, fd) <= kTol);
            }
        }
    }
}

TEST_CASE("a JVP check fails for a wrong tangent: relu's tangent read at the kink disagrees with finite differences") {
    // relu at 0 takes derivative 0 (as its backward does); the two-sided difference sees 1/2.
    const nn::Tensor<double> x = {{0.0, 0.5, -0.5}};
    nn::Recorder<double> f = [](nn::Tape<double>& t, const Leaves& v) { return t.relu(v[0]); };
    const nn::Tensor<double> dir = {{1.0, 1.0, 1.0}};
    const nn::Tensor<double> jvp = tape_jvp(f, {x}, {{dir}}, {true});
    const nn::Tensor<double> fd =
        (value_along(f, {x}, {dir}, kStep, {true}) - value_along(f, {x}, {dir}, -kStep, {true})) / (2 * kStep);
    CHECK(jvp(0, 0) == 0.0);
    CHECK(fd(0, 0) == doctest::Approx(0.5));
    CHECK(relative_difference(jvp, fd) > kTol);
}

TEST_CASE("forward mode refuses a non-leaf seed, mixed direction counts, and reading a tangent that was never made") {
    nn::Tape<double> tape;
    const nn::Var a = tape.leaf(nn::Tensor<double>{{1.0, 2.0}});
    const nn::Var b = tape.leaf(nn::Tensor<double>{{3.0, 4.0}});
    const nn::Var y = tape.tanh(a);
    CHECK_THROWS_WITH(tape.forward_tangents(y), "tape: forward_tangents without a seed (call seed_tangent first)");
    CHECK_THROWS_AS(tape.seed_tangent(y, 2), std::logic_error);
    tape.seed_tangent(a, 2);
    CHECK_THROWS_WITH(tape.seed_tangent(b, 3),
                      "tape: seed_tangent with 3 directions, but the seeds so far have 2 (call clear_tangents() first)");
    tape.forward_tangents(y);
    CHECK(tape.tangent(y).shape(0) == 2);                        // K·R = 2·1
    CHECK_FALSE(tape.has_tangent(b));                            // an unseeded leaf is a constant
    CHECK_THROWS_AS(tape.tangent(b), std::logic_error);
    tape.clear_tangents();
    CHECK(tape.directions() == 0);
    CHECK_NOTHROW(tape.seed_tangent(b, 3));
}

// ---------------------------------------------------------------- linearize, then transpose (chapter 8)
namespace {

// Σ a ⊙ b over two tensors of the same size: the inner product ⟨a, b⟩.
double inner(const nn::Tensor<double>& a, const nn::Tensor<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
    return s;
}

// Both sides of the transpose identity for one recorded function f at `inputs`: ⟨J v, u⟩ through the forward
// kernels (one direction v, all inputs seeded) and ⟨v, Jᵀ u⟩ through the reverse kernels (seed u).
struct TransposeSides {
    double jvp_dot_u = 0, v_dot_vjp = 0, scale = 0;   // scale: Σ |terms|, what rounding is relative to
};

TransposeSides transpose_sides(const nn::Recorder<double>& f, const std::vector<nn::Tensor<double>>& inputs,
                               const std::vector<nn::Tensor<double>>& v, const nn::Tensor<double>& u) {
    nn::Tape<double> tape;
    Leaves leaves;
    for (const auto& x : inputs) leaves.push_back(tape.leaf(x, true));
    const nn::Var y = f(tape, leaves);
    for (std::size_t k = 0; k < inputs.size(); ++k) tape.seed_tangent(leaves[k], 1) = v[k];   // K = 1
    tape.forward_tangents(y);
    tape.backward(y, u);
    TransposeSides s;
    s.jvp_dot_u = inner(tape.tangent(y), u);
    s.scale = inner(xt::abs(tape.tangent(y)), xt::abs(u));
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        s.v_dot_vjp += inner(v[k], tape.grad(leaves[k]));
        s.scale += inner(xt::abs(v[k]), xt::abs(tape.grad(leaves[k])));
    }
    return s;
}

}  // namespace

TEST_CASE("every op's reverse kernel is the transpose of its forward kernel: <J v, u> = <v, J^T u> within 1e-12") {
    // No finite differences: both sides are exact, so they agree to rounding. all_op_cases() covers every op in
    // the enum (the first test case above fails otherwise), so an op added later is checked here too.
    std::mt19937_64 rng(20261207);
    for (const OpCase& c : all_op_cases()) {
        for (int trial = 0; trial < 5; ++trial) {
            std::vector<nn::Tensor<double>> inputs, v;
            for (Shape s : c.inputs) {
                inputs.push_back(random_matrix(s, rng));
                v.push_back(random_matrix(s, rng));               // a random tangent per input
            }
            const nn::Tensor<double> u = random_matrix(c.output, rng);   // a random cotangent
            const TransposeSides s = transpose_sides(c.f64, inputs, v, u);
            INFO(c.op, ", trial ", trial, ": <Jv, u> = ", s.jvp_dot_u, ", <v, J^T u> = ", s.v_dot_vjp);
            CHECK(std::abs(s.jvp_dot_u - s.v_dot_vjp) <= 1e-12 * s.scale);
        }
    }
}

TEST_CASE("the transpose check fails when one kernel is wrong: tanh's forward paired with sigmoid's reverse") {
    // Not a real op: tanh's tangent against sigmoid's gradient, the kind of mismatch a copy-paste makes.
    std::mt19937_64 rng(21);
    const nn::Tensor<double> x = random_matrix({3, 4}, rng), v = random_matrix({3, 4}, rng),
                             u = random_matrix({3, 4}, rng);
    nn::Recorder<double> tanh_f = [](nn::Tape<double>& t, const Leaves& l) { return t.tanh(l[0]); };
    nn::Recorder<double> sigmoid_f = [](nn::Tape<double>& t, const Leaves& l) { return t.sigmoid(l[0]); };
    const double jvp_dot_u = transpose_sides(tanh_f, {x}, {v}, u).jvp_dot_u;
    const TransposeSides wrong = transpose_sides(sigmoid_f, {x}, {v}, u);
    INFO("<J_tanh v, u> = ", jvp_dot_u, ", <v, J_sigmoid^T u> = ", wrong.v_dot_vjp);
    CHECK(std::abs(jvp_dot_u - wrong.v_dot_vjp) > 1e-3 * wrong.scale);
}

TEST_CASE("gelu and leaky_relu give PyTorch's values and gradients (torch float64, F.gelu exact and F.leaky_relu 0.2)") {
    // Made with /usr/bin/python3: torch.nn.functional.gelu(x) (approximate='none') and leaky_relu(x, 0.2), float64.
    const nn::Tensor<double> x = {{-3.0, -0.5, 0.0, 1.0, 2.5}};
    const std::vector<double> y = {-0.00404969409489031, -0.15426876936299344, 0.0, 0.841344746068543, 2.4844758366855597};
    const std::vector<double> dx = {-0.01194564720418392, 0.13250487534383712, 0.5, 1.0833154705876864, 1.037611085908145};
    nn::Tape<double> tape;
    const nn::Var a = tape.leaf(x);
    const nn::Var g = tape.gelu(a);
    tape.backward(tape.sum(g));
    for (std::size_t i = 0; i < y.size(); ++i) {
        CHECK(tape.value(g)(0, i) == doctest::Approx(y[i]).epsilon(1e-14));
        CHECK(tape.grad(a)(0, i) == doctest::Approx(dx[i]).epsilon(1e-14));
    }
    nn::Tape<double> t2;
    const nn::Var b = t2.leaf(nn::Tensor<double>{{-2.0, -0.5, 0.5, 3.0}});
    const nn::Var l = t2.leaky_relu(b, 0.2);
    t2.backward(t2.sum(l));
    CHECK(t2.value(l) == nn::Tensor<double>{{-0.4, -0.1, 0.5, 3.0}});
    CHECK(t2.grad(b) == nn::Tensor<double>{{0.2, 0.2, 1.0, 1.0}});
    std::ostringstream printed;
    printed << t2;
    CHECK(printed.str().find("leaky_relu(%0, 0.2)") != std::string::npos);   // the slope is on the printed tape
}

TEST_CASE("tanh of a huge pre-activation (2e22, ±inf) is ±1 with gradient 0, no UB; a NaN stays NaN; sigmoid likewise") {
    // xsimd's tanh converts a huge argument to an integer inside exp: undefined behaviour, which clang's UBSan reports
    // here without the clamp (g++'s -fsanitize=undefined has no float-cast-overflow). The kernel clamps to [-20, 20].
    auto check = [](auto zero) {
        using T = decltype(zero);
        const T inf = std::numeric_limits<T>::infinity();
        nn::Tape<T> tape;
        const nn::Var a = tape.leaf(nn::Tensor<T>{{T(2e22), T(-2e22), inf, -inf, T(20), T(0.5)}});
        const nn::Var y = tape.tanh(a);
        tape.backward(tape.sum(y));
        const nn::Tensor<T> expect_y = {{T(1), T(-1), T(1), T(-1), T(std::tanh(T(20))), T(std::tanh(T(0.5)))}};
        CHECK(tape.value(y) == expect_y);
        for (std::size_t i = 0; i < 5; ++i) CHECK(tape.grad(a)(0, i) == T(0));
        CHECK(xt::all(xt::isfinite(tape.grad(a))));
        nn::Tape<T> t2;
        const nn::Var n = t2.leaf(nn::Tensor<T>{{std::numeric_limits<T>::quiet_NaN()}});
        CHECK(std::isnan(t2.value(t2.tanh(n))(0, 0)));
        const nn::Var s = tape.sigmoid(a);                            // the same trap in sigmoid's exp
        CHECK(tape.value(s)(0, 0) == T(1));
        CHECK(tape.value(s)(0, 1) >= T(0));
        CHECK(tape.value(s)(0, 1) < T(1e-30));
        CHECK(tape.value(s)(0, 3) < T(1e-30));
    };
    check(0.0f);
    check(0.0);
}
