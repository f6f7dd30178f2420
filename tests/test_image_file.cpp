// tests/test_image_file.cpp — the --image preprocessing on synthetic pictures, stb decoding errors, and the real binary end to end.
// Not the Jacobian or the figures themselves (test_jacobian.cpp, test_figures.cpp).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "datasets/image_file.hpp"
#include "nn/mlp.hpp"
#include "nn/training/model_io.hpp"

namespace fs = std::filesystem;
using datasets::GrayImage;

namespace {

// A w x h canvas of `paper` with a filled rectangle of `ink` at rows [r0, r1), cols [c0, c1).
GrayImage canvas(std::size_t w, std::size_t h, std::uint8_t paper, std::uint8_t ink, std::size_t r0, std::size_t r1,
                 std::size_t c0, std::size_t c1) {
    GrayImage g{w, h, std::vector<std::uint8_t>(w * h, paper)};
    for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t c = c0; c < c1; ++c) g.pixels[r * w + c] = ink;
    return g;
}

struct Box {
    std::size_t r0 = 99, r1 = 0, c0 = 99, c1 = 0;  // inclusive
    std::size_t height() const { return r1 - r0 + 1; }
    std::size_t width() const { return c1 - c0 + 1; }
};
Box ink_box(const xt::xtensor<float, 2>& img) {
    Box b;
    for (std::size_t r = 0; r < img.shape(0); ++r)
        for (std::size_t c = 0; c < img.shape(1); ++c)
            if (img(r, c) > 0) b.r0 = std::min(b.r0, r), b.r1 = std::max(b.r1, r), b.c0 = std::min(b.c0, c), b.c1 = std::max(b.c1, c);
    return b;
}

std::string png_bytes(const GrayImage& g) {
    std::string png;
    auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size); };
    REQUIRE(stbi_write_png_to_func(append, &png, int(g.width), int(g.height), 1, g.pixels.data(), int(g.width)));
    return png;
}

std::string error_of(const std::string& bytes, const std::string& name = "pic.png") {
    try {
        datasets::decode_image(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), name);
    } catch (const datasets::DataError& e) {
        return e.what();
    }
    return "";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("dark ink on light paper is inverted: ink becomes 1, the background 0") {
    // 100x60 white paper, a black 40x10 bar off-centre.
    const auto img = datasets::mnist_preprocess(canvas(100, 60, 255, 0, 5, 45, 70, 80), "bar.png");
    REQUIRE(img.shape(0) == 28);
    REQUIRE(img.shape(1) == 28);
    CHECK(img(0, 0) == 0.0f);                          // background -> black
    CHECK(xt::amax(img)() == doctest::Approx(1.0));    // ink -> white
}

TEST_CASE("light ink on a dark background is left as it is") {
    const auto light = datasets::mnist_preprocess(canvas(50, 50, 0, 255, 10, 30, 20, 25), "a");
    const auto dark = datasets::mnist_preprocess(canvas(50, 50, 255, 0, 10, 30, 20, 25), "b");
    CHECK(xt::amax(xt::abs(light - dark))() < 1e-6);   // same digit whichever way it was drawn
}

TEST_CASE("the ink's bounding box is scaled so its longer side is 20 pixels, keeping the aspect ratio") {
    // Tall bar 80x20 (4:1) -> 20x5; wide bar 10x60 (1:6) -> 3x20 (3.33 rounded).
    const Box tall = ink_box(datasets::mnist_preprocess(canvas(200, 150, 240, 10, 30, 110, 100, 120), "tall"));
    CHECK(tall.height() == 20);
    CHECK(tall.width() == 5);
    const Box wide = ink_box(datasets::mnist_preprocess(canvas(90, 90, 240, 10, 60, 70, 5, 65), "wide"));
    CHECK(wide.width() == 20);
    CHECK(wide.height() == 3);
}

TEST_CASE("the centre of mass lands where MNIST's does, (14.5, 14.5) from the pixel edges, within half a pixel") {
    // An L shape (mass off the box centre) in a corner of a large canvas.
    GrayImage g = canvas(300, 200, 255, 0, 10, 90, 200, 215);   // the stem
    for (std::size_t r = 75; r < 90; ++r)
        for (std::size_t c = 200; c < 260; ++c) g.pixels[r * 300 + c] = 0;  // the foot
    const auto img = datasets::mnist_preprocess(g, "L.png");
    const auto [r, c] = datasets::centre_of_mass(img);
    CHECK(std::abs(r - datasets::kMnistCentre) <= 0.5);                 // the paste is rounded to a whole pixel
    CHECK(std::abs(c - datasets::kMnistCentre) <= 0.5);
    const Box b = ink_box(img);
    CHECK(std::max(b.height(), b.width()) == 20);
    // The L's mass sits low and left in its box, so the box is NOT centred: proves centring is by mass.
    CHECK(b.r0 + b.r1 + 1 != 28);
}

