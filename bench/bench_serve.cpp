// bench/bench_serve.cpp — the explorer's API under load: 8 concurrent clients send 1,000 POST /api/v1/explain requests
// of real MNIST test digits (JSON pixels, then 280x280 PNGs like the page's canvas) to a server on a loopback port.
// Prints errors, p50/p99 latency and requests per second next to one idle client and the explanation alone (no HTTP),
// measured in the same run. Not a test: it asserts no time; it fails only on an error answer or a wrong prediction.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <stb_image_write.h>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"
#include "datasets/dataset.hpp"
#include "examples/train_and_explain/serve.hpp"
#include "nn/argmax.hpp"
#include "nn/training/model_io.hpp"
#include "nn/training/threads.hpp"

namespace {

struct Config {
    std::string model, data;
    std::size_t clients = 8, requests = 1000, images = 1000;
};

struct Body {
    std::string bytes, type;
    int expected;                          // nn::predict's class (JSON) or the first answer's (PNG)
};

// The digit scaled 10x (nearest neighbour) into a 280x280 gray PNG: what the page sends for a drawing of it.
std::string canvas_png(const datasets::Dataset& d, std::size_t i) {
    std::vector<unsigned char> px(280 * 280);
    for (std::size_t r = 0; r < 280; ++r)
        for (std::size_t c = 0; c < 280; ++c) px[r * 280 + c] = d.images(i, (r / 10) * 28 + c / 10);
    std::string png;
    stbi_write_png_to_func([](void* ctx, void* data, int n) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), n); },
                           &png, 280, 280, 1, px.data(), 280);
    return png;
}

double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// `clients` threads, each with its own keep-alive connection, share `requests` requests round-robin over `bodies`.
// Returns the number of errors; prints one line.
int load(const char* label, int port, const std::vector<Body>& bodies, std::size_t clients, std::size_t requests) {
    std::atomic<std::size_t> next{0};
    std::atomic<int> errors{0};
    std::vector<std::vector<double>> ms(clients);
    const double t0 = bench::now_seconds();
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < clients; ++t)
        threads.emplace_back([&, t] {
            httplib::Client c("127.0.0.1", port);
            c.set_read_timeout(30, 0);
            for (std::size_t k; (k = next++) < requests;) {
                const Body& b = bodies[k % bodies.size()];
                const double s = bench::now_seconds();
                const auto r = c.Post("/api/v1/explain", b.bytes, b.type.c_str());
                ms[t].push_back(1e3 * (bench::now_seconds() - s));
                if (!r || r->status != 200 || nlohmann::json::parse(r->body)["prediction"].get<int>() != b.expected) ++errors;
            }
        });
    for (auto& th : threads) th.join();
    const double seconds = bench::now_seconds() - t0;
    std::vector<double> all;
    for (const auto& v : ms) all.insert(all.end(), v.begin(), v.end());
    std::printf("%-40s %2zu clients %5zu requests  errors %d  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  %7.1f requests/s\n",
                label, clients, all.size(), errors.load(), percentile(all, 0.5), percentile(all, 0.99),
                *std::max_element(all.begin(), all.end()), static_cast<double>(all.size()) / seconds);
    return errors.load();
}

