// bench/bench_jacobian_deep.cpp — seconds for the full 10x784 softmax Jacobian of 1,000 MNIST test images of a deeper
// net, 784-512-256-10 ReLU, loaded through the ONNX path (nn::onnx::read_onnx, nn::onnx::StackModel) and walked by
// sensitivity::maps::jacobian, next to the gemm roofline and PyTorch's three methods in the same run. Asserts no time.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"
#include "bench/torch_jacobian_peer.hpp"
#include "datasets/dataset.hpp"
#include "nn/onnx/read.hpp"
#include "nn/onnx/stack_model.hpp"
#include "nn/onnx/write.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace {

struct Config {
    std::string data;                         // folder with the MNIST test IDX files
    std::string model;                        // an ONNX file; empty: a He-initialised 784-512-256-10 ReLU net
    std::size_t count = 1000;
    int repeats = 5;
    int threads = 2;
    std::uint64_t seed = 1;
    std::string python = "/usr/bin/python3";
    std::string peers;
    bool no_torch = false;
    double tolerance = 1e-5;
};

// He-initialised 784-512-256-10 ReLU layers, written by nnsense's ONNX writer, so the bench reads a real file.
void write_he_model(const std::string& path, std::uint64_t seed) {
    nn::onnx::DenseStack s;
    s.input_width = 784;
    std::mt19937_64 rng(seed);
    std::size_t in = 784;
    for (std::size_t out : {512, 256, 10}) {
        std::normal_distribution<double> normal(0.0, std::sqrt(2.0 / static_cast<double>(in)));
        nn::onnx::Dense l;
        l.W = nn::Tensor<double>({in, out});                          // [in, out]
        for (auto& w : l.W) w = normal(rng);
        l.b.assign(out, 0.0);
        l.act = out == 10 ? nn::onnx::Activation::Identity : nn::onnx::Activation::Relu;
        s.layers.push_back(std::move(l));
        in = out;
    }
    nn::onnx::write_onnx(s, path);
}

