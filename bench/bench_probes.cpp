// bench/bench_probes.cpp — seconds for the default probe set (rotation, blur, noise, ink mass, slant, class) over the MNIST
// test set, to size the train-and-explain budget. Prints timings and the probe summary; asserts no time.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"
#include "datasets/dataset.hpp"
#include "nn/training/model_io.hpp"
#include "nn/training/train.hpp"
#include "sensitivity/figures/probe_plot.hpp"
#include "sensitivity/probes/probe.hpp"
#include "sensitivity/probes/probe_curve.hpp"
#include "sensitivity/probes/probe_io.hpp"
#include "sensitivity/probes/properties.hpp"

namespace {

struct Config {
    std::string data;                 // folder with the MNIST IDX files
    std::size_t count = 10000;        // the first `count` test images
    std::string model;                // a saved model directory; empty: train one for `epochs` epochs
    std::size_t epochs = 1;
    std::size_t batch = 1000;         // prediction chunk
    int threads = 2;
    std::string out;                  // write <probe>.csv/.json/.png here; empty: nothing written
};

int run(const Config& cfg) {
    bench::set_blas_threads(cfg.threads);
    const datasets::Split data = datasets::load_mnist(cfg.data);
    nn::training::TrainConfig tc;
    tc.epochs = cfg.epochs;
    tc.progress = nn::training::ProgressMode::Quiet;
    nn::MLP<float> model = cfg.model.empty() ? nn::training::make_mlp(tc) : nn::training::load_model(cfg.model);
    if (cfg.model.empty()) {
        const double t0 = bench::now_seconds();
        nn::training::train(model, data.train, tc);
        std::printf("trained %zu epoch(s) in %.1f s\n", cfg.epochs, bench::now_seconds() - t0);
    }
    const std::size_t N = std::min(cfg.count, data.test.size());
    const nn::Tensor<float> X = data.test.to_float<float>(0, N);   // [N, 784]
    std::vector<int> labels(data.test.labels.begin(), data.test.labels.begin() + long(N));
    const sensitivity::probes::PredictFn predict = [&](const nn::Tensor<float>& x) { return nn::predict(model, x); };
    std::printf("probes over %zu MNIST test images, prediction chunks of %zu, %d BLAS threads\n\n", N, cfg.batch,
                bench::blas_threads());

    std::vector<sensitivity::probes::ProbeResult> results;
    auto timed = [&](const char* what, auto&& f) {
        const double t0 = bench::now_seconds();
        results.push_back(f());
        std::printf("  %-28s %7.3f s\n", what, bench::now_seconds() - t0);
    };
    const double start = bench::now_seconds();
    sensitivity::probes::Outcomes outcomes;
    timed("predict (shared) + class", [&] {
        outcomes = sensitivity::probes::predict_outcomes(predict, X, labels, cfg.batch);
        return sensitivity::probes::class_probe(outcomes, labels);
    });
    for (auto p : {sensitivity::probes::Property::InkMass, sensitivity::probes::Property::Slant, sensitivity::probes::Property::Thickness}) {
        timed((std::string("property ") + sensitivity::probes::property_name(p)).c_str(), [&] {
            return sensitivity::probes::property_probe(sensitivity::probes::property_name(p), sensitivity::probes::property_units(p),
                                               sensitivity::probes::compute_property(X, p), outcomes);
        });
    }
    auto range = [](double lo, double hi, int n) {
        std::vector<double> v;
        for (int i = 0; i < n; ++i) v.push_back(lo + (hi - lo) * i / (n - 1));
        return v;
    };
    const sensitivity::probes::FitOptions per_degree;   // floor: 0.02 of score over the 5-95% range of the angles
    timed("rotation 0..90 (10 values)", [&] {
        return sensitivity::probes::perturbation_probe(sensitivity::probes::make_perturber("rotation"), range(0, 90, 10), predict, X,
                                               labels, per_degree, 1, cfg.batch);
    });
    timed("blur sigma 0..3 (7 values)", [&] {
        return sensitivity::probes::perturbation_probe(sensitivity::probes::make_perturber("blur"), range(0, 3, 7), predict, X, labels,
                                               {}, 1, cfg.batch);
    });
    timed("noise sigma 0..0.5 (6 values)", [&] {
        return sensitivity::probes::perturbation_probe(sensitivity::probes::make_perturber("noise"), range(0, 0.5, 6), predict, X,
                                               labels, {}, 1, cfg.batch);
    });
    std::printf("  %-28s %7.3f s\n\n", "all probes", bench::now_seconds() - start);
    sensitivity::probes::print_probe_summary(std::cout, results);

    if (!cfg.out.empty()) {
        std::filesystem::create_directories(cfg.out);
        for (const auto& r : results) {
            const std::string base = cfg.out + "/probe_" + r.name;
            sensitivity::probes::write_probe_csv(r, base + ".csv");
            sensitivity::probes::write_probe_json(r, base + ".json");
            sensitivity::figures::probe_plot_png(base + ".png", sensitivity::probes::probe_curve(r));
        }
        std::printf("\nwrote probe_<name>.csv/.json/.png to %s\n", cfg.out.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    cfg.data = bench::source_root() + "/data/mnist";
    CLI::App app{"bench_probes: time the default Sensie-style probes over the MNIST test set"};
    app.add_option("--data", cfg.data, "folder with the MNIST IDX files");
    app.add_option("--count", cfg.count, "test images (the first COUNT)")->check(CLI::Range(1, 10000));
    app.add_option("--model", cfg.model, "a saved model directory; default: train one");
    app.add_option("--epochs", cfg.epochs, "epochs when training the model here")->check(CLI::Range(1, 100));
    app.add_option("--batch", cfg.batch, "images per prediction chunk")->check(CLI::Range(1, 100000));
    app.add_option("--threads", cfg.threads, "BLAS threads")->check(CLI::Range(1, 256));
    app.add_option("--out", cfg.out, "folder for probe CSV/JSON/PNG files (default: none written)");
    return bench::main_of("bench_probes", app, argc, argv, [&] { return run(cfg); });
}
