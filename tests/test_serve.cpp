// tests/test_serve.cpp — the explorer's API (chapter 14): the request decoder without a socket, every error case over
// HTTP, the answers equal to nn::predict and the sensitivity maps for 50 MNIST test images, concurrent clients, and
// the real binary's clean stop on SIGTERM/SIGINT. The page in a browser is tests/test_serve_page.cpp (slow).
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "datasets/dataset.hpp"
#include "datasets/image_file.hpp"
#include "examples/train_and_explain/serve.hpp"
#include "examples/train_and_explain/serve_request.hpp"
#include "nn/argmax.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/maps/attribution.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "tests/child_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
std::string model_dir() { return env_or("NNSENSE_MODEL", "tests/fixtures/trained_mlp_784_64_10"); }
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE_MESSAGE(in, (p.string() + ": cannot be read"));
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The first `n` MNIST test images (NNSENSE_DATA/mnist).
datasets::Dataset mnist_test(std::size_t n) {
    const std::string dir = env_or("NNSENSE_DATA", "data") + "/mnist";
    std::vector<std::string> digits;
    for (int i = 0; i < 10; ++i) digits.push_back(std::to_string(i));
    const datasets::Dataset all = datasets::load_idx_pair(dir + "/t10k-images-idx3-ubyte", dir + "/t10k-labels-idx1-ubyte",
                                                         "mnist-test", digits);
    return all.slice(0, n);
}

json pixels_body(const datasets::Dataset& d, std::size_t i) {
    json px = json::array();
    for (std::size_t j = 0; j < 784; ++j) px.push_back(int(d.images(i, j)));
    return json{{"pixels", px}};
}
std::string zeros_json(std::size_t n, const std::string& extra = "") {
    std::string s = "{\"pixels\": [";
    for (std::size_t i = 0; i < n; ++i) s += i ? ",0" : "0";
    return s + "]" + extra + "}";
}

// The decoder's verdict on a body: the status it throws, or 200.
int status_of(const std::string& type, const std::string& body, std::vector<std::pair<std::string, std::string>> query = {}) {
    try {
        app::decode_explain_request(type, body, query);
        return 200;
    } catch (const app::RequestError& e) {
        CHECK_MESSAGE(std::string(e.what()).find('\n') == std::string::npos, e.what());
        return e.status;
    }
}

// An error answer: the status, JSON {"error": one line}, nothing else.
void check_error(const httplib::Result& r, int status, const std::string& says = "") {
    REQUIRE_MESSAGE(r, ("no answer (" + httplib::to_string(r.error()) + ")"));
    CHECK(r->status == status);
    CHECK(r->get_header_value("Content-Type") == "application/json");
    json j;
    REQUIRE_NOTHROW(j = json::parse(r->body));
    REQUIRE(j.is_object());
    CHECK(j.size() == 1);
    REQUIRE(j.contains("error"));
    const std::string e = j["error"].get<std::string>();
    CHECK(!e.empty());
    CHECK(e.find('\n') == std::string::npos);
    if (!says.empty()) CHECK_MESSAGE(e.find(says) != std::string::npos, e);
}

// A server on a free loopback port for the length of a test case.
struct LiveServer {
    nn::training::ModelInfo info;
    nn::MLP<float> model = nn::training::load_model(model_dir(), &info);
    app::ExplorerServer server{model, info};
    int port = server.start("127.0.0.1", 0);
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(20, 0);
        return c;
    }
};

}  // namespace

