// tests/test_onnx_write.cpp — the ONNX writer: nnsense reads its files back with identical outputs, onnx.checker accepts
// them and PyTorch rebuilt from them (tests/onnx/check_export.py, run as a child) predicts the same to 1e-6.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <xtensor/xnpy.hpp>

#include "child_process.hpp"
#include "nn/onnx/from_mlp.hpp"
#include "nn/onnx/read.hpp"
#include "nn/onnx/record.hpp"
#include "nn/onnx/write.hpp"

namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("nnsense-onnx-write-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string env(const char* name) {
    const char* v = std::getenv(name);
    if (!v) throw std::runtime_error(std::string(name) + " is not set: run through `meson test`");
    return v;
}

// Inputs in [0, 1), `rows` x `width`, seeded.
nn::Tensor<double> inputs(std::size_t rows, std::size_t width, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    nn::Tensor<double> x({rows, width});
    for (auto& v : x) v = static_cast<float>(u(rng));   // float-representable, so a float model sees the same numbers
    return x;
}

// The stack's outputs on the tape, in T.
template <class T>
nn::Tensor<T> outputs(const nn::onnx::DenseStack& s, const nn::Tensor<double>& x) {
    nn::Tape<T> tape;
    const auto weights = nn::onnx::place_weights(tape, s);
    nn::Var xv = tape.leaf(xt::cast<T>(x), false);                       // [B, in]
    return tape.value(nn::onnx::record_output(tape, s, weights, xv));     // [B, out]
}

// Runs check_export.py on `model` (with x and our y if given); returns its last line, CHECKs exit 0.
std::string python_check(const fs::path& model, const nn::Tensor<double>* x, const nn::Tensor<double>* y,
                         const fs::path& dir) {
    std::vector<std::string> argv = {"/usr/bin/python3", env("NNSENSE_ONNX_CHECK"), model.string()};
    if (x && y) {
        xt::dump_npy((dir / "x.npy").string(), *x);
        xt::dump_npy((dir / "y.npy").string(), *y);
        argv.push_back((dir / "x.npy").string());
        argv.push_back((dir / "y.npy").string());
    }
    testing_support::ChildProcess child(argv, (dir / "python.err").string());
    std::string line, last;
    while (!(line = child.read_line(120)).empty()) last = line;
    REQUIRE(child.exited(120));
    std::printf("  check_export.py: %s\n", last.c_str());
    // A missing python3-onnx (exit 2) fails here too: ./setup installs it, so a pass would hide a broken setup.
    CHECK_MESSAGE(child.exit_code() == 0, "check_export.py exited " << child.exit_code() << ": " << last);
    CHECK(last.rfind("OK", 0) == 0);
    return last;
}

void check_same_layers(const nn::onnx::DenseStack& a, const nn::onnx::DenseStack& b, double tol) {
    REQUIRE(a.layers.size() == b.layers.size());
    CHECK(a.input_width == b.input_width);
    CHECK(a.head == b.head);
    for (std::size_t k = 0; k < a.layers.size(); ++k) {
        CHECK(a.layers[k].act == b.layers[k].act);
        REQUIRE(a.layers[k].W.shape() == b.layers[k].W.shape());
        double d = 0;
        for (std::size_t i = 0; i < a.layers[k].W.size(); ++i)
            d = std::max(d, std::abs(a.layers[k].W.data()[i] - b.layers[k].W.data()[i]));
        for (std::size_t i = 0; i < a.layers[k].b.size(); ++i) d = std::max(d, std::abs(a.layers[k].b[i] - b.layers[k].b[i]));
        CHECK(d <= tol);
        if (a.layers[k].act == nn::onnx::Activation::LeakyRelu)
            CHECK(b.layers[k].alpha == doctest::Approx(a.layers[k].alpha).epsilon(1e-7));
    }
}

}  // namespace

TEST_CASE("an MLP written as model.onnx reads back with identical outputs, and PyTorch rebuilt from it agrees") {
    TempDir dir;
    const nn::MLP<float> mlp(12, 16, 5, nn::Activation::Tanh, 7);
    const nn::onnx::DenseStack s = nn::onnx::from_mlp(mlp);
    CHECK(nn::onnx::describe(s) == "12-16-5 (tanh, identity; head none)");
    const fs::path path = dir.path / "model.onnx";
    nn::onnx::write_onnx(s, path.string());
    const nn::onnx::DenseStack back = nn::onnx::read_onnx(path.string());
    check_same_layers(s, back, 0.0);                                     // float weights: exact

    const nn::Tensor<double> x = inputs(6, 12, 1);
    const nn::Tensor<float> theirs = nn::predict_logits(mlp, nn::Tensor<float>(xt::cast<float>(x)));
    const nn::Tensor<float> ours = outputs<float>(back, x);
    CHECK(ours == theirs);                                               // identical, not close
    const nn::Tensor<double> y = outputs<double>(back, x);
    python_check(path, &x, &y, dir.path);
}

