// tests/test_onnx_cli.cpp — a network trained elsewhere through the real binary: a PyTorch MNIST MLP exported with
// torch.onnx.export (tests/fixtures/onnx/make_mnist_mlp.py) gets accuracy, maps checked against torch.autograd, the
// finite-difference check, --image and the explorer, like a model nnsense trained; and every saved model has model.onnx.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <xtensor/xnpy.hpp>
#include <xtensor/xtensor.hpp>

#include "nn/mlp.hpp"
#include "nn/onnx/from_mlp.hpp"
#include "nn/onnx/read.hpp"
#include "nn/onnx/stack_model.hpp"
#include "nn/onnx/write.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "tests/child_process.hpp"

namespace fs = std::filesystem;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}
std::string bin() { return env_or("NNSENSE_BIN", "build/examples/train-and-explain"); }
std::string mnist() { return env_or("NNSENSE_DATA", "data") + "/mnist"; }
fs::path fixtures() { return fs::path(env_or("NNSENSE_FIXTURES", "tests/fixtures")) / "onnx"; }
std::string net_onnx() { return (fixtures() / "mnist_mlp.onnx").string(); }

struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& tag) {
        path = fs::temp_directory_path() / ("nnsense-onnx-cli-" + tag + "-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Runs the binary to its end; returns its stdout (stderr goes to dir/stderr.txt), CHECKs the exit code.
std::string run(const std::vector<std::string>& args, const fs::path& dir, int expect_code = 0) {
    std::vector<std::string> argv = {bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    testing_support::ChildProcess child(argv, (dir / "stderr.txt").string());
    for (int waited = 0; waited < 600 && !child.exited(0); ++waited) child.read_line(0.5);   // keep the pipe drained
    REQUIRE(child.exited(1));
    while (!child.read_line(0.2).empty()) {
    }
    const std::string out = child.output();
    std::ifstream err(dir / "stderr.txt");
    INFO("stdout: " << out << "\nstderr: " << std::string(std::istreambuf_iterator<char>(err), {}));
    CHECK(child.exit_code() == expect_code);
    return out;
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream f(p);
    REQUIRE_MESSAGE(f, p.string());
    return nlohmann::json::parse(f);
}

// max over entries of |ours − torch| / max |torch| of the same image: the run's float Jacobian of its first images
// against PyTorch's double one.
double jacobian_gap(const fs::path& run_dir) {
    const xt::xtensor<double, 3> J = xt::load_npy<double>((fixtures() / "mnist_mlp" / "J.npy").string());   // [3, 10, 784]
    const xt::xtensor<float, 3> ours = xt::load_npy<float>((run_dir / "sensitivity" / "jacobian.npy").string());
    REQUIRE(ours.shape(0) >= J.shape(0));
    REQUIRE(ours.shape(1) == J.shape(1));
    REQUIRE(ours.shape(2) == J.shape(2));
    double worst = 0;
    for (std::size_t k = 0; k < J.shape(0); ++k) {
        double scale = 0, gap = 0;
        for (std::size_t i = 0; i < J.shape(1); ++i)
            for (std::size_t j = 0; j < J.shape(2); ++j) {
                scale = std::max(scale, std::abs(J(k, i, j)));
                gap = std::max(gap, std::abs(static_cast<double>(ours(k, i, j)) - J(k, i, j)));
            }
        worst = std::max(worst, gap / scale);
    }
    return worst;
}

}  // namespace

TEST_CASE("a PyTorch MNIST MLP from ONNX: test accuracy, Jacobian equal to torch.autograd's, finite differences pass") {
    TempDir dir("run");
    const std::string out = run({"--model", net_onnx(), "--normalize", "0.1307,0.3081", "--data", mnist(), "--out",
                                 dir.path.string(), "--explain-count", "3", "--fd-images", "3", "--no-probes"},
                                dir.path);
    CHECK(out.find("the graph ends in logits: nnsense appends a softmax") != std::string::npos);
    const nlohmann::json r = read_json(dir.path / "report.json");
    // PyTorch measured 95.60% for this network (make_mnist_mlp.py); the same weights and inputs give the same count.
    CHECK(r["test"]["accuracy"].get<double>() > 0.95);
    CHECK(r["test"]["count"].get<int>() == 10000);
    CHECK(r["fd_check"]["passed"].get<bool>());
    CHECK(r["model"]["format"] == "onnx");
    CHECK(r["model"]["softmax_appended"].get<bool>());
    CHECK(r["model"]["normalize"]["mean"].get<double>() == doctest::Approx(0.1307));
    CHECK(r["run"]["network"] == "784-64-32-10");
    std::ifstream page(dir.path / "report.html");
    const std::string html(std::istreambuf_iterator<char>(page), {});
    CHECK(html.find("nnsense appends a softmax") != std::string::npos);   // the report says so too
    CHECK(html.find("(x − 0.1307) / 0.3081") != std::string::npos);
    const double gap = jacobian_gap(dir.path);
    std::printf("  ONNX MNIST MLP: test accuracy %.2f%%, Jacobian vs torch.autograd max relative gap %.2e\n",
                100 * r["test"]["accuracy"].get<double>(), gap);
    CHECK(gap <= 1e-5);
}

TEST_CASE("the same network without the --normalize it was trained with disagrees with PyTorch: the check can fail") {
    TempDir dir("wrong");
    run({"--model", net_onnx(), "--data", mnist(), "--out", dir.path.string(), "--explain-count", "3", "--fd-images",
         "1", "--no-probes", "--quiet"},
        dir.path);
    const double gap = jacobian_gap(dir.path);
    std::printf("  without --normalize: Jacobian vs torch.autograd max relative gap %.2e\n", gap);
    CHECK(gap > 1e-2);
}

TEST_CASE("--image explains a picture with the ONNX network") {
    TempDir dir("image");
    const std::string out = run({"--model", net_onnx(), "--normalize", "0.1307,0.3081", "--image",
                                 env_or("NNSENSE_EXAMPLES", "examples") + "/digit-3.png", "--out", dir.path.string()},
                                dir.path);
    CHECK(out.find("prediction: 3") != std::string::npos);
    CHECK(fs::exists(dir.path / "image" / "sensitivity.png"));
}

TEST_CASE("--serve --model net.onnx answers an explain request with PyTorch's probabilities") {
    TempDir dir("serve");
    testing_support::ChildProcess server({bin(), "--serve", "--model", net_onnx(), "--normalize", "0.1307,0.3081",
                                          "--port", "0", "--out", dir.path.string(), "--data", mnist()},
                                         (dir.path / "stderr.txt").string());
    const std::string line = server.wait_for_line("explorer: open http://127.0.0.1:", 120);
    REQUIRE_MESSAGE(!line.empty(), ("no URL printed; output: " + server.output()));
    const int port = std::stoi(line.substr(line.rfind(':') + 1));
    const xt::xtensor<double, 2> x = xt::load_npy<double>((fixtures() / "mnist_mlp" / "x.npy").string());   // [3, 784]
    const xt::xtensor<double, 2> p = xt::load_npy<double>((fixtures() / "mnist_mlp" / "p.npy").string());   // [3, 10]
    nlohmann::json body;
    for (std::size_t j = 0; j < 784; ++j) body["pixels"].push_back(std::lround(x(0, j) * 255));   // bytes, as MNIST's
    httplib::Client c("127.0.0.1", port);
    const auto res = c.Post("/api/v1/explain", body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const nlohmann::json e = nlohmann::json::parse(res->body);
    double gap = 0;
    for (std::size_t i = 0; i < 10; ++i) gap = std::max(gap, std::abs(e["probabilities"][i].get<double>() - p(0, i)));
    CHECK(gap < 1e-5);
    const auto m = c.Get("/api/v1/model");
    REQUIRE(m);
    CHECK(nlohmann::json::parse(m->body)["network"].get<std::string>().rfind("784-64-32-10", 0) == 0);
    server.signal(SIGTERM);
    REQUIRE(server.exited(10));
    CHECK(server.exit_code() == 0);
}

TEST_CASE("every saved model directory holds model.onnx: onnx.checker accepts it, nnsense and PyTorch predict the same") {
    TempDir dir("save");
    run({"--data", mnist(), "--out", dir.path.string(), "--epochs", "1", "--hidden", "16", "--explain-count", "5",
         "--fd-images", "1", "--no-probes", "--quiet"},
        dir.path);
    const fs::path model_dir = dir.path / "model", onnx_file = model_dir / "model.onnx";
    REQUIRE(fs::exists(onnx_file));
    nn::MLP<float> mlp = nn::training::load_model(model_dir.string());
    const xt::xtensor<float, 2> x = xt::load_npy<float>((dir.path / "sensitivity" / "inputs.npy").string());   // [5, 784]

    // Read back: the same float weights, the same ops on the tape, so the same logits to the last bit.
    nn::onnx::StackModel<float> back(nn::onnx::read_onnx(onnx_file.string()));
    const nn::Tensor<float> ours = nn::predict_logits(mlp, nn::Tensor<float>(x));                          // [5, 10]
    const nn::Tensor<float> read = sensitivity::maps::predict(sensitivity::maps::Model<float>(back), nn::Tensor<float>(x),
                                                              sensitivity::maps::Output::Logits);
    CHECK(read == ours);

    // PyTorch rebuilt from the file's nodes and initializers (tests/onnx/check_export.py) against the same network in
    // double: the file's float32 weights are the model's, so only the order of rounding differs.
    const nn::Tensor<double> x64 = xt::cast<double>(x);
    const nn::Tensor<double> y64 = nn::predict_logits(nn::MLP<double>(mlp), x64);
    xt::dump_npy((dir.path / "x.npy").string(), x64);
    xt::dump_npy((dir.path / "y.npy").string(), y64);
    testing_support::ChildProcess py({"/usr/bin/python3", env_or("NNSENSE_ONNX_CHECK", "tests/onnx/check_export.py"),
                                      onnx_file.string(), (dir.path / "x.npy").string(), (dir.path / "y.npy").string()},
                                     (dir.path / "python.err").string());
    std::string line, last;
    while (!(line = py.read_line(120)).empty()) last = line;
    REQUIRE(py.exited(120));
    std::printf("  saved model.onnx, check_export.py: %s\n", last.c_str());
    CHECK_MESSAGE(py.exit_code() == 0, last);
    CHECK(last.rfind("OK checker", 0) == 0);

    // And the check fails for predictions that are off by 1e-5 (the tolerance is 1e-6).
    const nn::Tensor<double> off = y64 + 1e-5;
    xt::dump_npy((dir.path / "y_off.npy").string(), off);
    testing_support::ChildProcess bad({"/usr/bin/python3", env_or("NNSENSE_ONNX_CHECK", "tests/onnx/check_export.py"),
                                       onnx_file.string(), (dir.path / "x.npy").string(), (dir.path / "y_off.npy").string()},
                                      (dir.path / "python.err").string());
    while (!bad.read_line(120).empty()) {
    }
    REQUIRE(bad.exited(120));
    CHECK(bad.exit_code() == 1);
}

namespace {
// The mean_abs column of <run>/sensitivity/features.csv, by feature name.
std::vector<std::pair<std::string, double>> mean_abs_column(const fs::path& run_dir) {
    std::ifstream f(run_dir / "sensitivity" / "features.csv");
    REQUIRE(f);
    std::string line;
    std::getline(f, line);
    REQUIRE(line.rfind("feature,mean_abs,", 0) == 0);
    std::vector<std::pair<std::string, double>> rows;
    while (std::getline(f, line)) {
        const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
        rows.emplace_back(line.substr(0, c1), std::stod(line.substr(c1 + 1, c2 - c1 - 1)));
    }
    return rows;
}
std::string table_file(const std::string& name) { return (fixtures() / name).string(); }
}  // namespace

TEST_CASE("--hidden 16,8 trains 784-16-8-10: W1..W3 and model.onnx saved, the FD check and the 3-step sanity cascade run") {
    TempDir dir("deeper");
    const std::string out = run({"--data", mnist(), "--out", dir.path.string(), "--epochs", "1", "--hidden", "16,8",
                                 "--explain-count", "5", "--fd-images", "2", "--no-probes"},
                                dir.path);
    CHECK(out.find("training 784-16-8-10 ") != std::string::npos);
    const fs::path model_dir = dir.path / "model";
    for (const char* f : {"W1.npy", "b1.npy", "W2.npy", "b2.npy", "W3.npy", "b3.npy", "model.json", "model.onnx"})
        CHECK_MESSAGE(fs::exists(model_dir / f), f);
    CHECK(read_json(model_dir / "model.json")["hidden"] == nlohmann::json::array({16, 8}));
    const nn::MLP<float> mlp = nn::training::load_model(model_dir.string());
    const xt::xtensor<float, 2> x = xt::load_npy<float>((dir.path / "sensitivity" / "inputs.npy").string());   // [5, 784]
    nn::onnx::StackModel<float> back(nn::onnx::read_onnx((model_dir / "model.onnx").string()));
    CHECK(sensitivity::maps::predict(sensitivity::maps::Model<float>(back), nn::Tensor<float>(x),
                                     sensitivity::maps::Output::Logits) == nn::predict_logits(mlp, nn::Tensor<float>(x)));

    const nlohmann::json report = read_json(dir.path / "report.json");
    CHECK(report["fd_check"]["passed"] == true);
    const nlohmann::json& sanity = report["beyond"]["sanity"]["methods"];
    REQUIRE(sanity.is_array());
    CHECK(sanity.size() == 15);                                          // 5 maps × W3, then W3 and W2, then all
    CHECK(sanity.back()["randomized"] == "W3, W2, W1");
    CHECK(report["beyond"]["settings"]["ig_rule"] == "midpoint");         // kink-aware IG needs one hidden layer

    // The directory is a model like any other: --model explains it without training.
    TempDir again("deeper-again");
    const std::string out2 = run({"--data", mnist(), "--model", model_dir.string(), "--out", again.path.string(),
                                  "--explain-count", "5", "--fd-images", "1", "--no-probes"},
                                 again.path);
    CHECK(out2.find("(784-16-8-10)") != std::string::npos);
}

TEST_CASE("a deeper table net from ONNX (3-8-4-1, tanh) explains a table: the one-hidden-layer limit is gone") {
    TempDir dir("table-deeper");
    const fs::path onnx_file = dir.path / "deep.onnx";
    nn::onnx::write_onnx(nn::onnx::from_mlp(nn::MLP<float>(3, {8, 4}, 1, nn::Activation::Tanh, 5)), onnx_file.string());
    const std::string out = run({"--csv", table_file("table_net.csv"), "--model", onnx_file.string(), "--target", "y",
                                 "--scaling", table_file("table_net.scaling.json"), "--out", dir.path.string(), "--quiet"},
                                dir.path);
    CHECK(mean_abs_column(dir.path).size() == 3);
}


TEST_CASE("a 3-8-1 regression net from PyTorch explains a table: per-feature sensitivities equal torch.autograd's") {
    TempDir dir("table");
    const std::string out = run({"--csv", table_file("table_net.csv"), "--model", table_file("table_net.onnx"), "--target",
                                 "y", "--scaling", table_file("table_net.scaling.json"), "--out", dir.path.string(),
                                 "--quiet"},
                                dir.path);
    CHECK(out.find("standardized by") != std::string::npos);
    const nlohmann::json m = read_json(dir.path / "metrics.json");
    CHECK(m["r2"].get<double>() > 0.95);                       // PyTorch's training R² was 0.9767
    CHECK(m["fd_check"]["passed"].get<bool>());
    // mean over rows of |∂y/∂x_j| in the columns' own units, against PyTorch's gradient through its standardization.
    const xt::xtensor<double, 2> g = xt::load_npy<double>((fixtures() / "table_net" / "grad.npy").string());   // [300, 3]
    const std::vector<std::string> names = {"a", "b", "c"};
    for (const auto& [name, ours] : mean_abs_column(dir.path)) {
        const std::size_t j = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
        REQUIRE(j < 3);
        double torch_mean = 0;
        for (std::size_t n = 0; n < g.shape(0); ++n) torch_mean += std::abs(g(n, j)) / static_cast<double>(g.shape(0));
        std::printf("  table net: mean |dy/d%s| nnsense %.6f, torch %.6f\n", name.c_str(), ours, torch_mean);
        CHECK(ours == doctest::Approx(torch_mean).epsilon(1e-5));
    }
}

TEST_CASE("the same table net fed raw columns (no --scaling) predicts badly, and the run says the columns were raw") {
    TempDir dir("table-raw");
    const std::string out = run({"--csv", table_file("table_net.csv"), "--model", table_file("table_net.onnx"), "--target",
                                 "y", "--features", "a,b,c", "--out", dir.path.string()},
                                dir.path);
    CHECK(out.find("taken raw (no --scaling)") != std::string::npos);
    const nlohmann::json m = read_json(dir.path / "metrics.json");
    std::printf("  table net without --scaling: R² %.3f\n", m["r2"].get<double>());
    CHECK(m["r2"].get<double>() < 0.5);
}

namespace {
// Column `col` (0-based) of every data row of a small CSV without quotes.
std::vector<std::string> csv_column(const std::string& path, std::size_t col) {
    std::ifstream f(path);
    REQUIRE_MESSAGE(f, path);
    std::string line;
    std::getline(f, line);                                     // the header
    std::vector<std::string> out;
    while (std::getline(f, line)) {
        std::size_t start = 0;
        for (std::size_t c = 0; c < col; ++c) start = line.find(',', start) + 1;
        out.push_back(line.substr(start, line.find(',', start) - start));
    }
    return out;
}
// The share of rows whose label equals names[pred[row]].
double accuracy(const std::vector<std::string>& labels, const xt::xtensor<std::int64_t, 1>& pred,
                const std::vector<std::string>& names) {
    REQUIRE(labels.size() == pred.size());
    std::size_t right = 0;
    for (std::size_t n = 0; n < labels.size(); ++n) right += labels[n] == names.at(static_cast<std::size_t>(pred(n)));
    return static_cast<double>(right) / static_cast<double>(labels.size());
}
}  // namespace

// tests/fixtures/onnx/make_table_classifier.py: PyTorch's output k is the k-th level sorted (apple, fig, pear; codes
// 2, 9, 10 as numbers). The rows start with a pear, then an apple, so first-seen order and text order of the codes
// differ from it; reading the outputs in either of those orders would name most rows' predictions wrongly.
TEST_CASE("a table classifier from ONNX: outputs are the target's levels sorted (text, and numbers numerically)") {
    const std::string csv = table_file("table_classifier.csv");
    const xt::xtensor<std::int64_t, 1> pred =
        xt::load_npy<std::int64_t>((fixtures() / "table_classifier" / "pred.npy").string());   // [300] torch's argmax
    struct Case {
        std::string target;
        std::size_t column;
        std::vector<std::string> sorted, wrong;                // the order nnsense must use; one it must not
    };
    for (const Case& c : {Case{"fruit", 2, {"apple", "fig", "pear"}, {"pear", "apple", "fig"}},        // wrong: first seen
                          Case{"code", 3, {"2", "9", "10"}, {"10", "2", "9"}}}) {                     // wrong: as text
        CAPTURE(c.target);
        TempDir dir("table-classes-" + c.target);
        run({"--csv", csv, "--model", table_file("table_classifier.onnx"), "--target", c.target, "--features", "x1,x2",
             "--out", dir.path.string(), "--quiet"},
            dir.path);
        const std::vector<std::string> labels = csv_column(csv, c.column);
        const double expected = accuracy(labels, pred, c.sorted), wrong = accuracy(labels, pred, c.wrong);
        const double ours = read_json(dir.path / "metrics.json")["test_accuracy"].get<double>();
        std::printf("  table classifier, --target %s: accuracy nnsense %.4f, PyTorch %.4f (%.4f in the wrong order)\n",
                    c.target.c_str(), ours, expected, wrong);
        CHECK(expected > 0.8);                                 // the fixture can tell the orders apart
        CHECK(wrong < 0.5);
        CHECK(ours == doctest::Approx(expected).epsilon(1e-12));   // the same rows right: count / 300
    }
}