TEST_CASE("the decoder takes 784 JSON pixels in 0..255 as the network input, byte / 255") {
    std::string body = "{\"pixels\": [";
    for (int i = 0; i < 784; ++i) body += (i ? "," : "") + std::to_string(i % 256) + (i == 5 ? ".5" : "");
    body += "], \"class\": 3, \"pair\": [4, 9]}";
    const app::ExplainRequest r = app::decode_explain_request("application/json; charset=UTF-8", body, {});
    REQUIRE(r.x.size() == 784);
    CHECK(r.x[0] == 0.0f);
    CHECK(r.x[255] == 1.0f);
    CHECK(r.x[7] == 7.0f / 255.0f);
    CHECK(r.x[5] == 5.5f / 255.0f);
    CHECK(r.target == 3);
    CHECK((r.a == 4 && r.b == 9));
    CHECK(!r.picture);
    const app::ExplainRequest q = app::decode_explain_request("application/json", zeros_json(784), {{"class", "2"}, {"pair", "1,7"}});
    CHECK((q.target == 2 && q.a == 1 && q.b == 7));
    const app::ExplainRequest d = app::decode_explain_request("application/json", zeros_json(784), {});
    CHECK((d.target == -1 && d.a == -1 && d.b == -1));
}

TEST_CASE("the decoder refuses every malformed body with 400 and one line, another type with 415") {
    const std::string j = "application/json";
    CHECK(status_of(j, "{bad") == 400);
    CHECK(status_of(j, "") == 400);
    CHECK(status_of(j, "[1, 2, 3]") == 400);
    CHECK(status_of(j, "{}") == 400);
    CHECK(status_of(j, "{\"pixels\": 5}") == 400);
    CHECK(status_of(j, zeros_json(783)) == 400);
    CHECK(status_of(j, zeros_json(785)) == 400);
    CHECK(status_of(j, zeros_json(0)) == 400);
    std::string body = zeros_json(784);
    const auto with_first = [&](const std::string& v) { return "{\"pixels\": [" + v + body.substr(body.find('[') + 2); };
    CHECK(status_of(j, with_first("0")) == 200);  // the helper itself makes a valid body
    CHECK(status_of(j, with_first("255")) == 200);
    CHECK(status_of(j, with_first("256")) == 400);
    CHECK(status_of(j, with_first("-1")) == 400);
    CHECK(status_of(j, with_first("-0.001")) == 400);
    CHECK(status_of(j, with_first("1e999")) == 400);      // overflows to infinity: not finite
    CHECK(status_of(j, with_first("NaN")) == 400);        // not JSON at all
    CHECK(status_of(j, with_first("\"7\"")) == 400);
    CHECK(status_of(j, with_first("true")) == 400);
    CHECK(status_of(j, with_first("null")) == 400);
    CHECK(status_of(j, with_first("[0]")) == 400);
    CHECK(status_of(j, zeros_json(784, ", \"class\": 10")) == 400);
    CHECK(status_of(j, zeros_json(784, ", \"class\": -1")) == 400);
    CHECK_THROWS_WITH(app::decode_explain_request(j, zeros_json(784, ", \"class\": 18446744073709551615"), {}),
                      doctest::Contains("class 18446744073709551615 is outside 0..9"));   // not wrapped to -1
    CHECK(status_of(j, zeros_json(784, ", \"class\": 2.5")) == 400);
    CHECK(status_of(j, zeros_json(784, ", \"pair\": [3]")) == 400);
    CHECK(status_of(j, zeros_json(784, ", \"pair\": [3, 3]")) == 400);
    CHECK(status_of(j, zeros_json(784, ", \"pair\": [3, 11]")) == 400);
    CHECK(status_of(j, zeros_json(784, ", \"pixel\": []")) == 400);  // a typo is named, not ignored
    CHECK(status_of(j, zeros_json(784), {{"class", "x"}}) == 400);
    CHECK(status_of(j, zeros_json(784), {{"pair", "4"}}) == 400);
    CHECK(status_of(j, zeros_json(784), {{"pair", "4,99"}}) == 400);
    CHECK(status_of(j, zeros_json(784), {{"debug", "1"}}) == 400);
    CHECK(status_of(j, std::string(100000, '[')) == 400);  // deep nesting is refused while parsing
    CHECK(status_of("image/png", "not a png") == 400);
    CHECK(status_of("image/jpeg", "") == 400);
    CHECK(status_of("text/plain", zeros_json(784)) == 415);
    CHECK(status_of("", zeros_json(784)) == 415);
    CHECK(status_of("application/x-www-form-urlencoded", "pixels=1") == 415);
}

