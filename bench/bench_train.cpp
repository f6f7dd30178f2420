// bench/bench_train.cpp — seconds per MNIST training epoch of the tape engine, next to references measured in the
// same run: the sgemm roofline, a raw-BLAS loop without the tape, and PyTorch. Prints figures; asserts no time.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xtensor/xtensor.hpp>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"
#include "bench/raw_blas_mlp.hpp"
#include "datasets/dataset.hpp"
#include "nn/training/denormals.hpp"
#include "nn/mlp.hpp"
#include "nn/sgd.hpp"
#include "nn/training/train.hpp"

namespace {

struct Config {
    std::string data;                         // folder with the MNIST training IDX files
    std::size_t count = 55000;                // images per epoch: the first `count` (nn::training::train holds out the last 5000)
    std::size_t batch = 64, hidden = 256;
    double lr = 0.05, momentum = 0.9;
    int epochs = 3;                           // timed epochs, after one warm-up epoch
    int threads = 2;
    int torch_threads = 0;                    // 0: the same as threads
    std::uint64_t seed = 1;
    std::string python = "/usr/bin/python3";
    std::string peers;                        // folder with torch_mlp.py
    bool no_torch = false;
};

using Order = std::vector<std::size_t>;

// Steps of one epoch: full batches only, as nn::training::train does (the last incomplete batch is skipped).
std::size_t steps_per_epoch(const Config& cfg) { return cfg.count / cfg.batch; }

struct Epoch {
    double seconds = 0, mean_loss = 0;
    double batch_seconds = 0;                 // of which: bytes -> float batches (Dataset::batch)
};

// (b) one epoch on the tape with the trainer's own step (nn::training::train_step): rewind, fill the input leaf
// from the bytes (Dataset::batch), record forward, backward, optimizer step.
Epoch tape_epoch(nn::MLP<float>& model, nn::SGD<float>& opt, const datasets::Dataset& d, const Order& order,
                 const Config& cfg) {
    auto& tape = model.tape();
    std::vector<int> labels;
    double total = 0, batch_seconds = 0;
    const std::size_t steps = steps_per_epoch(cfg), B = cfg.batch;
    const double t0 = bench::now_seconds();
    for (std::size_t s = 0; s < steps; ++s) {
        const std::size_t* idx = &order[s * B];
        model.reset();
        nn::Var x = model.input(B);                                         // [B, 784]
        const double tb = bench::now_seconds();
        d.batch(idx, B, tape.value(x));
        d.batch_labels(idx, B, labels);
        batch_seconds += bench::now_seconds() - tb;
        total += nn::training::train_step(model, x, labels, opt, cfg.lr);
    }
    return {bench::now_seconds() - t0, total / static_cast<double>(steps), batch_seconds};
}

// (c) the same epoch on the hand-written BLAS loop, with the same batches.
Epoch raw_epoch(bench::RawBlasMlp& net, nn::Tensor<float>& X, const datasets::Dataset& d, const Order& order,
                const Config& cfg) {
    std::vector<int> labels;
    double total = 0;
    const std::size_t steps = steps_per_epoch(cfg), B = cfg.batch;
    const double t0 = bench::now_seconds();
    for (std::size_t s = 0; s < steps; ++s) {
        const std::size_t* idx = &order[s * B];
        d.batch(idx, B, X);                                                 // [B, 784]
        d.batch_labels(idx, B, labels);
        total += net.step(X, labels, static_cast<float>(cfg.lr), static_cast<float>(cfg.momentum));
    }
    return {bench::now_seconds() - t0, total / static_cast<double>(steps)};
}

// (b') the trainer's whole loop, nn::training::train (its own shuffle; validation is timed apart and not counted).
std::vector<double> trainer_epochs(const datasets::Dataset& d, const Config& cfg, int total_epochs) {
    nn::training::TrainConfig tc;
    tc.hidden = {cfg.hidden};
    tc.epochs = static_cast<std::size_t>(total_epochs);
    tc.batch = cfg.batch;
    tc.optimizer = nn::OptimizerKind::Sgd;
    tc.lr = cfg.lr;
    tc.momentum = cfg.momentum;
    tc.nesterov = false;
    tc.schedule = "constant";
    tc.seed = cfg.seed;
    tc.validation = d.size() - cfg.count;
    tc.progress = nn::training::ProgressMode::Quiet;
    nn::MLP<float> model = nn::training::make_mlp(tc, d.pixels(), 10);
    const nn::training::TrainResult r = nn::training::train(model, d, tc);
    std::vector<double> s;
    for (const auto& e : r.epochs) s.push_back(e.seconds);
    return s;
}

// The shortest text that reads back as the same double (std::to_string would print 1e-7 as 0.000000).
std::string exact(double v) {
    char buf[32];
    for (int digits = 6; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

double max_abs_diff(const nn::Tensor<float>& a, const nn::Tensor<float>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i])));
    return m;
}