int run(const Config& cfg) {
    bench::set_blas_threads(cfg.threads);
    bench::TempDir dir("nnsense-bench-jacobian-deep-");
    std::string path = cfg.model;
    if (path.empty()) {
        path = dir.file("he-784-512-256-10.onnx");
        write_he_model(path, cfg.seed);
    }
    const double t_read0 = bench::now_seconds();
    nn::onnx::DenseStack stack = nn::onnx::read_onnx(path);
    const double t_read = bench::now_seconds() - t_read0;
    for (std::size_t k = 0; k < stack.layers.size(); ++k)
        if (stack.layers[k].act != (k + 1 < stack.layers.size() ? nn::onnx::Activation::Relu : nn::onnx::Activation::Identity))
            throw std::runtime_error(path + ": the bench expects ReLU between the layers and none after the last (" +
                                     nn::onnx::describe(stack) + ")");
    nn::onnx::StackModel<float> model(stack);
    const std::size_t N = cfg.count, D = model.in(), C = model.out();
    std::printf("bench_jacobian_deep: J[n, i, j] = dp_i/dx_j (softmax outputs) of %zu MNIST test images (pixels 0..1), "
                "%s\n    from %s (%s; read_onnx %.3f s, one cold read)\n",
                N, nn::onnx::describe(stack).c_str(), path.c_str(),
                cfg.model.empty() ? ("He init, seed " + std::to_string(cfg.seed)).c_str() : "given", t_read);
    std::printf("BLAS: %s, %d threads; load average %s\n\n", bench::openblas_config().c_str(), bench::blas_threads(),
                bench::load_average().c_str());

    std::vector<std::string> digits;
    for (int i = 0; i < 10; ++i) digits.push_back(std::to_string(i));
    const datasets::Dataset test = datasets::load_idx_pair(cfg.data + "/t10k-images-idx3-ubyte",
                                                           cfg.data + "/t10k-labels-idx1-ubyte", "mnist-test", digits);
    if (N > test.size())
        throw std::runtime_error("--count " + std::to_string(N) + " is more than the " + std::to_string(test.size()) +
                                 " test images in " + cfg.data);
    nn::onnx::check_input_width(stack, test.pixels(), cfg.data);
    const nn::Tensor<float> X = test.to_float<float>(0, N);         // [N, D]

    // ---- the gemm roofline: one forward pass, then per class a walk with frozen weights (dZ_k·W_kᵀ for every k,
    // but no dX·... past the input: the first layer's product gives dX itself)
    double flops = 0, gemm_seconds = 0, peak = 0;
    std::printf("(a) sgemm at the Jacobian's shapes: xt::blas::gemm, float, median of 15 timed blocks\n");
    std::printf("    %-16s %5s %5s %5s  %-2s %9s %6s %8s\n", "product", "M", "N", "K", "op", "GFLOP/s", "calls", "GFLOP");
    for (std::size_t k = 0; k < stack.layers.size(); ++k) {
        const std::size_t in = stack.layers[k].in(), out = stack.layers[k].out();
        const std::string l = std::to_string(k + 1);
        for (const auto& [s, times] : std::vector<std::pair<bench::GemmShape, int>>{
                 {{"H" + std::to_string(k) + "·W" + l + "   (fwd)", N, out, in, false, false}, 1},
                 {{"dZ" + l + "·W" + l + "ᵀ  (dH" + std::to_string(k) + ")", N, in, out, false, true}, static_cast<int>(C)}}) {
            const double g = bench::gemm_gflops(s);
            flops += s.flops() * times;
            gemm_seconds += s.flops() * times / (g * 1e9);
            peak = std::max(peak, g);
            std::printf("    %-16s %5zu %5zu %5zu  %c%c %9.1f %6d %8.3f\n", s.name.c_str(), s.M, s.N, s.K, s.ta ? 'T' : 'N',
                        s.tb ? 'T' : 'N', g, times, s.flops() * times / 1e9);
        }
    }
    const double roofline_peak = flops / (peak * 1e9);
    std::printf("    gemm work: %.3f GFLOP. Roofline: %.4f s at the peak (%.1f GFLOP/s), %.4f s with each product at\n"
                "    its own measured speed (gemm time only)\n\n",
                flops / 1e9, roofline_peak, peak, gemm_seconds);

    // ---- the engine
    const xt::xtensor<float, 3> J = sensitivity::maps::jacobian(model, X, sensitivity::maps::Output::Softmax);   // warm-up
    std::vector<double> secs;
    for (int r = 0; r < cfg.repeats; ++r) {
        const double t0 = bench::now_seconds();
        const xt::xtensor<float, 3> Jr = sensitivity::maps::jacobian(model, X, sensitivity::maps::Output::Softmax);
        secs.push_back(bench::now_seconds() - t0);
    }
    const double t_engine = bench::median(secs);

    bench::TorchJacobian torch;
    if (!cfg.no_torch) {
        std::vector<bench::PeerLayer> layers;
        const std::vector<nn::Var> p = model.parameters();          // W1, b1, W2, b2, ...
        for (std::size_t k = 0; k + 1 < p.size(); k += 2)
            layers.push_back({&model.tape().value(p[k]), &model.tape().value(p[k + 1])});
        torch = bench::run_torch_jacobian(cfg.python, cfg.peers, layers, X, J, cfg.repeats, cfg.threads);
    }

    std::printf("\n(b) seconds for the %zux%zux%zu Jacobian (median of %d runs after a warm-up)\n", N, C, D, cfg.repeats);
    std::printf("    %-30s %10s %12s\n", "contestant", "seconds", "GFLOP/s");
    std::printf("    %-30s %10.4f %12.1f\n", "gemm roofline (peak)", roofline_peak, flops / roofline_peak / 1e9);
    std::printf("    %-30s %10.4f %12.1f\n", "gemm time (per shape)", gemm_seconds, flops / gemm_seconds / 1e9);
    std::printf("    %-30s %10.4f %12.1f\n", "sensitivity::maps::jacobian", t_engine, flops / t_engine / 1e9);
    for (const auto& m : torch.methods)
        std::printf("    %-30s %10.4f %12.1f\n", ("PyTorch " + m.name).c_str(), m.seconds, flops / m.seconds / 1e9);
    std::printf("    engine / roofline = %.2f (%.2f against the per-shape gemm time); load average now %s\n",
                t_engine / roofline_peak, t_engine / gemm_seconds, bench::load_average().c_str());
    if (cfg.no_torch) return 0;
    std::printf("\n(c) PyTorch on the same weights and images, in this run (PyTorch / roofline %.2f caps the ratio)\n",
                torch.methods.empty() ? 0.0 : torch.methods.front().seconds / roofline_peak);
    return bench::print_torch_jacobian(torch, t_engine, 3, cfg.tolerance) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    cfg.data = bench::source_root() + "/data/mnist";
    cfg.peers = bench::source_root() + "/bench/peers";
    CLI::App app{"bench_jacobian_deep: the softmax Jacobian of 1,000 test images of a 784-512-256-10 ReLU net read "
                 "from ONNX, the engine vs PyTorch and the gemm roofline"};
    app.add_option("--data", cfg.data, "folder with t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte");
    app.add_option("--model", cfg.model, "an ONNX file of a dense ReLU net with 784 inputs (default: He init, written "
                                         "and read back)");
    app.add_option("--count", cfg.count, "test images (the first COUNT)")->check(CLI::Range(1, 10000));
    app.add_option("--repeats", cfg.repeats, "timed runs after one warm-up")->check(CLI::Range(1, 1000));
    app.add_option("--threads", cfg.threads, "BLAS threads (and torch threads)")->check(CLI::Range(1, 256));
    app.add_option("--seed", cfg.seed, "seed of the He-initialised weights");
    app.add_option("--tolerance", cfg.tolerance, "largest |J_engine - J_torch| accepted")->check(CLI::Range(0.0, 1.0));
    app.add_option("--python", cfg.python, "python with numpy and torch");
    app.add_option("--peers", cfg.peers, "folder with torch_jacobian.py");
    app.add_flag("--no-torch", cfg.no_torch, "skip the PyTorch peer");
    return bench::main_of("bench_jacobian_deep", app, argc, argv, [&] { return run(cfg); });
}