TEST_CASE("a PNG or JPEG body goes through --image's own preprocessing (datasets::mnist_preprocess)") {
    const fs::path examples = env_or("NNSENSE_EXAMPLES", "examples");
    for (const char* name : {"digit-7.png", "digit-3.png"}) {
        const std::string bytes = slurp(examples / name);
        const app::ExplainRequest r = app::decode_explain_request("image/png", bytes, {{"class", "1"}});
        const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
        const xt::xtensor<float, 2> expected = datasets::mnist_preprocess(datasets::decode_image(data, bytes.size(), name), name);
        REQUIRE(r.x.size() == 784);
        CHECK(r.picture);
        CHECK(r.target == 1);
        CHECK(std::equal(r.x.begin(), r.x.end(), expected.begin()));
    }
    // A picture over the explorer's size limit is refused from its header, before decoding.
    std::string png = slurp(examples / "digit-7.png");
    png[16] = 0, png[17] = 0, png[18] = 0x10, png[19] = 0;  // IHDR width = 4096
    CHECK(status_of("image/png", png) == 400);
}

TEST_CASE("error_json is one line of JSON whatever the message holds") {
    const json j = json::parse(app::error_json(std::string("bad\nline\t\x01\xff") + std::string(1000, 'x')));
    const std::string e = j["error"].get<std::string>();
    CHECK(e.find('\n') == std::string::npos);
    CHECK(e.size() <= 300);
    CHECK(e.rfind("bad line", 0) == 0);
}

