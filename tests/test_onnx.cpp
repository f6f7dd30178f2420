// tests/test_onnx.cpp — the ONNX reader against PyTorch: each committed fixture (tests/fixtures/onnx/, made by
// make_onnx_fixtures.py) read, recorded on the tape in double, outputs and full input Jacobians compared to 1e-5.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xnpy.hpp>

#include "nn/onnx/read.hpp"
#include "nn/onnx/record.hpp"

namespace {

std::string fixture_dir() {
    const char* dir = std::getenv("NNSENSE_FIXTURES");
    if (!dir) throw std::runtime_error("NNSENSE_FIXTURES is not set: run through `meson test`");
    return std::string(dir) + "/onnx/";
}

xt::xarray<double> load(const std::string& name, const std::string& file) {
    return xt::load_npy<double>(fixture_dir() + name + "/" + file + ".npy");
}

// llm.c style: max |ours - torch| for one tensor, printed as OK / NOT OK against `tol`.
double max_diff(const std::string& what, const double* ours, const double* ref, std::size_t n, double tol) {
    double d = 0, scale = 0;
    for (std::size_t i = 0; i < n; ++i) {
        d = std::max(d, std::abs(ours[i] - ref[i]));
        scale = std::max(scale, std::abs(ref[i]));
    }
    std::printf("%-6s %-26s max |diff| %.2e (max |torch| %.2e)\n", d <= tol ? "OK" : "NOT OK", what.c_str(), d, scale);
    return d;
}

struct Expected {
    const char* name;
    std::vector<std::size_t> widths;                // input width, then each layer's output width
    std::vector<nn::onnx::Activation> acts;
    nn::onnx::Head head;
};

using A = nn::onnx::Activation;
const std::vector<Expected> kFixtures = {
    {"mnist_gemm", {784, 32, 16, 10}, {A::Relu, A::Relu, A::Identity}, nn::onnx::Head::None},
    {"matmul_add", {20, 16, 6}, {A::Sigmoid, A::Identity}, nn::onnx::Head::Softmax},
    {"batchnorm", {10, 8, 4}, {A::Relu, A::Identity}, nn::onnx::Head::LogSoftmax},
    {"leaky_relu", {6, 8, 3}, {A::LeakyRelu, A::Identity}, nn::onnx::Head::None},
    {"gelu", {5, 7, 2}, {A::Gelu, A::Identity}, nn::onnx::Head::None},
    {"table_3_8_1", {3, 8, 1}, {A::Tanh, A::Identity}, nn::onnx::Head::None},
};

}  // namespace

TEST_CASE("each PyTorch fixture reads into the layers, activations and (folded) weights PyTorch had") {
    for (const Expected& e : kFixtures) {
        CAPTURE(e.name);
        const nn::onnx::DenseStack s = nn::onnx::read_onnx(fixture_dir() + e.name + ".onnx");
        std::printf("%-12s %s\n", e.name, nn::onnx::describe(s).c_str());
        REQUIRE(s.layers.size() == e.acts.size());
        CHECK(s.input_width == e.widths[0]);
        CHECK(s.head == e.head);
        for (std::size_t k = 0; k < s.layers.size(); ++k) {
            const nn::onnx::Dense& l = s.layers[k];
            CHECK(l.act == e.acts[k]);
            CHECK(l.in() == e.widths[k]);
            CHECK(l.out() == e.widths[k + 1]);
            const xt::xarray<double> W = load(e.name, "W" + std::to_string(k + 1));
            const xt::xarray<double> b = load(e.name, "b" + std::to_string(k + 1));
            REQUIRE(W.size() == l.W.size());
            REQUIRE(b.size() == l.b.size());
            // Weights are float32 in the file and cast exactly; only BatchNorm folding rounds (in double).
            CHECK(max_diff(std::string(e.name) + " W" + std::to_string(k + 1), l.W.data(), W.data(), W.size(), 1e-12) <= 1e-12);
            CHECK(max_diff(std::string(e.name) + " b" + std::to_string(k + 1), l.b.data(), b.data(), b.size(), 1e-12) <= 1e-12);
        }
    }
}

