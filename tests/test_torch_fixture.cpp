// tests/test_torch_fixture.cpp — our 784-32-10 MLP against PyTorch: same weights, same batch, same loss and gradients.
// Reads the .npy files that tests/fixtures/make_torch_fixture.py wrote; it never runs Python.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xnpy.hpp>

#include "nn/mlp.hpp"

namespace {

std::string fixture_path(const std::string& name) {
    const char* dir = std::getenv("NNSENSE_FIXTURES");
    if (!dir)
        throw std::runtime_error("NNSENSE_FIXTURES is not set: run through `meson test`, or set it to tests/fixtures");
    return std::string(dir) + "/mlp_784_32_10/" + name + ".npy";
}

// A float32 .npy of shape [rows, cols] (or [cols] when rows == 1) as a row-major matrix.
nn::Tensor<float> load_matrix(const std::string& name, std::size_t rows, std::size_t cols) {
    const std::string path = fixture_path(name);
    xt::xarray<float> a;
    try {
        a = xt::load_npy<float>(path);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what() + " (regenerate with tests/fixtures/make_torch_fixture.py)");
    }
    const bool as_matrix = a.dimension() == 2 && a.shape(0) == rows && a.shape(1) == cols;
    const bool as_row = rows == 1 && a.dimension() == 1 && a.shape(0) == cols;
    if (!as_matrix && !as_row)
        throw std::runtime_error(path + ": expected shape [" + std::to_string(rows) + ", " + std::to_string(cols) +
                                 "], got " + std::to_string(a.dimension()) + " dimensions and " +
                                 std::to_string(a.size()) + " elements");
    nn::Tensor<float> m({rows, cols});
    std::copy(a.begin(), a.end(), m.begin());
    return m;
}

std::vector<int> load_labels(const std::string& name, std::size_t n, int classes) {
    const std::string path = fixture_path(name);
    xt::xarray<std::int64_t> a = xt::load_npy<std::int64_t>(path);
    if (a.dimension() != 1 || a.size() != n)
        throw std::runtime_error(path + ": expected " + std::to_string(n) + " labels in one dimension");
    std::vector<int> labels;
    for (std::int64_t k : a) {
        if (k < 0 || k >= classes) throw std::runtime_error(path + ": label " + std::to_string(k) + " is out of range");
        labels.push_back(static_cast<int>(k));
    }
    return labels;
}

// llm.c style: max |ours - torch| / max |torch| for one tensor, printed as OK / NOT OK.
double compare(const char* name, const nn::Tensor<float>& ours, const nn::Tensor<float>& torch) {
    REQUIRE(ours.shape() == torch.shape());
    double max_diff = 0, max_ref = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        max_diff = std::max(max_diff, std::abs(double(ours.data()[i]) - double(torch.data()[i])));
        max_ref = std::max(max_ref, std::abs(double(torch.data()[i])));
    }
    const double rel = max_ref > 0 ? max_diff / max_ref : max_diff;
    std::printf("%-6s %-6s max |diff| %.2e, relative %.2e\n", rel <= 1e-5 ? "OK" : "NOT OK", name, max_diff, rel);
    return rel;
}

}  // namespace

TEST_CASE("the MLP's loss and every gradient match PyTorch's to 1e-5 relative (784-32-10, batch 16, float)") {
    const std::size_t B = 16, IN = 784, H = 32, OUT = 10;
    nn::MLP<float> model(IN, H, OUT, nn::Activation::Relu, 1);
    nn::Tape<float>& tape = model.tape();
    tape.value(model.layer(0).W) = load_matrix("W1", IN, H);       // [784, 32]
    tape.value(model.layer(0).b) = load_matrix("b1", 1, H);        // [1, 32]
    tape.value(model.layer(1).W) = load_matrix("W2", H, OUT);      // [32, 10]
    tape.value(model.layer(1).b) = load_matrix("b2", 1, OUT);      // [1, 10]
    const std::vector<int> labels = load_labels("labels", B, static_cast<int>(OUT));

    model.reset();
    nn::Var x = model.input(B, true);                            // [16, 784], we want dx too
    tape.value(x) = load_matrix("x", B, IN);
    nn::Var logits = model.logits(x);                            // [16, 10]
    nn::Var loss = tape.softmax_cross_entropy(logits, labels);   // [1, 1]
    tape.zero_grad();
    tape.backward(loss);

    CHECK(compare("logits", tape.value(logits), load_matrix("logits", B, OUT)) <= 1e-5);
    CHECK(compare("loss", tape.value(loss), load_matrix("loss", 1, 1)) <= 1e-5);
    CHECK(compare("dW1", tape.grad(model.layer(0).W), load_matrix("dW1", IN, H)) <= 1e-5);
    CHECK(compare("db1", tape.grad(model.layer(0).b), load_matrix("db1", 1, H)) <= 1e-5);
    CHECK(compare("dW2", tape.grad(model.layer(1).W), load_matrix("dW2", H, OUT)) <= 1e-5);
    CHECK(compare("db2", tape.grad(model.layer(1).b), load_matrix("db2", 1, OUT)) <= 1e-5);
    CHECK(compare("dx", tape.grad(x), load_matrix("dx", B, IN)) <= 1e-5);
}

TEST_CASE("a fixture file with the wrong shape is refused with its path and the expected shape") {
    CHECK_THROWS_WITH(load_matrix("W1", 32, 784),
                      doctest::Contains("mlp_784_32_10/W1.npy: expected shape [32, 784], got 2 dimensions"));
    CHECK_THROWS_WITH(load_matrix("missing", 1, 1), doctest::Contains("mlp_784_32_10/missing.npy: "));
}
