// tests/test_serve_page.cpp — the explorer's page in a real browser (chapter 14): start `train-and-explain --serve` on
// a free loopback port, open the page in headless Chromium (the flags of tests/report/check_report), draw MNIST test
// digits with synthetic pointer events (the page's ?replay=), wait for the update and read the prediction from the DOM.
// Fails on a JavaScript error, a broken image, no update, or a wrong prediction; saves the screenshot for the docs.
// Suite "slow" runs the browser; the unit cases prove the judge fails on each kind of broken page.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include "datasets/dataset.hpp"
#include "nn/argmax.hpp"
#include "nn/training/model_io.hpp"
#include "tests/child_process.hpp"

namespace fs = std::filesystem;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
std::string attribute(const std::string& dom, const std::string& name) {
    std::smatch m;
    const std::regex re("<body[^>]*\\b" + name + "=\"([^\"]*)\"");
    return std::regex_search(dom, m, re) ? m[1].str() : "";
}

// The verdict on one page load: "" if the page loaded whole, drew the answer and predicted `expected`; else the problem.
std::string judge_page(const std::string& log, const std::string& dom, bool screenshot, int expected) {
    std::smatch m;
    if (std::regex_search(log, m, std::regex("Uncaught[^\"]*"))) return "JavaScript error: " + m.str();
    if (std::regex_search(log, m, std::regex("EXPLORER error: [^\"]*"))) return "the page shows an error: " + m.str();
    if (log.find("PAGECHECK broken=") == std::string::npos) return "the page's image check never ran (no PAGECHECK line)";
    if (attribute(dom, "data-broken-images") != "0")
        return "broken image(s): data-broken-images=\"" + attribute(dom, "data-broken-images") + "\"";
    if (!screenshot) return "chromium wrote no screenshot";
    const std::string final = attribute(dom, "data-final");
    if (final.empty())
        return "no final update after drawing (state \"" + attribute(dom, "data-state") + "\", updates \"" +
               attribute(dom, "data-updates") + "\")";
    if (final != std::to_string(expected)) return "the page predicts " + final + ", expected " + std::to_string(expected);
    return "";
}

// A digit traced as the page's pen would draw it: one horizontal stroke per run of ink (byte > 128) in each row, in
// the 280x280 pad's pixels (10 per MNIST pixel). The page's ?replay= format: "x,y,x,y;x,y,x,y;...".
std::string trace(const datasets::Dataset& d, std::size_t i) {
    std::string spec;
    for (std::size_t r = 0; r < 28; ++r)
        for (std::size_t c = 0; c < 28;) {
            if (d.images(i, r * 28 + c) <= 128) {
                ++c;
                continue;
            }
            const std::size_t c0 = c;
            while (c < 28 && d.images(i, r * 28 + c) > 128) ++c;
            const std::string y = std::to_string(r * 10 + 5);
            spec += (spec.empty() ? "" : ";") + std::to_string(c0 * 10 + 5) + "," + y + "," + std::to_string((c - 1) * 10 + 5) + "," + y;
        }
    return spec;
}

struct PageRun {
    std::string log, dom;
    bool screenshot = false;
};
// One headless Chromium run on `url`: the DOM after the virtual-time budget (stdout), the console (stderr), a screenshot.
PageRun open_page(const std::string& url, const fs::path& shot, const fs::path& tmp) {
    const std::string chromium = env_or("CHROMIUM", "chromium");
    fs::create_directories(tmp / "home");
    fs::remove(shot);
    const std::string cmd = "HOME='" + (tmp / "home").string() + "' timeout 120 " + chromium +
                            " --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir='" +
                            (tmp / "profile").string() + "' --enable-logging=stderr --v=0 --virtual-time-budget=10000" +
                            " --window-size=1400,720 --screenshot='" + shot.string() + "' --dump-dom '" + url + "' >'" +
                            (tmp / "dom.html").string() + "' 2>'" + (tmp / "log.txt").string() + "'";
    const int rc = std::system(cmd.c_str());
    PageRun run;
    run.dom = slurp(tmp / "dom.html");
    run.log = slurp(tmp / "log.txt");
    run.screenshot = fs::exists(shot) && fs::file_size(shot) > 0;
    if (rc != 0) run.log += "\n(chromium exit status " + std::to_string(rc) + ")";
    return run;
}

const std::string kGoodLog = "INFO:CONSOLE:254] \"PAGECHECK broken=0 images=1 \"\nINFO:CONSOLE:211] \"EXPLORER final prediction=7\"";
const std::string kGoodDom = "<html><body data-state=\"ready\" data-broken-images=\"0\" data-prediction=\"7\" data-final=\"7\">";

}  // namespace

