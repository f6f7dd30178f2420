// tests/test_tape.cpp — chapter 3: the tape records forward and replays backward.
// Smoke-level checks of recording and printing; finite-difference proofs are in test_gradcheck.cpp.
#include <doctest/doctest.h>

#include <sstream>

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
