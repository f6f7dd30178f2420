// tests/test_tape.cpp — chapter 6: the tape records forward and replays backward.
// Recording, printing, accumulation, zero_grad, rewind, errors, extreme logits; finite differences are test_gradcheck.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include <xtensor/xmath.hpp>

#include "nn/tape.hpp"

TEST_CASE("a matmul records one node and computes its value") {
    nn::Tape<double> tape;
    nn::Tensor<double> a = {{1, 2}, {3, 4}};
    nn::Tensor<double> b = {{5}, {6}};
    auto x = tape.leaf(a);
    auto w = tape.leaf(b);
    auto y = tape.matmul(x, w);
    CHECK(tape.size() == 3);
    CHECK(tape.value(y)(0, 0) == 17);
    CHECK(tape.value(y)(1, 0) == 39);
    tape.backward(y, nn::Tensor<double>{{1}, {1}});
    CHECK(tape.grad(w)(0, 0) == 4);
    CHECK(tape.grad(w)(1, 0) == 6);
    std::ostringstream os;
    os << tape;
    CHECK(os.str().find("%2 = matmul(%0, %1)") != std::string::npos);
}

// ---------------------------------------------------------------- chapter 6, in detail

namespace {
using M = nn::Tensor<double>;

// The small network of docs/snippets/tape_basics.cpp: p = softmax(tanh(x·W + b)).
struct Small {
    nn::Tape<double> tape;
    nn::Var x, W, b, p;
    Small() {
        x = tape.leaf(M{{1.0, -2.0, 0.5}, {0.0, 1.0, -1.0}}, false);
        W = tape.leaf(M{{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}});
        b = tape.leaf(M{{0.01, -0.01}});
        p = tape.softmax(tape.tanh(tape.add_bias(tape.matmul(x, W), b)));
    }
};
}  // namespace

TEST_CASE("printing the tape gives one line per node: id, op(inputs), shape, and 'grad' if it needs one") {
    Small s;
    s.tape.scale(s.p, 2.5);
    std::ostringstream os;
    os << s.tape;
    CHECK(os.str() ==
          "%0 = leaf                       [2, 3]\n"
          "%1 = leaf                       [3, 2]  grad\n"
          "%2 = leaf                       [1, 2]  grad\n"
          "%3 = matmul(%0, %1)             [2, 2]  grad\n"
          "%4 = add_bias(%3, %2)           [2, 2]  grad\n"
          "%5 = tanh(%4)                   [2, 2]  grad\n"
          "%6 = softmax(%5)                [2, 2]  grad\n"
          "%7 = scale(%6, 2.5)             [2, 2]  grad\n");
}

TEST_CASE("leaf gradients add up across backward calls until zero_grad; intermediate ones do not") {
    const M seed1 = {{0.3, -1.0}, {2.0, 0.5}};
    const M seed2 = {{-0.7, 0.2}, {0.1, 1.5}};
    Small one, two, both;
    one.tape.backward(one.p, seed1);
    two.tape.backward(two.p, seed2);
    both.tape.backward(both.p, seed1);
    both.tape.backward(both.p, seed2);                          // no zero_grad in between
    const M expected_W = one.tape.grad(one.W) + two.tape.grad(two.W);
    const M expected_b = one.tape.grad(one.b) + two.tape.grad(two.b);
    CHECK(xt::allclose(both.tape.grad(both.W), expected_W, 1e-12, 1e-15));
    CHECK(xt::allclose(both.tape.grad(both.b), expected_b, 1e-12, 1e-15));
    CHECK(both.tape.grad(both.p) == seed2);                     // the output's own gradient is just the last seed
}