TEST_CASE("the BatchNorm and LeakyRelu fixtures say what the reader folded, and LeakyRelu keeps its slope") {
    const nn::onnx::DenseStack bn = nn::onnx::read_onnx(fixture_dir() + "batchnorm.onnx");
    REQUIRE(bn.notes.size() == 1);
    CHECK(bn.notes[0].find("BatchNormalization") != std::string::npos);
    CHECK(bn.notes[0].find("folded into layer 1") != std::string::npos);
    const nn::onnx::DenseStack leaky = nn::onnx::read_onnx(fixture_dir() + "leaky_relu.onnx");
    CHECK(leaky.layers[0].alpha == doctest::Approx(0.2).epsilon(1e-7));   // float32 0.2 in the file
}

TEST_CASE("outputs and full input Jacobians on the tape (double) equal PyTorch's to 1e-5 for every fixture") {
    for (const Expected& e : kFixtures) {
        CAPTURE(e.name);
        const nn::onnx::DenseStack s = nn::onnx::read_onnx(fixture_dir() + e.name + ".onnx");
        const xt::xarray<double> x = load(e.name, "x"), y = load(e.name, "y"), J = load(e.name, "J");
        const std::size_t B = x.shape(0), D = s.input_width, C = s.output_width();
        REQUIRE(x.size() == B * D);
        REQUIRE(y.size() == B * C);
        REQUIRE(J.size() == B * C * D);

        nn::Tape<double> tape;
        const std::vector<nn::Linear> weights = nn::onnx::place_weights(tape, s);
        nn::Var xv = tape.leaf(B, D, true);                                  // [B, D]
        std::copy(x.begin(), x.end(), tape.value(xv).begin());
        nn::Var out = nn::onnx::record_output(tape, s, weights, xv);          // [B, C]
        CHECK(max_diff(std::string(e.name) + " outputs", tape.value(out).data(), y.data(), y.size(), 1e-5) <= 1e-5);

        // The Jacobian row by row: seed output column c in every row (rows are independent), walk back, read dx.
        std::vector<double> ours(B * C * D);                                 // [B, C, D] like J.npy
        for (std::size_t c = 0; c < C; ++c) {
            nn::Tensor<double> seed = xt::zeros<double>({B, C});             // [B, C]
            for (std::size_t r = 0; r < B; ++r) seed(r, c) = 1.0;
            tape.zero_grad(xv);
            tape.backward(out, seed);
            const nn::Tensor<double>& dx = tape.grad(xv);                    // [B, D]
            for (std::size_t r = 0; r < B; ++r)
                for (std::size_t d = 0; d < D; ++d) ours[(r * C + c) * D + d] = dx(r, d);
        }
        CHECK(max_diff(std::string(e.name) + " Jacobian", ours.data(), J.data(), J.size(), 1e-5) <= 1e-5);
    }
}

TEST_CASE("an input scaling folded into layer 1 gives the outputs of the original on scale·x + shift; bad sizes throw") {
    nn::onnx::DenseStack s = nn::onnx::read_onnx(fixture_dir() + "/table_3_8_1.onnx");     // 3-8-1 tanh
    const std::vector<double> scale = {2.0, 0.5, -3.0}, shift = {1.0, -0.25, 4.0};
    const nn::onnx::DenseStack folded = nn::onnx::fold_input_affine(s, scale, shift, "test scaling");
    CHECK(folded.notes.back() == "test scaling");
    nn::Tensor<double> x = {{0.1, -0.7, 1.3}, {2.0, 0.0, -0.4}};                               // [2, 3]
    nn::Tensor<double> z = x;
    for (std::size_t n = 0; n < 2; ++n)
        for (std::size_t j = 0; j < 3; ++j) z(n, j) = scale[j] * x(n, j) + shift[j];
    const auto out = [](const nn::onnx::DenseStack& st, const nn::Tensor<double>& in) {
        nn::Tape<double> tape;
        const auto w = nn::onnx::place_weights(tape, st);
        return nn::Tensor<double>(tape.value(nn::onnx::record_output(tape, st, w, tape.leaf(in, false))));
    };
    const nn::Tensor<double> a = out(folded, x), b = out(s, z), unfolded = out(s, x);
    for (std::size_t n = 0; n < 2; ++n) {
        CHECK(a(n, 0) == doctest::Approx(b(n, 0)).epsilon(1e-12));
        CHECK(std::abs(unfolded(n, 0) - b(n, 0)) > 1e-3);                                  // the scaling matters here
    }
    CHECK_THROWS_AS(nn::onnx::fold_input_affine(s, {1.0, 2.0}, {0.0}, ""), std::invalid_argument);
    CHECK_THROWS_AS(nn::onnx::fold_input_affine(s, {1.0}, {NAN}, ""), std::invalid_argument);
}