int run(const Config& cfg) {
    bench::set_blas_threads(cfg.threads);
    const nn::training::FlushDenormals flush_denormals;  // as nn::training::train does; the PyTorch peer calls torch.set_flush_denormal(True)
    const std::size_t in = 784, out = 10, H = cfg.hidden, Bn = cfg.batch;
    std::printf("bench_train: %zu-%zu-%zu ReLU MLP, batch %zu, SGD lr %g momentum %g, %zu images per epoch\n", in, H,
                out, Bn, cfg.lr, cfg.momentum, cfg.count);
    std::printf("BLAS: %s, %d threads; load average %s\n", bench::openblas_config().c_str(), bench::blas_threads(),
                bench::load_average().c_str());
    std::printf("subnormal floats flushed to zero (FTZ/DAZ) in every contestant, as nn::training::train does\n\n");

    const datasets::Split split = datasets::load_mnist(cfg.data);
    const datasets::Dataset& d = split.train;
    if (cfg.count > d.size() || cfg.count < cfg.batch)
        throw std::runtime_error("--count " + std::to_string(cfg.count) + " must be between --batch and the " +
                                 std::to_string(d.size()) + " images in " + cfg.data);
    if (d.pixels() != in)
        throw std::runtime_error(cfg.data + ": images have " + std::to_string(d.pixels()) + " pixels, expected " +
                                 std::to_string(in));

    // ---- (a) the gemm peak at the shapes of one training step, and the roofline of an epoch
    const std::vector<bench::GemmShape> shapes = {
        {"X·W1      (fwd)", Bn, H, in, false, false},
        {"H·W2      (fwd)", Bn, out, H, false, false},
        {"dZ2·W2ᵀ   (dH)", Bn, H, out, false, true},
        {"Hᵀ·dZ2    (dW2)", H, out, Bn, true, false},
        {"Xᵀ·dZ1    (dW1)", in, H, Bn, true, false},
    };
    std::printf("(a) sgemm at the training shapes: xt::blas::gemm, float, median of 15 timed blocks\n");
    std::printf("    %-16s %5s %5s %5s  %-2s %9s %11s\n", "product", "M", "N", "K", "op", "GFLOP/s", "MFLOP/step");
    double flops_step = 0, gemm_seconds_step = 0, peak = 0;
    for (const auto& s : shapes) {
        const double g = bench::gemm_gflops(s);
        flops_step += s.flops();
        gemm_seconds_step += s.flops() / (g * 1e9);
        peak = std::max(peak, g);
        std::printf("    %-16s %5zu %5zu %5zu  %c%c %9.1f %11.2f\n", s.name.c_str(), s.M, s.N, s.K, s.ta ? 'T' : 'N',
                    s.tb ? 'T' : 'N', g, s.flops() / 1e6);
    }
    const double steps = static_cast<double>(steps_per_epoch(cfg));
    const double flops_epoch = flops_step * steps;
    const double roofline_peak = flops_epoch / (peak * 1e9);
    const double roofline_shapes = gemm_seconds_step * steps;
    std::printf("    gemm work per epoch (%.0f steps): %.2f GFLOP. Roofline of one epoch: %.3f s at the peak (%.1f GFLOP/s),\n"
                "    %.3f s with each product at its own measured speed (gemm time only)\n\n",
                steps, flops_epoch / 1e9, roofline_peak, peak, roofline_shapes);

    // ---- the same initial weights and the same data order for every contestant
    nn::MLP<float> model(in, H, out, nn::Activation::Relu, cfg.seed);
    auto& tape = model.tape();
    bench::RawBlasMlp raw(tape.value(model.layer(0).W), tape.value(model.layer(0).b), tape.value(model.layer(1).W),
                          tape.value(model.layer(1).b));
    const int total_epochs = 1 + cfg.epochs;
    xt::xtensor<std::int64_t, 2> orders({static_cast<std::size_t>(total_epochs), cfg.count});   // for PyTorch
    std::mt19937_64 rng(cfg.seed);
    std::vector<Order> order(total_epochs, Order(cfg.count));
    for (int e = 0; e < total_epochs; ++e) {
        std::iota(order[e].begin(), order[e].end(), 0);
        std::shuffle(order[e].begin(), order[e].end(), rng);
        for (std::size_t i = 0; i < cfg.count; ++i) orders(e, i) = static_cast<std::int64_t>(order[e][i]);
    }
    bench::TempDir dir("nnsense-bench-train-");
    bench::save_npy(dir.file("W1.npy"), raw.W1);
    bench::save_npy(dir.file("b1.npy"), raw.b1);
    bench::save_npy(dir.file("W2.npy"), raw.W2);
    bench::save_npy(dir.file("b2.npy"), raw.b2);
    bench::save_npy(dir.file("order.npy"), orders);

    // ---- (b), (c): tape and raw BLAS, epoch by epoch in turn so machine noise hits both alike
    nn::SGD<float> opt(cfg.momentum, /*nesterov=*/false);
    nn::Tensor<float> Xraw;
    std::vector<Epoch> tape_e, raw_e;
    for (int e = 0; e < total_epochs; ++e) {
        tape_e.push_back(tape_epoch(model, opt, d, order[e], cfg));
        raw_e.push_back(raw_epoch(raw, Xraw, d, order[e], cfg));
        std::printf("    epoch %d%s: tape %.3f s (loss %.5f)   raw BLAS %.3f s (loss %.5f)\n", e + 1,
                    e == 0 ? " (warm-up)" : "", tape_e.back().seconds, tape_e.back().mean_loss, raw_e.back().seconds,
                    raw_e.back().mean_loss);
    }
    const bench::PeakMemory mem = bench::peak_memory();
    auto timed = [](const std::vector<Epoch>& v) {
        std::vector<double> s;
        for (std::size_t i = 1; i < v.size(); ++i) s.push_back(v[i].seconds);
        return bench::median(s);
    };
    const double t_tape = timed(tape_e), t_raw = timed(raw_e);
    std::vector<double> batch_s;
    for (std::size_t i = 1; i < tape_e.size(); ++i) batch_s.push_back(tape_e[i].batch_seconds);
    const double t_batches = bench::median(batch_s);

    // ---- (b') the trainer's own loop, for the record
    std::printf("\n    nn::training::train: %d epochs ...\n", total_epochs);
    const std::vector<double> trainer_s = trainer_epochs(d, cfg, total_epochs);
    const double t_trainer = bench::median(std::vector<double>(trainer_s.begin() + 1, trainer_s.end()));
    const bench::PeakMemory mem_trainer = bench::peak_memory();

    // ---- (d) PyTorch in a subprocess, same weights, same order
    double t_torch = 0;
    std::vector<double> torch_losses;
    if (cfg.no_torch) {
        std::printf("\n    PyTorch: skipped (--no-torch)\n");
    } else {
        std::printf("\n    PyTorch: running %s/torch_mlp.py ...\n", cfg.peers.c_str());
        const bench::PeerResult r = bench::run_peer(
            cfg.python, cfg.peers + "/torch_mlp.py",
            {"--data", cfg.data, "--init", dir.path(), "--count", std::to_string(cfg.count), "--batch",
             std::to_string(cfg.batch), "--lr", exact(cfg.lr), "--momentum", exact(cfg.momentum),
             "--epochs", std::to_string(total_epochs), "--threads",
             std::to_string(cfg.torch_threads > 0 ? cfg.torch_threads : cfg.threads)});
        if (!r.json) {
            std::printf("    PyTorch: NOT MEASURED: %s\n", r.error.c_str());
        } else {
            const auto& j = *r.json;
            t_torch = j.at("seconds_per_epoch").get<double>();
            torch_losses = j.at("epoch_losses").get<std::vector<double>>();
            const auto secs = j.at("epoch_seconds").get<std::vector<double>>();
            for (std::size_t e = 0; e < secs.size(); ++e)
                std::printf("    epoch %zu%s: PyTorch %.3f s (loss %.5f)\n", e + 1, e == 0 ? " (warm-up)" : "",
                            secs[e], torch_losses[e]);
            std::printf("    PyTorch %s, %d threads, peak RSS of the python process %.0f MiB\n",
                        j.at("torch").get<std::string>().c_str(), j.at("threads").get<int>(),
                        j.at("max_rss_mb").get<double>());
        }
    }

    // ---- the table
    std::printf("\n(b-d) seconds per epoch (%zu steps of %zu = %zu images, %d BLAS threads; median of %d epochs after a warm-up)\n",
                steps_per_epoch(cfg), cfg.batch, steps_per_epoch(cfg) * cfg.batch, cfg.threads, cfg.epochs);
    std::printf("    %-22s %10s %14s %14s\n", "contestant", "s/epoch", "loss epoch 1", "loss last");
    std::printf("    %-22s %10.3f %14s %14s\n", "gemm roofline (peak)", roofline_peak, "-", "-");
    std::printf("    %-22s %10.3f %14.5f %14.5f\n", "tape engine", t_tape, tape_e.front().mean_loss,
                tape_e.back().mean_loss);
    std::printf("    %-22s %10.3f %14s %14s\n", "nn::training::train (own order)", t_trainer, "-", "-");
    std::printf("    %-22s %10.3f %14.5f %14.5f\n", "raw BLAS loop", t_raw, raw_e.front().mean_loss, raw_e.back().mean_loss);
    if (t_torch > 0)
        std::printf("    %-22s %10.3f %14.5f %14.5f\n", "PyTorch", t_torch, torch_losses.front(), torch_losses.back());
    std::printf("    (the tape epoch includes %.3f s of byte -> float batch conversion, %.0f%%)\n", t_batches,
                100 * t_batches / t_tape);
    std::printf("\n    tape / raw BLAS   = %.2f   (target <= 1.0)\n", t_tape / t_raw);
    if (t_torch > 0) std::printf("    PyTorch / tape    = %.2f   (target >= 6)\n", t_torch / t_tape);
    std::printf("    roofline / tape   = %.0f%% of the gemm peak (%.0f%% of the per-shape gemm time)\n",
                100 * roofline_peak / t_tape, 100 * roofline_shapes / t_tape);
    std::printf("    peak memory of this process (all of MNIST as bytes, tape and raw loop): ru_maxrss %.1f MiB, "
                "VmHWM %.1f MiB;\n    after nn::training::train as well: ru_maxrss %.1f MiB, VmHWM %.1f MiB (target <= 150)\n",
                mem.maxrss_mib, mem.vmhwm_mib, mem_trainer.maxrss_mib, mem_trainer.vmhwm_mib);
    std::printf("    load average now: %s\n", bench::load_average().c_str());

    // ---- sanity: the three compute the same thing, so their losses must agree
    const double dW = max_abs_diff(tape.value(model.layer(0).W), raw.W1);
    bool ok = std::abs(tape_e.back().mean_loss - raw_e.back().mean_loss) < 1e-3 && dW < 1e-3;
    std::printf("\n    sanity: |loss tape - loss raw| = %.2e, max |W1 tape - W1 raw| = %.2e after %d epochs",
                std::abs(tape_e.back().mean_loss - raw_e.back().mean_loss), dW, total_epochs);
    if (!torch_losses.empty()) {
        const double dt = std::abs(tape_e.back().mean_loss - torch_losses.back());
        ok = ok && dt < 1e-2;
        std::printf(", |loss tape - loss PyTorch| = %.2e", dt);
    }
    std::printf("  -> %s\n", ok ? "OK" : "NOT OK");
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    cfg.data = bench::source_root() + "/data/mnist";
    cfg.peers = bench::source_root() + "/bench/peers";
    CLI::App app{"bench_train: seconds per MNIST epoch, tape vs raw BLAS vs PyTorch, with the gemm roofline"};
    app.add_option("--data", cfg.data, "folder with train-images-idx3-ubyte and train-labels-idx1-ubyte");
    app.add_option("--count", cfg.count, "training images per epoch: the first COUNT (default: nn::training::train's 55000)")
        ->check(CLI::Range(1, 60000));
    app.add_option("--batch", cfg.batch, "batch size")->check(CLI::Range(1, 60000));
    app.add_option("--hidden", cfg.hidden, "hidden units")->check(CLI::Range(1, 100000));
    app.add_option("--lr", cfg.lr, "learning rate")->check(CLI::Range(0.0, 10.0));
    app.add_option("--momentum", cfg.momentum, "SGD momentum")->check(CLI::Range(0.0, 1.0));
    app.add_option("--epochs", cfg.epochs, "timed epochs (one warm-up epoch comes first)")->check(CLI::Range(1, 100));
    app.add_option("--threads", cfg.threads, "BLAS threads (and torch threads)")->check(CLI::Range(1, 256));
    app.add_option("--torch-threads", cfg.torch_threads, "threads for PyTorch only (default: --threads)")
        ->check(CLI::Range(1, 256));
    app.add_option("--seed", cfg.seed, "seed of the initial weights and the data order");
    app.add_option("--python", cfg.python, "python with numpy and torch");
    app.add_option("--peers", cfg.peers, "folder with torch_mlp.py");
    app.add_flag("--no-torch", cfg.no_torch, "skip the PyTorch peer");
    return bench::main_of("bench_train", app, argc, argv, [&] { return run(cfg); });
}