TEST_CASE("zero_grad() clears every gradient and zero_grad(v) clears only v's") {
    Small s;
    s.tape.backward(s.p, M{{1.0, 0.0}, {0.0, 0.0}});
    REQUIRE(xt::amax(xt::abs(s.tape.grad(s.W)))() > 0);
    REQUIRE(xt::amax(xt::abs(s.tape.grad(s.b)))() > 0);
    const M db = s.tape.grad(s.b);
    s.tape.zero_grad(s.W);
    CHECK(s.tape.grad(s.W) == M(xt::zeros<double>({3, 2})));
    CHECK(s.tape.grad(s.b) == db);
    s.tape.zero_grad();
    CHECK(s.tape.grad(s.b) == M(xt::zeros<double>({1, 2})));
    CHECK(s.tape.grad(s.p) == M(xt::zeros<double>({2, 2})));
    CHECK_THROWS_WITH_AS(s.tape.grad(s.x), "tape: node 0 (leaf) was recorded with requires_grad = false",
                         std::logic_error);
}

TEST_CASE("rewind keeps the buffers, and recording the same step again gives bit-identical results") {
    nn::Tape<double> tape;
    nn::Var W = tape.leaf(M{{0.5, -1.0, 0.25}, {1.5, 0.75, -0.5}});     // [2, 3] a parameter
    const std::size_t mark = tape.mark();
    const M xs[2] = {{{1.0, 2.0}, {-1.0, 0.5}}, {{0.3, -0.2}, {0.9, 0.1}}};
    M first_loss, first_dW;
    const double* buffer = nullptr;
    for (int step = 0; step < 3; ++step) {
        tape.rewind(mark);
        CHECK(tape.size() == 1);
        tape.zero_grad();
        nn::Var x = tape.leaf(2, 2, false);                              // filled in place, no copy
        tape.value(x) = xs[step % 2];
        nn::Var h = tape.sigmoid(tape.matmul(x, W));                     // [2, 3]
        nn::Var loss = tape.mean(h);                                     // [1, 1]
        tape.backward(loss);
        if (step == 0) {
            first_loss = tape.value(loss);
            first_dW = tape.grad(W);
            buffer = tape.value(h).data();
        } else {
            CHECK(tape.value(h).data() == buffer);                       // same memory as step 0
        }
        if (step == 2) {                                                 // same input as step 0
            CHECK(tape.value(loss) == first_loss);
            CHECK(tape.grad(W) == first_dW);
        }
    }
    CHECK_THROWS_AS(tape.rewind(10), std::out_of_range);
}

TEST_CASE("a leaf recorded into a reused slot starts with no gradient, not the old leaf's") {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(M{{1.0, 2.0}});                                // [1, 2], wants a gradient
    tape.backward(tape.sum(x));
    CHECK(tape.grad(x) == M{{1.0, 1.0}});
    tape.clear();                                                         // slot 0 keeps its buffers
    nn::Var x2 = tape.leaf(M{{5.0, 6.0}});                               // same slot, same shape
    CHECK_THROWS_AS(tape.grad(x2), std::logic_error);                    // no backward yet
    tape.backward(tape.sum(x2));
    CHECK(tape.grad(x2) == M{{1.0, 1.0}});                               // not 2: the old leaf's 1 is gone
    tape.backward(tape.sum(x2));                                         // ...while its own gradients accumulate
    CHECK(tape.grad(x2) == M{{2.0, 2.0}});
}