TEST_CASE("area averaging keeps the total ink of a downscaled stroke") {
    // A 1-pixel-wide line in a 200-pixel-high crop: 10x shrink, so the line becomes a column of ~0.1 values,
    // not lost (nearest neighbour would drop it or keep it at full strength depending on phase).
    // Ink spans rows and cols 10..209 of a 220x220 canvas: a 200x200 crop, shrunk 10x to 20x20.
    GrayImage g = canvas(220, 220, 255, 0, 0, 0, 0, 0);
    for (std::size_t r = 10; r < 210; ++r) g.pixels[r * 220 + 10] = g.pixels[r * 220 + 115] = 0;  // two vertical lines...
    for (std::size_t c = 10; c < 210; ++c) g.pixels[209 * 220 + c] = 0;                           // ...and a floor
    const auto img = datasets::mnist_preprocess(g, "lines");
    const Box b = ink_box(img);
    CHECK(b.height() == 20);
    CHECK(b.width() == 20);
    // The middle line: crop column 105 of 200 -> output column 10 (source 100..110), weight 1/10 of full ink.
    CHECK(img(b.r0 + 5, b.c0 + 10) == doctest::Approx(0.1).epsilon(0.05));
}

TEST_CASE("a blank picture is an error naming the file") {
    CHECK_THROWS_WITH_AS(datasets::mnist_preprocess(canvas(64, 64, 255, 255, 0, 0, 0, 0), "blank.png"),
                         doctest::Contains("blank.png: no ink found"), datasets::DataError);
    // Faint noise below the contrast threshold is still blank.
    CHECK_THROWS_AS(datasets::mnist_preprocess(canvas(64, 64, 200, 190, 10, 20, 10, 20), "faint"), datasets::DataError);
}

TEST_CASE("decode_image reads a PNG and composites transparency over white") {
    const GrayImage g = canvas(31, 17, 255, 0, 2, 9, 3, 12);
    const std::string png = png_bytes(g);
    const GrayImage back = datasets::decode_image(reinterpret_cast<const std::uint8_t*>(png.data()), png.size(), "x.png");
    CHECK(back.width == 31);
    CHECK(back.height == 17);
    CHECK(back.pixels == g.pixels);

    // Gray+alpha: black ink on a fully transparent black canvas must come out as ink on white paper.
    std::vector<std::uint8_t> ga(2 * 10 * 10, 0);
    for (std::size_t i = 0; i < 100; ++i) ga[2 * i + 1] = (i % 10 < 5) ? 255 : 0;   // left half opaque black
    std::string png2;
    auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size); };
    REQUIRE(stbi_write_png_to_func(append, &png2, 10, 10, 2, ga.data(), 20));
    const GrayImage t = datasets::decode_image(reinterpret_cast<const std::uint8_t*>(png2.data()), png2.size(), "t.png");
    CHECK(t.pixels[0] == 0);
    CHECK(t.pixels[9] == 255);
}

TEST_CASE("decode_image errors: not an image, empty, truncated, over the size bound (checked before decoding)") {
    CHECK(error_of("") == "pic.png: file is empty (0 bytes), not an image");
    CHECK(error_of("hello, world") == "pic.png: not a PNG or JPEG image (unknown file signature)");
    const std::string png = png_bytes(canvas(40, 40, 255, 0, 5, 10, 5, 10));
    CHECK(error_of(png.substr(0, 30)).find("pic.png: ") == 0);   // truncated inside the data: still one clear error
    // A valid header claiming 9000x10: IHDR width patched (bytes 16..19, big-endian); the pixel data is not there.
    std::string huge = png;
    huge[16] = 0, huge[17] = 0, huge[18] = char(0x23), huge[19] = char(0x28);   // 9000
    CHECK(error_of(huge) == "pic.png: image is 9000x40 pixels, over the limit of 8192x8192; scale it down first");
}

TEST_CASE("a JPEG whose Huffman table declares more than 256 codes is refused as corrupt") {
    // Debian's stb_image would write past its 257-entry table for this (found by tests/fuzz/fuzz_image.cpp).
    const GrayImage g = canvas(16, 16, 255, 0, 4, 12, 6, 9);
    std::string jpg;
    auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size); };
    REQUIRE(stbi_write_jpg_to_func(append, &jpg, 16, 16, 1, g.pixels.data(), 90));
    const auto as_bytes = [](const std::string& b) { return reinterpret_cast<const std::uint8_t*>(b.data()); };
    CHECK(datasets::decode_image(as_bytes(jpg), jpg.size(), "ok.jpg").width == 16);   // the untouched JPEG decodes
    const std::size_t dht = jpg.find("\xff\xc4");
    REQUIRE(dht != std::string::npos);
    for (std::size_t k = 0; k < 16; ++k) jpg[dht + 5 + k] = char(0xff);   // after ff c4, length (2), class/id (1)
    CHECK(error_of(jpg, "bad.jpg") == "bad.jpg: corrupt JPEG (Bogus Huffman table definition)");
}

