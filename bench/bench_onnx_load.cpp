// bench/bench_onnx_load.cpp — how long reading an ONNX model takes: a 784-512-256-10 ReLU net (535,818 weights, 2 MB)
// written by nnsense, read back by nn::onnx::read_onnx (parse, checks, DenseStack), next to Python's onnx.load plus
// numpy arrays of the initializers (bench/peers/onnx_load.py) on the same file in the same run. Asserts no time.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"
#include "nn/onnx/read.hpp"
#include "nn/onnx/write.hpp"

namespace {

int run(int repeats, const std::string& python) {
    nn::onnx::DenseStack s;
    s.input_width = 784;
    std::mt19937 rng(1);
    std::normal_distribution<double> normal(0.0, 0.05);
    std::size_t in = 784;
    for (std::size_t out : {512, 256, 10}) {
        nn::onnx::Dense l;
        l.W = nn::Tensor<double>({in, out});                          // [in, out]
        for (auto& w : l.W) w = normal(rng);
        l.b.assign(out, 0.01);
        l.act = out == 10 ? nn::onnx::Activation::Identity : nn::onnx::Activation::Relu;
        s.layers.push_back(std::move(l));
        in = out;
    }
    bench::TempDir dir("nnsense-bench-onnx");
    const std::string path = dir.file("model.onnx");
    nn::onnx::write_onnx(s, path);

    std::size_t params = 0;
    const std::vector<double> times = bench::timed_runs(repeats, [&] {
        const nn::onnx::DenseStack back = nn::onnx::read_onnx(path);
        params = 0;
        for (const auto& l : back.layers) params += l.W.size() + l.b.size();
    });
    std::printf("model       %s, %zu parameters, load average %s\n", nn::onnx::describe(s).c_str(), params,
                bench::load_average().c_str());
    const double t_read = bench::median(times);
    std::printf("nnsense     read_onnx (parse + checks + DenseStack)      %.4f s (median of %d; target <= 0.2 s: %s)\n",
                t_read, repeats, t_read <= 0.2 ? "met" : "NOT met");
    const bench::PeerResult peer = bench::run_peer(python, bench::source_root() + "/bench/peers/onnx_load.py",
                                                   {path, std::to_string(repeats)});
    if (peer.json)
        std::printf("python      onnx.load + numpy_helper.to_array            %.4f s (median of %d)\n",
                    (*peer.json)["seconds"].get<double>(), repeats);
    else
        std::printf("python      peer failed: %s\n", peer.error.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"bench_onnx_load: time nn::onnx::read_onnx on a 784-512-256-10 model next to Python's onnx.load"};
    int repeats = 7;
    std::string python = "/usr/bin/python3";
    app.add_option("--repeats", repeats, "timed reads (the median is printed); one warm-up before them")->check(CLI::PositiveNumber);
    app.add_option("--python", python, "the interpreter of the peer (python3-onnx)");
    return bench::main_of("bench_onnx_load", app, argc, argv, [&] { return run(repeats, python); });
}