TEST_CASE("a 3-hidden-layer MLP written as model.onnx reads back with identical outputs, and PyTorch rebuilt from it agrees") {
    TempDir dir;
    const nn::MLP<float> mlp(12, {16, 8, 6}, 5, nn::Activation::Relu, 9);
    const nn::onnx::DenseStack s = nn::onnx::from_mlp(mlp);
    CHECK(nn::onnx::describe(s) == "12-16-8-6-5 (relu, relu, relu, identity; head none)");
    const fs::path path = dir.path / "model.onnx";
    nn::onnx::write_onnx(s, path.string());
    const nn::onnx::DenseStack back = nn::onnx::read_onnx(path.string());
    check_same_layers(s, back, 0.0);

    const nn::Tensor<double> x = inputs(6, 12, 2);
    const nn::Tensor<float> theirs = nn::predict_logits(mlp, nn::Tensor<float>(xt::cast<float>(x)));
    CHECK(outputs<float>(back, x) == theirs);                            // identical, not close
    const nn::Tensor<double> y = outputs<double>(back, x);
    python_check(path, &x, &y, dir.path);

    // And back into an MLP (the table mode's path): the same depth, the same logits.
    const nn::MLP<float> again = nn::onnx::to_mlp(back);
    CHECK(nn::layer_widths(again) == "12-16-8-6-5");
    CHECK(nn::predict_logits(again, nn::Tensor<float>(xt::cast<float>(x))) == theirs);
}

TEST_CASE("to_mlp takes any depth with one activation after every hidden layer, and names a stack that mixes them") {
    nn::onnx::DenseStack s = nn::onnx::from_mlp(nn::MLP<float>(4, {3, 3}, 2, nn::Activation::Tanh, 3));
    s.source = "mixed.onnx";
    CHECK(nn::onnx::to_mlp(s).activation == nn::Activation::Tanh);
    s.layers[1].act = nn::onnx::Activation::Relu;
    try {
        nn::onnx::to_mlp(s);
        FAIL("a stack with tanh then relu became an MLP");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("mixed.onnx: 4-3-3-2 (tanh, relu, identity") == 0);
        CHECK(std::string(e.what()).find("one activation after every hidden layer") != std::string::npos);
    }
    s.layers.erase(s.layers.begin(), s.layers.begin() + 2);              // one dense layer: no hidden layer
    s.input_width = 3;
    try {
        nn::onnx::to_mlp(s);
        FAIL("a stack of one dense layer became an MLP");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("has no hidden layer") != std::string::npos);
    }
}

TEST_CASE("a read fixture (BatchNorm folded, log-softmax head) and the table net round-trip through the writer") {
    TempDir dir;
    for (const char* name : {"batchnorm", "table_3_8_1", "matmul_add"}) {
        CAPTURE(name);
        const nn::onnx::DenseStack s = nn::onnx::read_onnx(env("NNSENSE_FIXTURES") + "/onnx/" + name + ".onnx");
        const fs::path path = dir.path / (std::string(name) + ".onnx");
        nn::onnx::write_onnx(s, path.string());
        const nn::onnx::DenseStack back = nn::onnx::read_onnx(path.string());
        check_same_layers(s, back, 1e-6);                                // folded weights rounded to float32
        const nn::Tensor<double> x = inputs(4, s.input_width, 2);
        const nn::Tensor<double> y = outputs<double>(back, x);
        // Written again, the float32 weights are exact: a second round trip changes nothing.
        nn::onnx::write_onnx(back, path.string());
        CHECK(outputs<double>(nn::onnx::read_onnx(path.string()), x) == y);
        python_check(path, &x, &y, dir.path);
    }
}

TEST_CASE("every activation and head is written so that the reader and onnx.checker accept it") {
    TempDir dir;
    nn::onnx::DenseStack s;
    s.input_width = 4;
    std::mt19937 rng(3);
    std::normal_distribution<double> n(0.0, 0.5);
    std::size_t in = 4;
    for (auto act : {nn::onnx::Activation::Relu, nn::onnx::Activation::LeakyRelu, nn::onnx::Activation::Gelu,
                     nn::onnx::Activation::Sigmoid, nn::onnx::Activation::Tanh, nn::onnx::Activation::Identity}) {
        nn::onnx::Dense l;
        l.W = nn::Tensor<double>({in, std::size_t(3)});
        for (auto& w : l.W) w = static_cast<float>(n(rng));
        for (int j = 0; j < 3; ++j) l.b.push_back(static_cast<float>(n(rng)));
        l.act = act;
        l.alpha = 0.125;
        s.layers.push_back(std::move(l));
        in = 3;
    }
    for (auto head : {nn::onnx::Head::Softmax, nn::onnx::Head::LogSoftmax}) {
        s.head = head;
        const fs::path path = dir.path / "all.onnx";
        nn::onnx::write_onnx(s, path.string());
        check_same_layers(s, nn::onnx::read_onnx(path.string()), 0.0);
        python_check(path, nullptr, nullptr, dir.path);
    }
}

TEST_CASE("the writer leaves no file behind when it refuses a stack or cannot write") {
    TempDir dir;
    nn::onnx::DenseStack s = nn::onnx::from_mlp(nn::MLP<float>(3, 4, 2, nn::Activation::Relu, 1));
    s.layers[1].W(0, 0) = std::numeric_limits<double>::quiet_NaN();
    const fs::path path = dir.path / "model.onnx";
    CHECK_THROWS_WITH_AS(nn::onnx::write_onnx(s, path.string()),
                         (path.string() + ": not written: write_onnx: layer 2 has a weight that is not finite").c_str(),
                         std::runtime_error);
    s.layers[1].W(0, 0) = 0;
    s.layers[1].b.pop_back();
    CHECK_THROWS_AS(nn::onnx::write_onnx(s, path.string()), std::runtime_error);
    CHECK(fs::is_empty(dir.path));
    s.layers[1].b.push_back(0);
    CHECK_THROWS_AS(nn::onnx::write_onnx(s, (dir.path / "no" / "such" / "dir" / "model.onnx").string()), std::runtime_error);
    CHECK(fs::is_empty(dir.path));
}
