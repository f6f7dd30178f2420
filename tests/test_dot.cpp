// tests/test_dot.cpp — nn/dot.hpp: the DOT text of a tape names every node, edge, value and gradient.
// Rendering with Graphviz is docs/figures/regenerate's job; this checks the text only.
#include <doctest/doctest.h>

#include <sstream>
#include <stdexcept>
#include <string>

#include "nn/dot.hpp"

using Matrix = nn::Tensor<double>;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("write_dot draws every node with its op, shape, value and gradient, and one edge per input") {
    nn::Tape<double> tape;
    const nn::Var x = tape.leaf(Matrix{{0.5}});
    const nn::Var y = tape.leaf(Matrix{{2.0}}, false);
    const nn::Var f = tape.mul(tape.add(x, x), y);              // f = 2x·y: x used twice
    tape.backward(f);
    std::ostringstream os;
    nn::DotOptions options;
    options.names = {{x, "x"}, {f, "f \"out\""}};
    nn::write_dot(os, tape, options);
    const std::string dot = os.str();
    CHECK(dot.rfind("digraph tape {\n  rankdir=LR;", 0) == 0);
    CHECK(dot.substr(dot.size() - 2) == "}\n");
    CHECK(count(dot, " [shape=box") == 4);
    CHECK(dot.find("label=\"x\\n%0 leaf [1, 1]\\nvalue 0.5\\ngrad 4\"") != std::string::npos);
    CHECK(dot.find("%1 leaf [1, 1]\\nvalue 2\"") != std::string::npos);   // no gradient: none drawn
    CHECK(dot.find("%2 add [1, 1]\\nvalue 1\\ngrad 2\"") != std::string::npos);
    CHECK(dot.find("label=\"f \\\"out\\\"\\n%3 mul [1, 1]\\nvalue 2\\ngrad 1\"") != std::string::npos);
    CHECK(count(dot, "n0 -> n2;") == 2);                        // both uses of x are drawn
    CHECK(count(dot, " -> ") == 4);
}

TEST_CASE("write_dot shows small matrices in full and large ones as a range") {
    nn::Tape<double> tape;
    tape.leaf(Matrix{{1.0, -2.0}, {0.5, 3.0}}, false);
    tape.leaf(Matrix({3, 3}, 0.25), false);
    std::ostringstream os;
    nn::DotOptions options;
    options.show_grad = false;                                  // no backward has run
    nn::write_dot(os, tape, options);
    CHECK(os.str().find("value [1, -2; 0.5, 3]") != std::string::npos);
    CHECK(os.str().find("%1 leaf [3, 3]\\nvalue 0.25 .. 0.25") != std::string::npos);
}

TEST_CASE("write_dot with show_grad before any backward names the node that has no gradient") {
    nn::Tape<double> tape;
    tape.tanh(tape.leaf(Matrix{{1.0}}));
    std::ostringstream os;
    CHECK_THROWS_WITH_AS(nn::write_dot(os, tape), "tape: node 0 has no gradient yet: call backward first",
                         std::logic_error);
}
