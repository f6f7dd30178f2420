// tests/test_bench.cpp — the bench programs' references are right: the raw BLAS loop computes what the tape computes, the
// PyTorch Jacobian peer the same J, and the plumbing (medians, .npy temp files, running a peer) behaves. No timing asserted.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/raw_blas_jacobian.hpp"
#include "bench/raw_blas_mlp.hpp"
#include "bench/torch_jacobian_peer.hpp"
#include "nn/mlp.hpp"
#include "nn/onnx/stack_model.hpp"
#include "nn/sgd.hpp"
#include "nn/training/train.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace {
double max_abs_diff(const nn::Tensor<float>& a, const nn::Tensor<float>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i])));
    return m;
}
}  // namespace

TEST_CASE("the raw BLAS step and the tape's train_step reach the same weights after 5 momentum steps") {
    const std::size_t in = 20, H = 16, out = 5, B = 8;
    nn::MLP<float> model(in, H, out, nn::Activation::Relu, 3);
    auto& tape = model.tape();
    const nn::Tensor<float> W1_init = tape.value(model.layer(0).W);
    bench::RawBlasMlp raw(tape.value(model.layer(0).W), tape.value(model.layer(0).b), tape.value(model.layer(1).W),
                          tape.value(model.layer(1).b));
    nn::SGD<float> sgd(0.9, /*nesterov=*/false);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    nn::Tensor<float> X({B, in});
    std::vector<int> labels(B);
    for (int step = 0; step < 5; ++step) {
        for (auto& v : X) v = u(rng);
        for (auto& l : labels) l = static_cast<int>(rng() % out);
        model.reset();
        nn::Var x = model.input(B);
        tape.value(x) = X;
        const double tape_loss = nn::training::train_step(model, x, labels, sgd, 0.1);
        const double raw_loss = raw.step(X, labels, 0.1f, 0.9f);
        CHECK(raw_loss == doctest::Approx(tape_loss).epsilon(1e-5));
    }
    CHECK(max_abs_diff(tape.value(model.layer(0).W), W1_init) > 1e-3);   // the weights did move
    CHECK(max_abs_diff(tape.value(model.layer(0).W), raw.W1) < 1e-5);
    CHECK(max_abs_diff(tape.value(model.layer(0).b), raw.b1) < 1e-5);
    CHECK(max_abs_diff(tape.value(model.layer(1).W), raw.W2) < 1e-5);
    CHECK(max_abs_diff(tape.value(model.layer(1).b), raw.b2) < 1e-5);
}

TEST_CASE("the raw BLAS step differs from the tape when its momentum differs (the comparison can fail)") {
    nn::MLP<float> model(6, 4, 3, nn::Activation::Relu, 5);
    auto& tape = model.tape();
    bench::RawBlasMlp raw(tape.value(model.layer(0).W), tape.value(model.layer(0).b), tape.value(model.layer(1).W),
                          tape.value(model.layer(1).b));
    nn::SGD<float> sgd(0.9, false);
    nn::Tensor<float> X = {{0.1f, 0.9f, 0.3f, 0.5f, 0.7f, 0.2f}, {0.8f, 0.4f, 0.6f, 0.0f, 0.3f, 1.0f}};
    const std::vector<int> labels = {2, 0};
    for (int step = 0; step < 3; ++step) {
        model.reset();
        nn::Var x = model.input(2);
        tape.value(x) = X;
        nn::training::train_step(model, x, labels, sgd, 0.5);
        raw.step(X, labels, 0.5f, 0.0f);                                     // plain SGD: not the same thing
    }
    CHECK(max_abs_diff(tape.value(model.layer(0).W), raw.W1) > 1e-4);
}

TEST_CASE("the raw BLAS Jacobian, written in place into J's strided slices, equals the engine's; a changed weight shows") {
    const std::size_t D = 12, H = 9, C = 4, N = 5;
    nn::MLP<float> model(D, H, C, nn::Activation::Relu, 11);
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    nn::Tensor<float> X({N, D});
    for (auto& v : X) v = u(rng);
    const xt::xtensor<float, 3> J = sensitivity::maps::jacobian(model, X, sensitivity::maps::Output::Softmax);   // [N, C, D]
    const auto& tape = model.tape();
    const nn::Tensor<float> W1 = tape.value(model.layer(0).W), b1 = tape.value(model.layer(0).b),
                            W2 = tape.value(model.layer(1).W), b2 = tape.value(model.layer(1).b);
    xt::xtensor<float, 3> Jraw = xt::zeros<float>({N, C, D});
    bench::raw_blas_jacobian(W1, b1, W2, b2, X, Jraw);
    double diff = 0, scale = 0;
    for (std::size_t k = 0; k < J.size(); ++k) {
        diff = std::max(diff, std::abs(static_cast<double>(Jraw.data()[k]) - J.data()[k]));
        scale = std::max(scale, std::abs(static_cast<double>(J.data()[k])));
    }
    CHECK(scale > 1e-3);
    CHECK(diff < 1e-6 * scale + 1e-7);
    nn::Tensor<float> W2_changed = W2;
    for (auto& w : W2_changed) w *= 1.5f;                                   // another network: another J
    bench::raw_blas_jacobian(W1, b1, W2_changed, b2, X, Jraw);
    diff = 0;
    for (std::size_t k = 0; k < J.size(); ++k)
        diff = std::max(diff, std::abs(static_cast<double>(Jraw.data()[k]) - J.data()[k]));
    CHECK(diff > 1e-4 * scale);
    xt::xtensor<float, 3> wrong({N, C + 1, D});
    CHECK_THROWS_AS(bench::raw_blas_jacobian(W1, b1, W2, b2, X, wrong), std::invalid_argument);
}