TEST_CASE("a PNG chunk whose declared length runs past the end of the file is refused before stb_image allocates it") {
    // Debian's stb_image grows its IDAT buffer to the declared length first: 2 GB for a tiny file (found by fuzz_image).
    std::string png = png_bytes(canvas(12, 12, 255, 0, 2, 9, 3, 7));
    const std::size_t idat = png.find("IDAT");
    REQUIRE(idat != std::string::npos);
    std::string bad = png;
    bad[idat - 4] = char(0x7f), bad[idat - 3] = 0, bad[idat - 2] = 0, bad[idat - 1] = 0;   // length 0x7f000000
    CHECK(error_of(bad) == "pic.png: corrupt PNG: chunk 'IDAT' at byte " + std::to_string(idat - 4) +
                               " declares 2130706432 bytes, past the end of the file (" + std::to_string(png.size()) + " bytes)");
    // Not over-strict: stb never reads IEND's CRC, so a PNG that lost its last 4 bytes still decodes, and bytes after
    // IEND are not looked at.
    const std::string no_crc = png.substr(0, png.size() - 4);
    CHECK(datasets::decode_image(reinterpret_cast<const std::uint8_t*>(no_crc.data()), no_crc.size(), "a.png").width == 12);
    const std::string trailer = png + std::string("\x7f\xff\xff\xffIDAT", 8);
    CHECK(datasets::decode_image(reinterpret_cast<const std::uint8_t*>(trailer.data()), trailer.size(), "b.png").width == 12);
}

TEST_CASE("read_image names a missing file, and a directory as a directory") {
    CHECK_THROWS_WITH_AS(datasets::read_image("/nonexistent/digit.png"),
                         doctest::Contains("/nonexistent/digit.png: cannot be opened"), datasets::DataError);
    const std::string dir = fs::temp_directory_path().string();
    CHECK_THROWS_WITH_AS(datasets::read_image(dir), doctest::Contains((dir + ": is a directory").c_str()), datasets::DataError);
}

// End to end through the real program, with an untrained (seeded) 784-16-10 model saved to a temporary directory:
// the prediction itself is arbitrary, the plumbing (exit codes, messages, the files in <out>/image/) is what is checked.
TEST_CASE("train-and-explain --image: prints the prediction and writes the 28x28 input and both maps") {
    const char* bin = std::getenv("NNSENSE_BIN");
    const char* examples = std::getenv("NNSENSE_EXAMPLES");
    REQUIRE_MESSAGE((bin && examples), "NNSENSE_BIN / NNSENSE_EXAMPLES not set: run this test through meson");
    const fs::path tmp = fs::temp_directory_path() / ("nnsense-image-test-" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    const fs::path model = tmp / "model", out = tmp / "out", log = tmp / "log.txt";
    nn::training::ModelInfo info;
    info.dataset = "mnist";
    for (int c = 0; c < 10; ++c) info.class_names.push_back(std::to_string(c));
    nn::training::save_model(nn::MLP<float>(784, 16, 10, nn::Activation::Relu, 7), model.string(), info);
    const std::string picture = (fs::path(examples) / "digit-3.png").string();
    const auto run = [&](const std::string& args) {
        const std::string cmd = std::string(bin) + " " + args + " > " + log.string() + " 2>&1";
        const int status = std::system(cmd.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };

    REQUIRE(run("--image " + picture + " --model " + model.string() + " --out " + out.string()) == 0);
    const std::string text = slurp(log);
    CHECK(text.find("prediction: ") == 0);
    CHECK(text.find("top-3: ") != std::string::npos);
    for (const char* f : {"input-28x28.png", "input-28x28.npy", "sensitivity.png", "signed.png"})
        CHECK_MESSAGE(fs::file_size(out / "image" / f) > 0, f);
    CHECK(!fs::exists(out / "report.json"));   // no training, no dataset stages
    int w = 0, h = 0, n = 0;
    REQUIRE(stbi_info((out / "image" / "input-28x28.png").string().c_str(), &w, &h, &n));
    CHECK(w == 28);
    CHECK(h == 28);

    // Without --model, <out>/model is used; with neither, the one-line error and exit 1.
    fs::copy(model, out / "model");
    CHECK(run("--image " + picture + " --out " + out.string()) == 0);
    CHECK(run("--image " + picture + " --out " + (tmp / "empty").string()) == 1);
    CHECK(slurp(log) == "train-and-explain: --image needs a trained model: run train-and-explain once, or pass --model DIR\n");

    // Not an image: one line naming the file, exit 1.
    std::ofstream(tmp / "notes.png") << "not really a png";
    CHECK(run("--image " + (tmp / "notes.png").string() + " --model " + model.string() + " --out " + out.string()) == 1);
    CHECK(slurp(log) == "train-and-explain: " + (tmp / "notes.png").string() +
                            ": not a PNG or JPEG image (unknown file signature)\n");
    fs::remove_all(tmp);
}
