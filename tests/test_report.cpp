// tests/test_report.cpp — out/report.html from a small synthetic report.json: escaping, base64, inlined figures,
// sections that were not run; and, when Chromium is there, that tests/report/check_report passes it and fails broken ones.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <stb_image_write.h>
#include <unistd.h>

#include "examples/train_and_explain/report_html.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

// A fresh directory under the system temp dir, removed at scope exit.
struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("nnsense-report-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::create_directories(path / "sensitivity");
    }
    ~TempDir() { fs::remove_all(path); }
};

// A real 4x4 grayscale PNG (a gradient) at out/rel; returns its bytes.
std::string write_png(const fs::path& out, const std::string& rel) {
    unsigned char px[16];
    for (int i = 0; i < 16; ++i) px[i] = static_cast<unsigned char>(i * 16);
    REQUIRE(stbi_write_png((out / rel).string().c_str(), 4, 4, 1, px, 4) != 0);
    std::ifstream in(out / rel, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A report as train-and-explain writes it, small: 3 classes, two figures, an FD check; no probes, no training.
json synthetic_report() {
    json r;
    r["run"] = {{"dataset", "mnist"}, {"network", "784-8-3"}, {"finished_utc", "2026-01-01 00:00:00 UTC"},
                {"total_seconds", 1.25}, {"stage_seconds", {{"train", 0.5}, {"explain", 0.75}}},
                {"config", {{"--epochs", 1}, {"--out", "a<b>&c"}}}};
    r["model"] = {{"source", "some/model"}, {"hidden", 8}};
    r["test"] = {{"count", 30}, {"accuracy", 0.9}, {"loss", 0.3},
                 {"class_names", {"zero", "<b>one</b>", "two"}},
                 {"per_class_accuracy", {1.0, 0.8, 0.9}},
                 {"confusion", {{10, 0, 0}, {1, 8, 1}, {0, 1, 9}}}};
    r["sensitivity"] = {{"explained_images", 3},
                        {"digit_figures", {"sensitivity/digit_0.png"}},
                        {"class_means_figure", "sensitivity/class_means.png"}};
    r["fd_check"] = {{"images", 1}, {"max_rel_error", 1e-9}, {"passed", true}};
    return r;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("html_escape turns the five special characters into entities and leaves the rest alone") {
    CHECK(app::html_escape("a<b>&\"c'd ∂p") == "a&lt;b&gt;&amp;&quot;c&#39;d ∂p");
    CHECK(app::html_escape("") == "");
}

TEST_CASE("base64 matches the test vectors of RFC 4648") {
    CHECK(app::base64("") == "");
    CHECK(app::base64("f") == "Zg==");
    CHECK(app::base64("fo") == "Zm8=");
    CHECK(app::base64("foo") == "Zm9v");
    CHECK(app::base64("foob") == "Zm9vYg==");
    CHECK(app::base64("fooba") == "Zm9vYmE=");
    CHECK(app::base64("foobar") == "Zm9vYmFy");
    CHECK(app::base64(std::string("\xff\x00\xfe", 3)) == "/wD+");
}

TEST_CASE("the page inlines every figure that exists, escapes inserted text and says which sections were not run") {
    TempDir out;
    const std::string png = write_png(out.path, "sensitivity/digit_0.png");
    write_png(out.path, "sensitivity/class_means.png");
    const std::string html = app::report_html(synthetic_report(), out.path);

    CHECK(html.find("data:image/png;base64," + app::base64(png) + "\"") != std::string::npos);
    CHECK(count(html, "<img ") == 2);
    CHECK(count(html, "src=\"data:image/png;base64,") == 2);
    // Inserted text is escaped: the class name and the --out value never appear as markup.
    CHECK(html.find("<b>one</b>") == std::string::npos);
    CHECK(html.find("&lt;b&gt;one&lt;/b&gt;") != std::string::npos);
    CHECK(html.find("a&lt;b&gt;&amp;c") != std::string::npos);
    // Nothing is fetched from the network.
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    // Sections without data say so; the rotation section is left out altogether.
    CHECK(html.find("Not run: the model was loaded from some/model.") != std::string::npos);
    CHECK(html.find("Not run: --no-probes.") != std::string::npos);
    CHECK(html.find("id=\"rotation\"") == std::string::npos);
    // The confusion matrix has one shaded cell per count, and the diagonal is the darkest in a perfect row.
    CHECK(count(html, "style=\"background:rgba(") == 9);
    CHECK(html.find("<td style=\"background:rgba(31,119,180,0.55)\">10</td>") != std::string::npos);
    // The image check the browser runs.
    CHECK(html.find("IMGCHECK broken=") != std::string::npos);
    CHECK(html.find("id=\"imgcheck\"") != std::string::npos);
}

TEST_CASE("the beyond-gradients section shows the insertion test, the paired differences and the cascading sanity check") {
    TempDir out;
    json r = synthetic_report();
    r["beyond"] = {{"images", 2},
                   {"insertion", {{"test", "insertion"}, {"methods", {{{"method", "occlusion"}, {"auc", 0.96}}}}}},
                   {"insertion_paired", {{{"a", "occlusion"}, {"b", "random"}, {"difference", 0.28}, {"se", 0.01}}}},
                   {"sanity", {{"methods", {{{"method", "gradient"}, {"randomized", "W2"}, {"spearman", 0.15}},
                                            {{"method", "gradient"}, {"randomized", "W2, W1"}, {"spearman", -0.01}},
                                            {{"method", "gradient"}, {"randomized", "shuffled labels"}, {"spearman", 0.001},
                                             {"ssim", 0.026}}}}}},
                   {"shuffled_label_net", {{"training_images", 10000}, {"epochs", 12}, {"fits_shuffled_labels", 0.19}}}};
    const std::string html = app::report_html(r, out.path);
    CHECK(html.find("<h3>Insertion test</h3>") != std::string::npos);
    CHECK(html.find("Insertion test: paired differences of the AUC") != std::string::npos);
    CHECK(html.find("<h3>Sanity check: cascading randomisation of the trained model (and shuffled labels)</h3>") !=
          std::string::npos);
    CHECK(html.find("<td>W2, W1</td>") != std::string::npos);
    CHECK(html.find("<td>shuffled labels</td>") != std::string::npos);            // --data-randomization's rows
    CHECK(html.find("<h3>Data randomization: the net trained on shuffled labels</h3>") != std::string::npos);
    CHECK(html.find(">0.28<") != std::string::npos);
}

TEST_CASE("a figure that cannot be read is linked by its relative path, so the image check sees it broken") {
    TempDir out;
    write_png(out.path, "sensitivity/class_means.png");  // digit_0.png is missing
    const std::string html = app::report_html(synthetic_report(), out.path);
    CHECK(html.find("src=\"sensitivity/digit_0.png\"") != std::string::npos);
    CHECK(count(html, "src=\"data:image/png;base64,") == 1);
}

TEST_CASE("write_report_html writes report.html atomically next to the figures") {
    TempDir out;
    write_png(out.path, "sensitivity/digit_0.png");
    write_png(out.path, "sensitivity/class_means.png");
    const fs::path page = app::write_report_html(synthetic_report(), out.path);
    CHECK(page == out.path / "report.html");
    CHECK(read(page) == app::report_html(synthetic_report(), out.path));
    for (const auto& e : fs::directory_iterator(out.path)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    // Written to a temporary, then renamed: with a directory in the way the rename fails with an error naming it,
    // and no temporary stays (a plain write to the path would fail silently instead).
    TempDir blocked;
    write_png(blocked.path, "sensitivity/digit_0.png");
    fs::create_directories(blocked.path / "report.html" / "inside");
    CHECK_THROWS_WITH(app::write_report_html(synthetic_report(), blocked.path), doctest::Contains("report.html"));
    for (const auto& e : fs::recursive_directory_iterator(blocked.path))
        CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

// Needs CHECK_REPORT (the script, set by meson) and Chromium (installed by ./setup); without them it fails, not skips.
TEST_CASE("check_report passes the synthetic page and fails it with a missing image or a JavaScript error") {
    const char* script = std::getenv("CHECK_REPORT");
    REQUIRE_MESSAGE(script != nullptr, "CHECK_REPORT is not set: run this test through meson");
    TempDir out;
    write_png(out.path, "sensitivity/digit_0.png");
    write_png(out.path, "sensitivity/class_means.png");
    const fs::path page = app::write_report_html(synthetic_report(), out.path);
    auto check = [&](const fs::path& html) {
        const std::string cmd = std::string(script) + " '" + html.string() + "' '" + (out.path / "shot.png").string() +
                                "' 800x600 >/dev/null 2>&1";
        return std::system(cmd.c_str());
    };
    CHECK(check(page) == 0);
    CHECK(fs::file_size(out.path / "shot.png") > 1000);
    std::string html = read(page);

    fs::remove(out.path / "sensitivity" / "digit_0.png");
    const fs::path missing = app::write_report_html(synthetic_report(), out.path);
    CHECK(check(missing) != 0);

    html.replace(html.find("</body>"), 7, "<script>notAFunction();</script></body>");
    std::ofstream(out.path / "error.html") << html;
    CHECK(check(out.path / "error.html") != 0);
}