TEST_CASE("median of an odd list is the middle value, of an even list the mean of the two middle ones") {
    CHECK(bench::median({3.0, 1.0, 2.0}) == 2.0);
    CHECK(bench::median({4.0, 1.0, 3.0, 2.0}) == 2.5);
    CHECK_THROWS_AS(bench::median({}), std::invalid_argument);
}

TEST_CASE("a gemm shape counts 2·M·N·K flops, and its measured speed is a positive number") {
    const bench::GemmShape s{"A·B", 2, 3, 4, false, true};
    CHECK(s.flops() == 48.0);
    CHECK(bench::gemm_gflops({"X·W", 8, 8, 8, true, false}, 3, 0.001) > 0);
}

TEST_CASE("save_npy writes a file load_npy reads back, and TempDir removes its folder") {
    std::string path;
    {
        bench::TempDir dir("nnsense-test-bench-");
        path = dir.path();
        CHECK(std::filesystem::is_directory(path));
        const nn::Tensor<float> a = {{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}};
        bench::save_npy(dir.file("a.npy"), a);
        CHECK_FALSE(std::filesystem::exists(dir.file("a.npy.tmp")));
        const nn::Tensor<float> back = xt::load_npy<float>(dir.file("a.npy"));
        CHECK(back == a);
    }
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("run_peer returns a peer's JSON line, or says why there is none, without throwing") {
    bench::TempDir dir("nnsense-test-peer-");
    const std::string good = dir.file("good.sh"), bad = dir.file("bad.sh"), silent = dir.file("silent.sh");
    std::ofstream(good) << "echo 'warming up'\necho '{\"seconds\": 0.5, \"args\": \"'\"$1\"'\"}'\n";
    std::ofstream(bad) << "exit 3\n";
    std::ofstream(silent) << "echo 'no json here'\n";

    const bench::PeerResult r = bench::run_peer("/bin/sh", good, {"it's"});   // a quote inside an argument
    REQUIRE(r.json);
    CHECK(r.json->at("seconds").get<double>() == 0.5);
    CHECK(r.json->at("args").get<std::string>() == "it's");

    const bench::PeerResult f = bench::run_peer("/bin/sh", bad, {});
    CHECK_FALSE(f.json);
    CHECK(f.error.find("exit status 3") != std::string::npos);
    CHECK(bench::run_peer("/bin/sh", silent, {}).error.find("no JSON line") != std::string::npos);
    CHECK(bench::run_peer("/nonexistent/python3", good, {}).error.find("/nonexistent/python3") != std::string::npos);
    CHECK(bench::run_peer("/bin/sh", dir.file("missing.py"), {}).error.find("not found") != std::string::npos);
}

// bench/peers/torch_jacobian.py's three methods (batched VJPs, 10 VJPs, the einsum closed form) on a small 3-layer net:
// each J equals the engine's, and a J that is not the net's is reported as differing. Needs /usr/bin/python3 with torch.
TEST_CASE("the PyTorch Jacobian peer's three methods equal the engine's J on a 3-layer net, and a wrong J shows") {
    const std::size_t D = 12, C = 4, N = 6;
    nn::onnx::DenseStack s;
    s.input_width = D;
    std::mt19937 rng(5);
    std::normal_distribution<double> normal(0.0, 0.6);
    std::size_t in = D;
    for (std::size_t out : {std::size_t(9), std::size_t(7), C}) {
        nn::onnx::Dense l;
        l.W = nn::Tensor<double>({in, out});                               // [in, out]
        for (auto& w : l.W) w = normal(rng);
        l.b.assign(out, 0.1);
        l.act = out == C ? nn::onnx::Activation::Identity : nn::onnx::Activation::Relu;
        s.layers.push_back(std::move(l));
        in = out;
    }
    nn::onnx::StackModel<float> model(s);
    nn::Tensor<float> X({N, D});
    for (auto& v : X) v = static_cast<float>(std::abs(normal(rng)));
    const xt::xtensor<float, 3> J = sensitivity::maps::jacobian(model, X, sensitivity::maps::Output::Softmax);   // [N, C, D]
    const std::vector<nn::Var> p = model.parameters();
    std::vector<bench::PeerLayer> layers;
    for (std::size_t k = 0; k < p.size(); k += 2) layers.push_back({&model.tape().value(p[k]), &model.tape().value(p[k + 1])});
    const std::string peers = bench::source_root() + "/bench/peers";
    const bench::TorchJacobian r = bench::run_torch_jacobian("/usr/bin/python3", peers, layers, X, J, 1, 1);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    REQUIRE(r.methods.size() == 3);
    CHECK(r.max_j > 1e-3);
    for (const auto& m : r.methods) {
        CAPTURE(m.name);
        CHECK(m.max_diff < 1e-6);
        CHECK(m.seconds > 0);
    }
    CHECK(bench::print_torch_jacobian(r, 1.0, 5, 1e-5));
    xt::xtensor<float, 3> wrong = J;
    wrong(N - 1, C - 1, D - 1) += 1e-3f;                                     // one entry off
    const bench::TorchJacobian w = bench::run_torch_jacobian("/usr/bin/python3", peers, layers, X, wrong, 1, 1);
    for (const auto& m : w.methods) CHECK(m.max_diff > 0.9e-3);
    CHECK_FALSE(bench::print_torch_jacobian(w, 1.0, 5, 1e-5));
}