int run(const Config& cfg) {
    nn::training::ModelInfo info;
    const nn::MLP<float> model = nn::training::load_model(cfg.model, &info);
    std::vector<std::string> digits;
    for (int i = 0; i < 10; ++i) digits.push_back(std::to_string(i));
    const datasets::Dataset test = datasets::load_idx_pair(cfg.data + "/t10k-images-idx3-ubyte",
                                                           cfg.data + "/t10k-labels-idx1-ubyte", "mnist-test", digits)
                                       .slice(0, cfg.images);
    const std::vector<int> predicted = nn::argmax_rows(nn::predict(model, test.to_float<float>(0, test.size())));
    std::printf("bench_serve: POST /api/v1/explain, model %s (%s), the first %zu MNIST test images\n",
                cfg.model.c_str(), nn::layer_widths(model).c_str(), test.size());
    std::printf("machine: %u hardware threads; load average %s; server: 8 worker threads, BLAS 1 thread\n\n",
                std::thread::hardware_concurrency(), bench::load_average().c_str());

    std::vector<Body> json_bodies, png_bodies;
    for (std::size_t i = 0; i < test.size(); ++i) {
        nlohmann::json px = nlohmann::json::array();
        for (std::size_t j = 0; j < 784; ++j) px.push_back(int(test.images(i, j)));
        json_bodies.push_back({nlohmann::json{{"pixels", px}}.dump(), "application/json", predicted[i]});
    }

    nn::training::set_threads(1);  // as --serve does
    // (a) the explanation alone: decoding plus one forward, two backward walks and exact IG, no HTTP
    {
        app::Explainer explainer(model);
        std::vector<double> ms;
        for (std::size_t k = 0; k < 200; ++k) {
            const Body& b = json_bodies[k % json_bodies.size()];
            const double s = bench::now_seconds();
            const app::Explanation e = explainer.explain(app::decode_explain_request(b.type, b.bytes, {}));
            ms.push_back(1e3 * (bench::now_seconds() - s));
            if (e.prediction != b.expected) throw std::runtime_error("the explainer disagrees with nn::predict");
        }
        std::printf("%-40s %2d client  %6zu calls     p50 %6.2f ms  p99 %6.2f ms\n", "(a) decode + explain, no HTTP", 1,
                    ms.size(), percentile(ms, 0.5), percentile(ms, 0.99));
    }
    app::ExplorerServer server(model, info);
    const int port = server.start("127.0.0.1", 0);
    int errors = 0;
    errors += load("(b) JSON pixels, one client", port, json_bodies, 1, 200);
    errors += load("(c) JSON pixels, 8 clients", port, json_bodies, cfg.clients, cfg.requests);
    // The page's path: a PNG of the canvas, preprocessed like --image. Its expected class is the one the server gave a
    // single client, so (d) checks that concurrency changes no answer.
    {
        httplib::Client c("127.0.0.1", port);
        for (std::size_t i = 0; i < std::min<std::size_t>(test.size(), 200); ++i) {
            Body b{canvas_png(test, i), "image/png", -1};
            const auto r = c.Post("/api/v1/explain", b.bytes, b.type.c_str());
            if (!r || r->status != 200) throw std::runtime_error("a canvas PNG was refused: " + (r ? r->body : std::string("no answer")));
            b.expected = nlohmann::json::parse(r->body)["prediction"].get<int>();
            png_bodies.push_back(std::move(b));
        }
    }
    errors += load("(d) 280x280 PNG (the page), one client", port, png_bodies, 1, 200);
    errors += load("(e) 280x280 PNG (the page), 8 clients", port, png_bodies, cfg.clients, cfg.requests);
    server.stop();
    std::printf("\nerrors: %d\n", errors);
    return errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    cfg.model = bench::source_root() + "/tests/fixtures/trained_mlp_784_64_10";
    cfg.data = bench::source_root() + "/data/mnist";
    CLI::App app{"bench_serve: the explorer's API under 8 concurrent clients (latency percentiles, requests/s, errors)"};
    app.add_option("--model", cfg.model, "a saved model directory (default: the committed 784-64-10 fixture)");
    app.add_option("--data", cfg.data, "folder with t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte");
    app.add_option("--clients", cfg.clients, "concurrent clients")->check(CLI::Range(1, 64));
    app.add_option("--requests", cfg.requests, "requests per load run")->check(CLI::Range(1, 1000000));
    app.add_option("--images", cfg.images, "distinct test images sent")->check(CLI::Range(1, 10000));
    return bench::main_of("bench_serve", app, argc, argv, [&] { return run(cfg); });
}