TEST_CASE("shape mistakes throw invalid_argument naming the op and both shapes") {
    using IA = std::invalid_argument;
    nn::Tape<double> t;
    nn::Var a = t.leaf(M(xt::ones<double>({2, 3})));
    nn::Var b = t.leaf(M(xt::ones<double>({2, 3})));
    nn::Var c = t.leaf(M(xt::ones<double>({3, 2})));
    nn::Var row = t.leaf(M(xt::ones<double>({1, 2})));
    CHECK_THROWS_WITH_AS(t.matmul(a, b), "matmul: inner sizes differ (got [2, 3] and [2, 3])", IA);
    CHECK_THROWS_WITH_AS(t.add_bias(a, row), "add_bias: bias must be [1, N] for a [B, N] input (got [2, 3] and [1, 2])", IA);
    CHECK_THROWS_WITH_AS(t.add(a, c), "add: shapes differ (got [2, 3] and [3, 2])", IA);
    CHECK_THROWS_WITH_AS(t.sub(a, c), "sub: shapes differ (got [2, 3] and [3, 2])", IA);
    CHECK_THROWS_WITH_AS(t.mul(a, c), "mul: shapes differ (got [2, 3] and [3, 2])", IA);
    CHECK_THROWS_WITH_AS(t.mse(a, c), "mse: shapes differ (got [2, 3] and [3, 2])", IA);
    CHECK_THROWS_WITH_AS(t.softmax_cross_entropy(a, {0, 1, 2}),
                         "softmax_cross_entropy: need one label per row (got [2, 3])", IA);
    CHECK_THROWS_WITH_AS(t.softmax_cross_entropy(a, {0, 3}), "softmax_cross_entropy: label 3 is outside [0, 3)", IA);
    nn::Var y = t.tanh(a);
    CHECK_THROWS_WITH_AS(t.backward(y, M(xt::ones<double>({3, 2}))),
                         "backward: seed must have the output's shape (got [3, 2] and [2, 3])", IA);
    CHECK_THROWS_WITH_AS(t.backward(y), "backward: without a seed the output must be a scalar [1, 1] (got [2, 3])", IA);
    CHECK_THROWS_WITH_AS(t.value(nn::Var{99}), "tape: variable id 99 is not on the tape (size 5)", std::out_of_range);
    CHECK(t.size() == 5);                                                // a refused op records nothing
}

TEST_CASE("apply(op, ...) records any op through the table, as the member recorders do, and refuses a wrong arity") {
    using IA = std::invalid_argument;
    nn::Tape<double> t;
    nn::Var a = t.leaf(M{{0.5, -1.0, 2.0}});
    nn::Var b = t.leaf(M{{1.5, 0.25, -3.0}});
    const nn::Var y1 = t.apply(nn::Op::Mul, a, t.apply(nn::Op::Tanh, b));
    const nn::Var y2 = t.mul(a, t.tanh(b));
    CHECK(t.node(y1).op == nn::Op::Mul);
    CHECK(t.value(y1) == t.value(y2));
    const nn::Var s = t.apply(nn::Op::Scale, a, {}, -2.0);
    CHECK(t.node(s).c == -2.0);
    CHECK(t.value(s)(0, 2) == -4.0);
    const std::size_t before = t.size();
    CHECK_THROWS_WITH_AS(t.apply(nn::Op::Relu, a, b), "relu: takes 1 input", IA);
    CHECK_THROWS_WITH_AS(t.apply(nn::Op::Add, a), "add: takes 2 inputs", IA);
    CHECK_THROWS_WITH_AS(t.apply(nn::Op::Leaf, a), "tape: leaf is recorded with leaf(), not apply()", IA);
    CHECK_THROWS_AS(t.apply(nn::Op::Count, a), IA);
    CHECK(t.size() == before);                                          // a refused op records nothing
    for (std::size_t i = 0; i < nn::kOpCount; ++i) CHECK(std::string(nn::op_name(static_cast<nn::Op>(i))) != "?");
    CHECK(std::string(nn::op_name(nn::Op::Count)) == "?");
}

TEST_CASE_TEMPLATE("cross-entropy of logits of ±1e4 is finite and equals the hand-computed value", T, float, double) {
    nn::Tape<T> tape;
    // Row 0, label 0: the right class wins by 1e4, loss log(1 + e^-1e4 + e^-2e4) = 0.
    // Row 1, label 2: the right logit is 0 and the best is 1e4, loss 1e4 + log(1 + e^-1e4 + e^-2e4) = 1e4.
    nn::Var z = tape.leaf(nn::Tensor<T>{{T(1e4), T(-1e4), T(0)}, {T(-1e4), T(1e4), T(0)}});
    nn::Var loss = tape.softmax_cross_entropy(z, {0, 2});
    CHECK(tape.value(loss)(0, 0) == doctest::Approx(5000.0));           // mean of 0 and 1e4
    tape.backward(loss);
    // dz = (softmax(z) - onehot) / B = ([1, 0, 0] - [1, 0, 0], [0, 1, 0] - [0, 0, 1]) / 2
    const nn::Tensor<T> expected = {{T(0), T(0), T(0)}, {T(0), T(0.5), T(-0.5)}};
    CHECK(xt::all(xt::isfinite(tape.grad(z))));
    CHECK(xt::allclose(tape.grad(z), expected, T(0), T(1e-6)));
}