TEST_CASE("the server answers every error case with its status and a one-line JSON error") {
    LiveServer s;
    httplib::Client c = s.client();
    check_error(c.Post("/api/v1/explain", "{bad", "application/json"), 400, "not valid JSON");
    check_error(c.Post("/api/v1/explain", zeros_json(783), "application/json"), 400, "783 numbers, expected 784");
    std::string big = zeros_json(784);
    big.replace(big.find('[') + 1, 1, "300");
    check_error(c.Post("/api/v1/explain", big, "application/json"), 400, "outside 0..255");
    big = zeros_json(784);
    big.replace(big.find('[') + 1, 1, "1e999");
    check_error(c.Post("/api/v1/explain", big, "application/json"), 400);
    check_error(c.Post("/api/v1/explain", "not a picture", "image/png"), 400, "request body");
    check_error(c.Post("/api/v1/explain", zeros_json(784), "text/plain"), 415, "Content-Type");
    check_error(c.Post("/api/v1/explain", "", "application/json"), 400, "not valid JSON");
    check_error(c.Post("/api/v1/explain", "{\"pixels\": [1, 2, \"x\"]}", "application/json"), 400, "3 numbers");
    // Over the limit: 413 before the handler runs; exactly at the limit it is read (and refused as JSON).
    check_error(c.Post("/api/v1/explain", std::string(app::kMaxRequestBytes + 1, ' '), "application/json"), 413, "limit");
    check_error(c.Post("/api/v1/explain", std::string(app::kMaxRequestBytes, ' '), "application/json"), 400, "JSON");
    check_error(c.Get("/api/v1/explain"), 405, "use POST");
    CHECK(c.Get("/api/v1/explain")->get_header_value("Allow") == "POST");
    check_error(c.Put("/api/v1/explain", zeros_json(784), "application/json"), 405);
    check_error(c.Delete("/api/v1/explain"), 405);
    check_error(c.Post("/api/v1/model", "", "application/json"), 405, "use GET");
    for (const char* path : {"/nope", "/api/v1", "/api/v2/explain", "/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                             "/index.html/..", "/app.js/../../meson.build", "/examples/train_and_explain/serve.cpp", "/serve_page/app.js"})
        check_error(c.Get(path), 404, "no such path");
    check_error(c.Post("/nope", "{}", "application/json"), 404);
    // The server is still there and answers a good request after all of that.
    const datasets::Dataset d = mnist_test(1);
    const auto ok = c.Post("/api/v1/explain", pixels_body(d, 0).dump(), "application/json");
    REQUIRE(ok);
    CHECK(ok->status == 200);
}

TEST_CASE("a second server cannot take a port that one already listens on") {
    LiveServer s;
    nn::MLP<float> model = nn::training::load_model(model_dir());
    app::ExplorerServer second(model, nn::training::ModelInfo{});
    CHECK_THROWS_WITH_AS(second.start("127.0.0.1", s.port), doctest::Contains("cannot listen on"), std::runtime_error);
    httplib::Client c = s.client();
    const auto r = c.Get("/api/v1/model");
    REQUIRE(r);
    CHECK(r->status == 200);
}

TEST_CASE("the page and its assets are served from memory with their types") {
    LiveServer s;
    httplib::Client c = s.client();
    const auto page = c.Get("/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type").rfind("text/html", 0) == 0);
    CHECK(page->body.find("<canvas id=\"pad\"") != std::string::npos);
    const std::vector<std::pair<std::string, std::string>> assets = {
        {"/index.html", "text/html"}, {"/app.js", "text/javascript"}, {"/style.css", "text/css"}, {"/legend.svg", "image/svg+xml"}};
    for (const auto& [path, type] : assets) {
        const auto r = c.Get(path);
        REQUIRE(r);
        CHECK_MESSAGE(r->status == 200, path);
        CHECK(r->get_header_value("Content-Type").rfind(type, 0) == 0);
        CHECK(!r->body.empty());
        const fs::path page = fs::path(env_or("NNSENSE_EXAMPLES", "examples")) / "train_and_explain" / "serve_page";
        CHECK(r->body.size() == slurp(page / path.substr(1)).size());
    }
    // Nothing on the page comes from another host (the machine is offline).
    for (const char* path : {"/index.html", "/app.js", "/style.css"}) {
        const std::string body = c.Get(path)->body;
        CHECK_MESSAGE(body.find("http://") == std::string::npos, path);
        CHECK_MESSAGE(body.find("https://") == std::string::npos, path);
    }
    const auto m = c.Get("/api/v1/model");
    REQUIRE(m);
    const json model = json::parse(m->body);
    CHECK(model["in"] == 784);
    CHECK(model["class_names"].size() == 10);
}

TEST_CASE("for 50 MNIST test images the API's answers equal nn::predict and the sensitivity maps") {
    LiveServer s;
    httplib::Client c = s.client();
    const datasets::Dataset d = mnist_test(50);
    const nn::Tensor<float> X = d.to_float<float>(0, 50);                      // [50, 784]
    const nn::Tensor<float> P = nn::predict(s.model, X);                         // [50, 10]
    const std::vector<int> pred = nn::argmax_rows(P);
    nn::MLP<float> model = s.model;
    double max_dp = 0, max_map = 0;
    for (std::size_t i = 0; i < 50; ++i) {
        const auto r = c.Post("/api/v1/explain", pixels_body(d, i).dump(), "application/json");
        REQUIRE(r);
        REQUIRE_MESSAGE(r->status == 200, r->body);
        const json a = json::parse(r->body);
        CHECK(a["prediction"].get<int>() == pred[i]);
        REQUIRE(a["probabilities"].size() == 10);
        double sum = 0;
        for (std::size_t k = 0; k < 10; ++k) {
            sum += a["probabilities"][k].get<double>();
            max_dp = std::max(max_dp, std::abs(a["probabilities"][k].get<double>() - double(P(i, k))));
        }
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
        for (const char* key : {"input", "saliency", "class_difference", "integrated_gradients"}) REQUIRE(a[key].size() == 784);
        // The maps are the library's: |∂p_c/∂x|, ∂(p_a − p_b)/∂x with the runner-up as b, exact IG of the logit.
        const nn::Tensor<float> x = d.to_float<float>(i, 1);                   // [1, 784]
        const int top = a["prediction"], second = a["pair"][1];
        CHECK(a["pair"][0].get<int>() == top);
        CHECK(second != top);
        CHECK(a["saliency_class"].get<int>() == top);
        const nn::Tensor<float> g = sensitivity::maps::class_gradient(model, x, top);
        const nn::Tensor<float> diff = sensitivity::maps::class_difference_gradient(model, x, top, second);
        const nn::Tensor<float> ig = sensitivity::maps::integrated_gradients_exact(model, x, {top});
        for (std::size_t j = 0; j < 784; ++j) {
            CHECK(a["input"][j].get<float>() == X(i, j));
            max_map = std::max({max_map, std::abs(a["saliency"][j].get<double>() - std::abs(double(g(0, j)))),
                                std::abs(a["class_difference"][j].get<double>() - double(diff(0, j))),
                                std::abs(a["integrated_gradients"][j].get<double>() - double(ig(0, j)))});
        }
    }
    MESSAGE("50 images: max |p_api − p_predict| = " << max_dp << ", max map difference = " << max_map);
    CHECK(max_dp <= 1e-5);
    CHECK(max_map <= 1e-6);
}

TEST_CASE("a class and a pair chosen by the client are the ones explained") {
    LiveServer s;
    httplib::Client c = s.client();
    const datasets::Dataset d = mnist_test(1);
    json body = pixels_body(d, 0);
    body["class"] = 4;
    body["pair"] = {4, 9};
    const auto r = c.Post("/api/v1/explain", body.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const json a = json::parse(r->body);
    CHECK(a["saliency_class"] == 4);
    CHECK(a["integrated_gradients_class"] == 4);
    CHECK(a["pair"] == json({4, 9}));
    nn::MLP<float> model = s.model;
    const nn::Tensor<float> x = d.to_float<float>(0, 1);
    const nn::Tensor<float> diff = sensitivity::maps::class_difference_gradient(model, x, 4, 9);  // [1, 784]
    for (std::size_t j = 0; j < 784; ++j) CHECK(a["class_difference"][j].get<float>() == doctest::Approx(diff(0, j)).epsilon(1e-5));
    // The maps themselves are of class 4, not of the prediction (test image 0 is a 7): compare with the library's.
    REQUIRE(a["prediction"] != 4);
    const nn::Tensor<float> g = sensitivity::maps::class_gradient(model, x, 4);                     // [1, 784]
    const nn::Tensor<float> ig = sensitivity::maps::integrated_gradients_exact(model, x, {4});      // [1, 784]
    double max_map = 0;
    for (std::size_t j = 0; j < 784; ++j)
        max_map = std::max({max_map, std::abs(a["saliency"][j].get<double>() - std::abs(double(g(0, j)))),
                            std::abs(a["integrated_gradients"][j].get<double>() - double(ig(0, j)))});
    CHECK(max_map <= 1e-6);
    // Through the query string, as the page sends a picture.
    const std::string png = slurp(fs::path(env_or("NNSENSE_EXAMPLES", "examples")) / "digit-3.png");
    const auto p = c.Post("/api/v1/explain?class=8&pair=3,8", png, "image/png");
    REQUIRE(p);
    REQUIRE(p->status == 200);
    const json b = json::parse(p->body);
    CHECK(b["saliency_class"] == 8);
    CHECK(b["pair"] == json({3, 8}));
}

TEST_CASE("8 clients at once get the same answers as one client: no tape is shared between requests") {
    LiveServer s;
    const datasets::Dataset d = mnist_test(40);
    std::vector<std::string> expected(40);
    {
        httplib::Client c = s.client();
        for (std::size_t i = 0; i < 40; ++i) {
            const auto r = c.Post("/api/v1/explain", pixels_body(d, i).dump(), "application/json");
            REQUIRE(r);
            json a = json::parse(r->body);
            a.erase("compute_ms");
            expected[i] = a.dump();
        }
    }
    std::atomic<int> wrong{0}, failed{0}, done{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t)
        clients.emplace_back([&, t] {
            httplib::Client c = s.client();
            for (int k = 0; k < 25; ++k) {
                const std::size_t i = static_cast<std::size_t>(t * 7 + k * 3) % 40;  // each client its own order
                const auto r = c.Post("/api/v1/explain", pixels_body(d, i).dump(), "application/json");
                if (!r || r->status != 200) {
                    ++failed;
                    continue;
                }
                json a = json::parse(r->body);
                a.erase("compute_ms");
                if (a.dump() != expected[i]) ++wrong;
                ++done;
            }
        });
    for (auto& t : clients) t.join();
    CHECK(failed == 0);
    CHECK(wrong == 0);
    CHECK(done == 200);
}

TEST_CASE("train-and-explain --serve prints its URL, answers, and stops cleanly on SIGTERM and on SIGINT") {
    const std::string bin = env_or("NNSENSE_BIN", "build/examples/train-and-explain");
    const fs::path out = fs::temp_directory_path() / ("nnsense-serve-" + std::to_string(::getpid()));
    for (int sig : {SIGTERM, SIGINT}) {
        testing_support::ChildProcess server({bin, "--serve", "--model", model_dir(), "--port", "0", "--out", out.string(),
                                              "--data", env_or("NNSENSE_DATA", "data") + "/mnist"});
        const std::string line = server.wait_for_line("explorer: open http://127.0.0.1:", 60);
        REQUIRE_MESSAGE(!line.empty(), ("no URL printed; output: " + server.output()));
        const int port = std::stoi(line.substr(line.rfind(':') + 1));
        httplib::Client c("127.0.0.1", port);
        const auto m = c.Get("/api/v1/model");
        REQUIRE(m);
        CHECK(m->status == 200);
        server.signal(sig);
        REQUIRE_MESSAGE(server.exited(10), "still running 10 s after the signal");
        CHECK(server.exit_code() == 0);
        CHECK(server.wait_for_line("explorer: stopped", 1).find(sig == SIGINT ? "SIGINT" : "SIGTERM") != std::string::npos);
        CHECK(!c.Get("/api/v1/model"));  // nothing listens any more
    }
    fs::remove_all(out);
}

TEST_CASE("--serve listens on another address only when asked, and warns") {
    const std::string bin = env_or("NNSENSE_BIN", "build/examples/train-and-explain");
    const fs::path dir = fs::temp_directory_path() / ("nnsense-serve-host-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        testing_support::ChildProcess server({bin, "--serve", "--model", model_dir(), "--host", "0.0.0.0", "--port", "0",
                                              "--out", dir.string(), "--data", env_or("NNSENSE_DATA", "data") + "/mnist"},
                                             (dir / "stderr.txt").string());
        REQUIRE(!server.wait_for_line("explorer: open http://0.0.0.0:", 60).empty());
        server.signal(SIGTERM);
        REQUIRE(server.exited(10));
        CHECK(server.exit_code() == 0);
    }
    CHECK(slurp(dir / "stderr.txt").find("WARNING: --host 0.0.0.0") != std::string::npos);
    // Usage errors: --port without --serve, --serve with --image, a port out of range.
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {bin, "--port", "8000"}, {bin, "--serve", "--image", "x.png"}, {bin, "--serve", "--port", "70000"}}) {
        testing_support::ChildProcess p(args, (dir / "usage.txt").string());
        REQUIRE(p.exited(30));
        CHECK(p.exit_code() == 2);
    }
    fs::remove_all(dir);
}
