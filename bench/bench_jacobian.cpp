// bench/bench_jacobian.cpp — seconds for the full 10x784 softmax Jacobian of 1,000 test images with the engine,
// three ways (reverse mode: 10 VJPs; forward mode: 784 JVPs, generic and seeded past the first layer; central
// finite differences: 1,568 evaluations), next to the gemm roofline and PyTorch (batched VJPs, the peer of the goal;
// 10 VJPs; a closed form), all measured in the same run, each with its FLOP-count prediction; then
// where the engine's time goes beyond the gemm (its walks alone, writing J alone, a raw-BLAS Jacobian writing J in place).
// Also checks the engine's Jacobians agree with each other and with PyTorch's. Prints figures; asserts no time.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xtensor/xnpy.hpp>
#include <xtensor/xtensor.hpp>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"
#include "bench/hvp_cost.hpp"
#include "bench/raw_blas_jacobian.hpp"
#include "bench/structured_forward_jacobian.hpp"
#include "bench/torch_jacobian_peer.hpp"
#include "datasets/dataset.hpp"
#include "nn/mlp.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace {

struct Config {
    std::string data;                         // folder with the MNIST test IDX files
    std::size_t count = 1000;                 // the first `count` test images
    std::size_t hidden = 256;
    std::string model;                        // a saved model directory (nn/training/model_io.hpp); empty: He init
    int repeats = 5;                          // timed runs after one warm-up
    int threads = 2;
    std::uint64_t seed = 1;
    std::string python = "/usr/bin/python3";
    std::string peers;                        // folder with torch_jacobian.py
    bool no_torch = false;
    bool no_forward = false;                  // skip the forward-mode contestant
    bool no_fd = false;                       // skip the finite-difference contestant
    std::size_t directions = 8;               // forward mode: pixel directions pushed through the tape at once
    std::size_t chunk = 1000;                 // reverse mode: images per forward pass (sensitivity::maps::jacobian's default)
    double h = 1e-5;                          // finite differences: the step (in double)
    double tolerance = 1e-5;                  // max |J_engine - J_torch| accepted
};