TEST_CASE_TEMPLATE("softmax and log_softmax of ±1e4 stay finite", T, float, double) {
    nn::Tape<T> tape;
    nn::Var z = tape.leaf(nn::Tensor<T>{{T(1e4), T(-1e4), T(0)}});
    nn::Var p = tape.softmax(z);
    nn::Var lp = tape.log_softmax(z);
    CHECK(xt::allclose(tape.value(p), nn::Tensor<T>{{T(1), T(0), T(0)}}, T(0), T(1e-6)));
    CHECK(xt::allclose(tape.value(lp), nn::Tensor<T>{{T(0), T(-2e4), T(-1e4)}}, T(1e-6), T(0)));
    tape.backward(p, nn::Tensor<T>{{T(1), T(2), T(3)}});
    CHECK(xt::all(xt::isfinite(tape.grad(z))));
    tape.zero_grad();
    tape.backward(lp, nn::Tensor<T>{{T(1), T(2), T(3)}});
    // d log_softmax: dz = dy - softmax(z) Σ dy = [1, 2, 3] - [1, 0, 0]·6
    CHECK(xt::allclose(tape.grad(z), nn::Tensor<T>{{T(-5), T(2), T(3)}}, T(1e-6), T(1e-6)));
}

TEST_CASE("re-enabling a leaf does not reach it through nodes recorded while it was off: the gradient is partial") {
    nn::Tape<double> tape;
    const nn::Var a = tape.leaf(M{{2.0}});
    const nn::Var b = tape.leaf(M{{5.0}}, false);
    const nn::Var y = tape.mul(a, b);                           // needs a gradient (through a)
    const nn::Var z = tape.scale(b, 3.0);                       // recorded as needing none: b was off
    const nn::Var out = tape.add(y, z);                         // out = a·b + 3b, ∂out/∂b = a + 3 = 5
    tape.set_requires_grad(b, true);
    tape.backward(out);
    CHECK(tape.grad(b)(0, 0) == doctest::Approx(2.0));          // only the path through y: the 3 is missing
    // Recording again after re-enabling gives the whole gradient.
    tape.zero_grad();
    const nn::Var out2 = tape.add(tape.mul(a, b), tape.scale(b, 3.0));
    tape.backward(out2);
    CHECK(tape.grad(b)(0, 0) == doctest::Approx(5.0));
}

TEST_CASE("writing a value after recording leaves later nodes stale: backward mixes new inputs with old outputs") {
    nn::Tape<double> tape;
    const nn::Var a = tape.leaf(M{{2.0}});
    const nn::Var b = tape.leaf(M{{5.0}});
    const nn::Var y = tape.mul(a, b);                           // 10
    const nn::Var t = tape.tanh(a);                             // tanh(2)
    tape.value(a) = M{{0.0}};                                   // nothing is recomputed
    CHECK(tape.value(y)(0, 0) == 10.0);
    CHECK(tape.value(t)(0, 0) == doctest::Approx(std::tanh(2.0)));
    tape.backward(y);
    CHECK(tape.grad(b)(0, 0) == 0.0);                           // ∂y/∂b read from the NEW a (0), y from the old one
    tape.zero_grad();
    tape.backward(t);                                           // tanh's backward reads its old output:
    CHECK(tape.grad(a)(0, 0) == doctest::Approx(1 - std::tanh(2.0) * std::tanh(2.0)));   // 0.07, not tanh'(0) = 1
}