TEST_CASE("the page judge passes a good page and fails each kind of broken one") {
    CHECK(judge_page(kGoodLog, kGoodDom, true, 7).empty());
    CHECK(judge_page(kGoodLog + "\nINFO:CONSOLE:3] \"Uncaught ReferenceError: x is not defined\"", kGoodDom, true, 7)
              .find("JavaScript error") == 0);
    CHECK(judge_page(kGoodLog + "\n\"EXPLORER error: HTTP 500\"", kGoodDom, true, 7).find("shows an error") != std::string::npos);
    CHECK(judge_page("INFO:CONSOLE:1] \"EXPLORER final\"", kGoodDom, true, 7).find("image check never ran") != std::string::npos);
    std::string broken = kGoodDom;
    broken.replace(broken.find("images=\"0\""), 10, "images=\"1\"");
    CHECK(judge_page(kGoodLog, broken, true, 7).find("broken image") == 0);
    CHECK(judge_page(kGoodLog, kGoodDom, false, 7).find("no screenshot") != std::string::npos);
    CHECK(judge_page(kGoodLog, "<body data-state=\"error\" data-broken-images=\"0\">", true, 7).find("no final update") == 0);
    CHECK(judge_page(kGoodLog, kGoodDom, true, 1) == "the page predicts 7, expected 1");
}

TEST_CASE("a test digit drawn on the page in headless Chromium is predicted, with no error or broken image" * doctest::test_suite("slow")) {
    const std::string bin = env_or("NNSENSE_BIN", "build/examples/train-and-explain");
    const std::string model_dir = env_or("NNSENSE_MODEL", "tests/fixtures/trained_mlp_784_64_10");
    const std::string data = env_or("NNSENSE_DATA", "data") + "/mnist";
    const fs::path shot_out = env_or("NNSENSE_SHOT", "ch14-draw-a-digit.png");
    const fs::path tmp = fs::temp_directory_path() / ("nnsense-serve-page-" + std::to_string(::getpid()));
    fs::create_directories(tmp);

    // Unambiguous digits: the first 7 and the first 3 of the test set that the model gives p > 0.99 as they are.
    std::vector<std::string> names;
    for (int i = 0; i < 10; ++i) names.push_back(std::to_string(i));
    const datasets::Dataset test = datasets::load_idx_pair(data + "/t10k-images-idx3-ubyte", data + "/t10k-labels-idx1-ubyte",
                                                           "mnist-test", names).slice(0, 200);
    const nn::MLP<float> model = nn::training::load_model(model_dir);
    const nn::Tensor<float> P = nn::predict(model, test.to_float<float>(0, test.size()));  // [200, 10]
    const auto first_sure = [&](int label) {
        for (std::size_t i = 0; i < test.size(); ++i)
            if (test.labels[i] == label && P(i, static_cast<std::size_t>(label)) > 0.99f) return i;
        FAIL("no test image of a " << label << " with p > 0.99");
        return std::size_t(0);
    };

    testing_support::ChildProcess server({bin, "--serve", "--model", model_dir, "--port", "0", "--out", (tmp / "out").string(),
                                          "--data", data}, (tmp / "server-stderr.txt").string());
    const std::string line = server.wait_for_line("explorer: open http://127.0.0.1:", 60);
    REQUIRE_MESSAGE(!line.empty(), ("the server printed no URL: " + server.output() + slurp(tmp / "server-stderr.txt")));
    const std::string url = line.substr(line.find("http://"), line.find('/', line.find("//") + 2) + 1 - line.find("http://"));

    for (int label : {7, 3}) {
        const std::size_t i = first_sure(label);
        const fs::path shot = label == 7 ? shot_out : tmp / "shot-3.png";
        const PageRun run = open_page(url + "?replay=" + trace(test, i), shot, tmp);
        const std::string verdict = judge_page(run.log, run.dom, run.screenshot, label);
        CHECK_MESSAGE(verdict.empty(), ("test image " + std::to_string(i) + " (a " + std::to_string(label) + "): " + verdict));
        std::smatch m;
        if (std::regex_search(run.log, m, std::regex("EXPLORER final [^\"]*")))
            MESSAGE("test image " << i << " drawn: " << m.str() << " (virtual time: the browser's clock, not a measurement)");
    }
    // The judge sees a real JavaScript error too: a malformed replay makes the page throw.
    const PageRun bad = open_page(url + "?replay=1,2,3", tmp / "shot-bad.png", tmp);
    CHECK(judge_page(bad.log, bad.dom, bad.screenshot, 7).find("JavaScript error") == 0);

    server.signal(SIGTERM);
    REQUIRE_MESSAGE(server.exited(10), "the server still runs 10 s after SIGTERM");
    CHECK(server.exit_code() == 0);
    MESSAGE("screenshot: " << shot_out.string());
    fs::remove_all(tmp);
}