int run(const Config& cfg) {
    bench::set_blas_threads(cfg.threads);
    nn::MLP<float> model = cfg.model.empty() ? nn::MLP<float>(784, cfg.hidden, 10, nn::Activation::Relu, cfg.seed)
                                             : nn::training::load_model(cfg.model);
    if (model.activation != nn::Activation::Relu)
        throw std::runtime_error(cfg.model + ": the bench expects a relu model, this one is " +
                                 nn::activation_name(model.activation));
    if (model.layers().size() != 2)   // the raw-BLAS peer and the closed form are written for one hidden layer
        throw std::runtime_error(cfg.model + ": the bench expects one hidden layer, this model is " +
                                 nn::layer_widths(model));
    const std::size_t N = cfg.count, D = model.in(), H = model.layer(0).out, C = model.out();
    std::printf("bench_jacobian: J[n, i, j] = dp_i/dx_j (softmax outputs) of %zu MNIST test images, %zu-%zu-%zu ReLU MLP "
                "(%s)\n",
                N, D, H, C, cfg.model.empty() ? ("He init, seed " + std::to_string(cfg.seed)).c_str() : cfg.model.c_str());
    std::printf("BLAS: %s, %d threads; load average %s\n\n", bench::openblas_config().c_str(), bench::blas_threads(),
                bench::load_average().c_str());

    std::vector<std::string> digits;
    for (int i = 0; i < 10; ++i) digits.push_back(std::to_string(i));
    const datasets::Dataset test = datasets::load_idx_pair(cfg.data + "/t10k-images-idx3-ubyte",
                                                           cfg.data + "/t10k-labels-idx1-ubyte", "mnist-test", digits);
    if (N > test.size())
        throw std::runtime_error("--count " + std::to_string(N) + " is more than the " + std::to_string(test.size()) +
                                 " test images in " + cfg.data);
    if (test.pixels() != D)
        throw std::runtime_error(cfg.data + ": images have " + std::to_string(test.pixels()) +
                                 " pixels, the model expects " + std::to_string(D));
    const nn::Tensor<float> X = test.to_float<float>(0, N);         // [N, D]

    // ---- the gemm roofline: 1 forward pass and 10 backward passes, weights frozen (no dW, no db)
    struct Work {
        bench::GemmShape shape;
        int times;
    };
    const std::vector<Work> work = {
        {{"X·W1      (fwd)", N, H, D, false, false}, 1},
        {{"H·W2      (fwd)", N, C, H, false, false}, 1},
        {{"dZ2·W2ᵀ   (dH)", N, H, C, false, true}, static_cast<int>(C)},
        {{"dZ1·W1ᵀ   (dX)", N, D, H, false, true}, static_cast<int>(C)},
    };
    std::printf("(a) sgemm at the Jacobian's shapes: xt::blas::gemm, float, median of 15 timed blocks\n");
    std::printf("    %-16s %5s %5s %5s  %-2s %9s %6s %8s\n", "product", "M", "N", "K", "op", "GFLOP/s", "calls", "GFLOP");
    double flops = 0, gemm_seconds = 0, peak = 0;
    for (const auto& w : work) {
        const auto& s = w.shape;
        const double g = bench::gemm_gflops(s);
        flops += s.flops() * w.times;
        gemm_seconds += s.flops() * w.times / (g * 1e9);
        peak = std::max(peak, g);
        std::printf("    %-16s %5zu %5zu %5zu  %c%c %9.1f %6d %8.3f\n", s.name.c_str(), s.M, s.N, s.K, s.ta ? 'T' : 'N',
                    s.tb ? 'T' : 'N', g, w.times, s.flops() * w.times / 1e9);
    }
    const double roofline_peak = flops / (peak * 1e9);
    std::printf("    gemm work: %.3f GFLOP. Roofline: %.4f s at the peak (%.1f GFLOP/s), %.4f s with each product at\n"
                "    its own measured speed (gemm time only)\n\n",
                flops / 1e9, roofline_peak, peak, gemm_seconds);

    // ---- the engine: sensitivity::maps::jacobian (one forward, then one backward walk of the same tape per class)
    xt::xtensor<float, 3> J = sensitivity::maps::jacobian(model, X, sensitivity::maps::Output::Softmax, cfg.chunk);   // warm-up
    std::vector<double> secs;
    for (int r = 0; r < cfg.repeats; ++r) {
        const double t0 = bench::now_seconds();
        xt::xtensor<float, 3> Jr = sensitivity::maps::jacobian(model, X, sensitivity::maps::Output::Softmax, cfg.chunk);
        secs.push_back(bench::now_seconds() - t0);
    }
    const double t_engine = bench::median(secs);

    // ---- the same Jacobian two other ways, each timed once (they take seconds, not milliseconds)
    // FLOP counts (multiply-add = 2): a forward pass of the batch is 2·N·(D·H + H·C); a reverse walk with frozen
    // weights 2·N·(C·H + H·D); a forward-mode direction pushes a tangent through both layers, 2·N·(D·H + H·C).
    const double fwd_pass = 2.0 * N * (D * H + H * C), rev_walk = 2.0 * N * (C * H + H * D);
    const double flops_reverse = fwd_pass + C * rev_walk;                       // 1 forward, C walks
    const double flops_forward = fwd_pass + D * fwd_pass;                       // 1 forward, D tangent directions
    const double flops_fd = (2.0 * D + 1.0) * fwd_pass;                         // x ± h e_j for each j, and x
    double t_forward = 0, t_fd = 0, forward_diff = -1, fd_diff = -1, j_scale = 0;
    for (float v : J) j_scale = std::max(j_scale, std::abs(static_cast<double>(v)));
    if (!cfg.no_forward) {
        std::printf("    forward mode: %zu directions in blocks of %zu ...\n", D, cfg.directions);
        std::fflush(stdout);
        const double t0 = bench::now_seconds();
        const xt::xtensor<float, 3> Jf =
            sensitivity::maps::jacobian_forward(model, X, sensitivity::maps::Output::Softmax, 1000, cfg.directions);
        t_forward = bench::now_seconds() - t0;
        forward_diff = 0;
        for (std::size_t i = 0; i < J.size(); ++i)
            forward_diff = std::max(forward_diff, std::abs(static_cast<double>(Jf.data()[i]) - J.data()[i]));
    }
    // Forward mode with this net's structure: the 784 tangents start at z1 as W1's rows, one walk per chunk.
    // Tangent FLOP: 2·N·D·H·C (the [D·B, H]·[H, C] gemm), besides the forward pass with its X·W1.
    const double flops_structured = fwd_pass + 2.0 * N * D * H * C;
    double t_structured = 0, structured_diff = -1;
    if (!cfg.no_forward) {
        const auto& tp = model.tape();
        std::vector<double> s_secs;
        for (int r = 0; r <= cfg.repeats; ++r) {                    // run 0 is a warm-up
            const double t0 = bench::now_seconds();
            const xt::xtensor<float, 3> Js = bench::structured_forward_jacobian(
                tp.value(model.layer(0).W), tp.value(model.layer(0).b), tp.value(model.layer(1).W), tp.value(model.layer(1).b), X);
            if (r > 0) s_secs.push_back(bench::now_seconds() - t0);
            if (r == 0) {
                structured_diff = 0;
                for (std::size_t i = 0; i < J.size(); ++i)
                    structured_diff = std::max(structured_diff, std::abs(static_cast<double>(Js.data()[i]) - J.data()[i]));
                if (!(structured_diff <= cfg.tolerance))
                    throw std::runtime_error("the structured forward-mode Jacobian differs from reverse mode's by " +
                                             std::to_string(structured_diff));
            }
        }
        t_structured = bench::median(s_secs);
    }
    if (!cfg.no_fd) {
        std::printf("    finite differences: %zu evaluations of each image, in double ...\n", 2 * D + 1);
        std::fflush(stdout);
        nn::MLP<double> model64(model);
        const nn::Tensor<double> X64 = xt::cast<double>(X);
        const double t0 = bench::now_seconds();
        const sensitivity::maps::FdJacobian fd = sensitivity::maps::fd_jacobian(model64, X64, cfg.h);
        t_fd = bench::now_seconds() - t0;
        fd_diff = 0;
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t i = 0; i < C; ++i)
                for (std::size_t j = 0; j < D; ++j)
                    if (!fd.skip(n, j)) fd_diff = std::max(fd_diff, std::abs(fd.J(n, i, j) - J(n, i, j)));
    }
    const bench::PeakMemory mem = bench::peak_memory();

    // ---- where the engine's time goes beyond the gemm (after the peak-memory reading: its two J buffers are not
    // the engine's), each the median of `repeats` runs:
    //  walks: sensitivity::maps::jacobian's forward and backward walks, each dX left on the tape (J is not written);
    //  write: the other part of sensitivity::maps::jacobian, copying the C gradients [N, D] into J [N, C, D];
    //  raw:   bench/raw_blas_jacobian.cpp, no tape, whose dX gemm writes straight into J's strided slice (no copy).
    // Both J buffers are reused from run to run, as the engine's J is (glibc hands the freed 31 MB back): no page faults.
    std::vector<double> walk_secs, write_secs, raw_secs;
    nn::Tensor<float> seed, dx_all = xt::zeros<float>({N, D});      // [B, C] one-hot column; [N, D] a gradient
    xt::xtensor<float, 3> Jw({N, C, D}), Jraw({N, C, D});           // [N, C, D]
    for (int r = 0; r <= cfg.repeats; ++r) {                        // run 0 is a warm-up
        double t0 = bench::now_seconds();
        sensitivity::maps::InputGradient<float> grad(model, sensitivity::maps::Output::Softmax);
        for (std::size_t row0 = 0; row0 < N; row0 += cfg.chunk) {
            const std::size_t B = std::min(cfg.chunk, N - row0);
            grad.forward(X, row0, B);
            seed = xt::zeros<float>({B, C});
            for (std::size_t i = 0; i < C; ++i) {
                for (std::size_t n = 0; n < B; ++n) {
                    if (i > 0) seed(n, i - 1) = 0.f;
                    seed(n, i) = 1.f;                               // seed[n, i] = 1 for every image
                }
                grad.backward(seed);                                // [B, D], not copied anywhere
            }
        }
        const double t_walks = bench::now_seconds() - t0;
        t0 = bench::now_seconds();
        for (std::size_t i = 0; i < C; ++i)
            for (std::size_t n = 0; n < N; ++n)
                std::copy(dx_all.data() + n * D, dx_all.data() + (n + 1) * D, &Jw(n, i, 0));
        const double t_write = bench::now_seconds() - t0;
        t0 = bench::now_seconds();
        const auto& tp = model.tape();
        bench::raw_blas_jacobian(tp.value(model.layer(0).W), tp.value(model.layer(0).b), tp.value(model.layer(1).W),
                                 tp.value(model.layer(1).b), X, Jraw);
        const double t_raw = bench::now_seconds() - t0;
        if (r == 0) {
            double d = 0;
            for (std::size_t k = 0; k < J.size(); ++k)
                d = std::max(d, std::abs(static_cast<double>(Jraw.data()[k]) - J.data()[k]));
            if (!(d <= cfg.tolerance))
                throw std::runtime_error("the raw-BLAS Jacobian differs from the engine's by " + std::to_string(d));
            continue;
        }
        walk_secs.push_back(t_walks);
        write_secs.push_back(t_write);
        raw_secs.push_back(t_raw);
    }
    const double t_walks = bench::median(walk_secs), t_write = bench::median(write_secs), t_raw = bench::median(raw_secs);

    // ---- PyTorch on the same weights and images, through .npy files: three methods (bench/torch_jacobian_peer.hpp)
    bench::TorchJacobian torch;
    if (cfg.no_torch) {
        std::printf("    PyTorch: skipped (--no-torch)\n");
    } else {
        const auto& tape = model.tape();
        torch = bench::run_torch_jacobian(cfg.python, cfg.peers,
                                          {{&tape.value(model.layer(0).W), &tape.value(model.layer(0).b)},
                                           {&tape.value(model.layer(1).W), &tape.value(model.layer(1).b)}},
                                          X, J, cfg.repeats, cfg.threads);
    }

    std::printf("\n(b) seconds for the %zux%zux%zu Jacobian (median of %d runs after a warm-up)\n", N, C, D, cfg.repeats);
    std::printf("    %-26s %10s %12s\n", "contestant", "seconds", "GFLOP/s");
    std::printf("    %-26s %10.4f %12.1f\n", "gemm roofline (peak)", roofline_peak, flops / roofline_peak / 1e9);
    std::printf("    %-26s %10.4f %12.1f\n", "gemm time (per shape)", gemm_seconds, flops / gemm_seconds / 1e9);
    std::printf("    %-26s %10.4f %12.1f\n", "sensitivity::maps::jacobian", t_engine, flops / t_engine / 1e9);
    for (const auto& m : torch.methods)
        std::printf("    %-26s %10.4f %12.1f\n", ("PyTorch " + m.name).c_str(), m.seconds, flops / m.seconds / 1e9);

    std::printf("\n(b2) where the engine's time goes beyond the gemm (medians of %d runs)\n", cfg.repeats);
    std::printf("    %-52s %10.4f   %.2f x roofline\n", "engine's walks alone (each dX left on the tape)", t_walks,
                t_walks / roofline_peak);
    std::printf("    %-52s %10.4f   %.1f GB/s\n", "writing J alone (C copies of [N, D] into [N, C, D])", t_write,
                4.0 * N * C * D / t_write / 1e9);
    std::printf("    %-52s %10.4f   %.2f x roofline\n", "raw BLAS, dX gemm straight into J (ldc = C*D)", t_raw,
                t_raw / roofline_peak);
    std::printf("\n(c) the same Jacobian three ways on the engine: walks over the tape and FLOP counts\n");
    std::printf("    %-30s %14s %9s %9s %10s %9s\n", "contestant", "passes", "GFLOP", "seconds", "GFLOP/s",
                "x reverse");
    std::printf("    %-30s %14s %9.1f %9.4f %10.1f %9.2f\n", "reverse mode (VJP), float",
                (std::to_string(C) + " walks").c_str(), flops_reverse / 1e9, t_engine, flops_reverse / t_engine / 1e9,
                1.0);
    if (t_forward > 0)
        std::printf("    %-30s %14s %9.1f %9.4f %10.1f %9.2f\n", "forward mode (JVP), float",
                    (std::to_string(D) + " dirs").c_str(), flops_forward / 1e9, t_forward,
                    flops_forward / t_forward / 1e9, t_forward / t_engine);
    if (t_structured > 0)
        std::printf("    %-30s %14s %9.1f %9.4f %10.1f %9.2f\n", "forward mode, W1 rows seeded",
                    "1 walk/chunk", flops_structured / 1e9, t_structured,
                    flops_structured / t_structured / 1e9, t_structured / t_engine);
    if (t_fd > 0)
        std::printf("    %-30s %14s %9.1f %9.4f %10.1f %9.2f\n", "central differences, double",
                    (std::to_string(2 * D + 1) + " evals").c_str(), flops_fd / 1e9, t_fd, flops_fd / t_fd / 1e9,
                    t_fd / t_engine);
    std::printf("    FLOP-count prediction: forward / reverse = %.1f, finite differences / reverse = %.1f\n",
                flops_forward / flops_reverse, flops_fd / flops_reverse);
    if (t_forward > 0) std::printf("forward / reverse = %.1f\n", t_forward / t_engine);
    if (t_structured > 0)
        std::printf("structured forward / reverse = %.2f (FLOP-count prediction %.2f; median of %d runs)\n",
                    t_structured / t_engine, flops_structured / flops_reverse, cfg.repeats);
    if (t_fd > 0) std::printf("finite differences / reverse = %.1f\n", t_fd / t_engine);
    if (forward_diff >= 0)
        std::printf("    max |J_forward - J_reverse| = %.2e (%.1e of max |J| = %.3g)\n", forward_diff,
                    forward_diff / j_scale, j_scale);
    if (structured_diff >= 0)
        std::printf("    max |J_structured - J_reverse| = %.2e (%.1e of max |J|)\n", structured_diff,
                    structured_diff / j_scale);
    if (fd_diff >= 0)
        std::printf("    max |J_fd - J_reverse| = %.2e (%.1e of max |J|; pixels within h of a relu kink skipped)\n",
                    fd_diff, fd_diff / j_scale);

    std::printf("\n    engine / roofline = %.2f   (target <= 1.35; %.2f against the per-shape gemm time)\n",
                t_engine / roofline_peak, t_engine / gemm_seconds);
    std::printf("    peak memory: ru_maxrss %.1f MiB, VmHWM %.1f MiB; load average now %s\n", mem.maxrss_mib,
                mem.vmhwm_mib, bench::load_average().c_str());
    std::printf("\n");
    bench::print_hvp_cost(model, X, std::vector<int>(test.labels.begin(), test.labels.begin() + N), cfg.repeats);
    if (cfg.no_torch) return 0;
    std::printf("\n(e) PyTorch on the same weights and images, in this run (PyTorch / roofline %.2f caps the ratio)\n",
                torch.methods.empty() ? 0.0 : torch.methods.front().seconds / roofline_peak);
    return bench::print_torch_jacobian(torch, t_engine, 5, cfg.tolerance) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    cfg.data = bench::source_root() + "/data/mnist";
    cfg.peers = bench::source_root() + "/bench/peers";
    CLI::App app{"bench_jacobian: the softmax Jacobian of 1,000 test images, reverse vs forward mode vs finite "
                 "differences on the engine, vs PyTorch and the gemm roofline"};
    app.add_option("--data", cfg.data, "folder with t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte");
    app.add_option("--count", cfg.count, "test images (the first COUNT)")->check(CLI::Range(1, 10000));
    app.add_option("--hidden", cfg.hidden, "hidden units of the He-initialised model")->check(CLI::Range(1, 100000));
    app.add_option("--model", cfg.model, "a saved model directory (W1.npy ... model.json) instead of random weights");
    app.add_option("--repeats", cfg.repeats, "timed runs after one warm-up")->check(CLI::Range(1, 1000));
    app.add_option("--threads", cfg.threads, "BLAS threads (and torch threads)")->check(CLI::Range(1, 256));
    app.add_option("--seed", cfg.seed, "seed of the He-initialised weights");
    app.add_option("--tolerance", cfg.tolerance, "largest |J_engine - J_torch| accepted")->check(CLI::Range(0.0, 1.0));
    app.add_option("--python", cfg.python, "python with numpy and torch");
    app.add_option("--peers", cfg.peers, "folder with torch_jacobian.py");
    app.add_flag("--no-torch", cfg.no_torch, "skip the PyTorch peer");
    app.add_option("--chunk", cfg.chunk, "reverse mode: images per forward pass")->check(CLI::Range(std::size_t(1), std::size_t(10000)));
    app.add_flag("--no-forward", cfg.no_forward, "skip the forward-mode contestant (784 JVPs, about 80x the work)");
    app.add_flag("--no-fd", cfg.no_fd, "skip the finite-difference contestant (1,568 evaluations, in double)");
    app.add_option("--directions", cfg.directions, "forward mode: directions per tangent walk")->check(CLI::Range(1, 784));
    app.add_option("--h", cfg.h, "finite-difference step")->check(CLI::Range(1e-12, 1.0));
    return bench::main_of("bench_jacobian", app, argc, argv, [&] { return run(cfg); });
}
