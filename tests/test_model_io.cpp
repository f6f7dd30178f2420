// tests/test_model_io.cpp — the saved-model directory: exact round trip, numpy-compatible arrays,
// and a one-line error for every way a file can be wrong. Training itself is tests/test_training.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>
#include <xtensor/xnpy.hpp>

#include "nn/training/model_io.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh directory under /tmp, removed when the test case ends.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name)
        : path(fs::temp_directory_path() / ("nnsense_model_io_" + std::to_string(::getpid()) + "_" + name)) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
};

nn::MLP<float> small_model() { return nn::MLP<float>(12, 5, 3, nn::Activation::Relu, 42); }

nn::training::ModelInfo small_info() {
    nn::training::ModelInfo info;
    info.rows = 3;
    info.cols = 4;
    info.dataset = "toy";
    info.class_names = {"a", "b", "c"};
    info.seed = 42;
    info.test_accuracy = 0.875;
    return info;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}

// The message load_model throws for `dir`, or "" if it loads.
std::string load_error(const std::string& dir) {
    try {
        nn::training::load_model(dir);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

void edit_manifest(const fs::path& dir, const char* key, const nlohmann::json& value) {
    nlohmann::json j = nlohmann::json::parse(read(dir / "model.json"));
    j[key] = value;
    write(dir / "model.json", j.dump(2));
}

std::size_t temporaries_in(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& f : fs::directory_iterator(dir)) n += f.path().filename().string().find(".tmp.") != std::string::npos;
    return n;
}

}  // namespace

TEST_CASE("a leaky_relu or gelu model saves its activation's name and loads back with it") {
    for (nn::Activation act : {nn::Activation::LeakyRelu, nn::Activation::Gelu}) {
        CAPTURE(nn::activation_name(act));
        TempDir dir("activation");
        nn::MLP<float> m(12, 5, 3, act, 7);
        nn::training::save_model(m, dir.str(), small_info());
        nn::training::ModelInfo info;
        nn::MLP<float> back = nn::training::load_model(dir.str(), &info);
        CHECK(back.activation == act);
        CHECK(info.activation == nn::activation_name(act));
    }
}

TEST_CASE("save then load gives bitwise the same parameters, activation and manifest fields") {
    TempDir dir("roundtrip");
    nn::MLP<float> m(12, 5, 3, nn::Activation::Tanh, 42);
    m.tape().value(m.layer(0).b) = nn::Tensor<float>{{0.1f, -0.2f, 1e-30f, 3.5f, -7.25f}};   // b starts at 0: make it non-trivial
    nn::training::save_model(m, dir.str(), small_info());
    nn::training::ModelInfo info;
    nn::MLP<float> back = nn::training::load_model(dir.str(), &info);

    CHECK(back.in() == 12);
    CHECK(back.hidden() == std::vector<std::size_t>{5});
    CHECK(back.out() == 3);
    CHECK(back.activation == nn::Activation::Tanh);
    for (std::size_t i = 0; i < 4; ++i) {
        const auto& a = m.tape().value(m.parameters()[i]);
        const auto& b = back.tape().value(back.parameters()[i]);
        REQUIRE(a.shape() == b.shape());
        CHECK(a == b);                                           // exact, not approximately
    }
    CHECK(info.format_version == 1);
    CHECK(info.activation == "tanh");
    CHECK(info.rows == 3);
    CHECK(info.cols == 4);
    CHECK(info.dataset == "toy");
    CHECK(info.class_names == std::vector<std::string>{"a", "b", "c"});
    CHECK(info.seed == 42);
    CHECK(info.test_accuracy == 0.875);

    nn::Tensor<float> x = xt::linspace<float>(0.f, 1.f, 24).reshape({2, 12});
    CHECK(nn::predict(m, x) == nn::predict(back, x));
    CHECK(temporaries_in(dir.path) == 0);
}

TEST_CASE("the arrays are plain float32 .npy files: W 2-D, b 1-D, C order") {
    TempDir dir("layout");
    nn::MLP<float> m = small_model();
    nn::training::save_model(m, dir.str(), small_info());
    const std::string header = read(dir.path / "b1.npy").substr(0, 128);
    CHECK(header.find("'descr': '<f4'") != std::string::npos);
    CHECK(header.find("'fortran_order': False") != std::string::npos);
    CHECK(header.find("'shape': (5,)") != std::string::npos);
    CHECK(read(dir.path / "W2.npy").find("'shape': (5, 3)") != std::string::npos);
    auto W1 = xt::load_npy<float>((dir.path / "W1.npy").string());
    CHECK(W1.dimension() == 2);
    CHECK(W1(3, 4) == m.tape().value(m.layer(0).W)(3, 4));
    const nlohmann::json j = nlohmann::json::parse(read(dir.path / "model.json"));
    CHECK(j["format_version"] == 1);
    CHECK(j["hidden"] == 5);
    CHECK(j["activation"] == "relu");
    CHECK(j["logits"] == "relu(x·W1 + b1)·W2 + b2");
}

TEST_CASE("a missing test accuracy is written as null and read back as NaN") {
    TempDir dir("nan_accuracy");
    nn::training::ModelInfo info;
    info.rows = 1;
    info.cols = 12;
    nn::training::save_model(small_model(), dir.str(), info);
    CHECK(nlohmann::json::parse(read(dir.path / "model.json"))["test_accuracy"].is_null());
    nn::training::ModelInfo back;
    nn::training::load_model(dir.str(), &back);
    CHECK(std::isnan(back.test_accuracy));
}

TEST_CASE("loading rejects every broken model directory with one line naming the file and the problem") {
    TempDir dir("broken");
    const std::string d = dir.str();
    nn::training::save_model(small_model(), d, small_info());
    REQUIRE(load_error(d).empty());

    SUBCASE("no such directory") {
        CHECK(load_error(d + "/nope") == d + "/nope: no such model directory (a model directory holds W1.npy, "
                                             "b1.npy, W2.npy, b2.npy and model.json)");
    }
    SUBCASE("a missing file") {
        for (const char* name : {"W1.npy", "b1.npy", "W2.npy", "b2.npy", "model.json"}) {
            TempDir copy("missing");
            fs::copy(dir.path, copy.path, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
            fs::remove(copy.path / name);
            CHECK(load_error(copy.str()) == copy.str() + "/" + name +
                                                ": missing (a model directory holds W1.npy, b1.npy, W2.npy, b2.npy "
                                                "and model.json)");
        }
    }
    SUBCASE("a wrong shape") {
        write(dir.path / "W2.npy", xt::dump_npy(nn::Tensor<float>(xt::zeros<float>({4, 3}))));
        CHECK(load_error(d) == d + "/W2.npy: shape (4, 3) does not match model.json hidden = 5");
    }
    SUBCASE("a bias saved as a [1, H] matrix instead of a vector") {
        write(dir.path / "b1.npy", xt::dump_npy(nn::Tensor<float>(xt::zeros<float>({1, 5}))));
        CHECK(load_error(d) == d + "/b1.npy: shape (1, 5) has 2 dimensions, expected (5,)");
    }
    SUBCASE("a wrong dtype") {
        write(dir.path / "W1.npy", xt::dump_npy(xt::xtensor<double, 2>(xt::zeros<double>({12, 5}))));
        CHECK(load_error(d) == d + "/W1.npy: dtype is <f8, expected float32 (<f4); save it with arr.astype(np.float32)");
    }
    SUBCASE("a NaN weight") {
        nn::Tensor<float> W2 = xt::ones<float>({5, 3});
        W2(2, 1) = std::numeric_limits<float>::quiet_NaN();
        write(dir.path / "W2.npy", xt::dump_npy(W2));
        CHECK(load_error(d) == d + "/W2.npy: value at (2, 1) is nan; the weights must be finite");
    }
    SUBCASE("an infinite bias") {
        xt::xtensor<float, 1> b2 = xt::zeros<float>({3});
        b2(2) = std::numeric_limits<float>::infinity();
        write(dir.path / "b2.npy", xt::dump_npy(b2));
        CHECK(load_error(d) == d + "/b2.npy: value at (2,) is inf; the weights must be finite");
    }
    SUBCASE("a manifest that disagrees with the arrays") {
        edit_manifest(dir.path, "hidden", 6);
        CHECK(load_error(d) == d + "/W1.npy: shape (12, 5) does not match model.json hidden = 6");
    }
    SUBCASE("a truncated array") {
        const std::string bytes = read(dir.path / "W1.npy");
        write(dir.path / "W1.npy", bytes.substr(0, bytes.size() - 10));
        CHECK(load_error(d) == d + "/W1.npy: truncated: shape (12, 5) needs 240 data bytes, the file has 230");
    }
    SUBCASE("an array cut inside its header") {
        write(dir.path / "W1.npy", read(dir.path / "W1.npy").substr(0, 40));
        CHECK(load_error(d) == d + "/W1.npy: truncated inside its .npy header");
    }
    SUBCASE("bytes after the data") {
        write(dir.path / "b2.npy", read(dir.path / "b2.npy") + "xyz");
        CHECK(load_error(d) == d + "/b2.npy: 3 unexpected bytes after the (3,) data");
    }
    SUBCASE("not an npy file at all") {
        write(dir.path / "W2.npy", "W2 as text, not numpy");
        CHECK(load_error(d) == d + "/W2.npy: not a .npy file (it does not start with \\x93NUMPY)");
    }
    SUBCASE("a manifest that is not JSON") {
        write(dir.path / "model.json", "{\"in\": 12,");
        CHECK(load_error(d).rfind(d + "/model.json: not valid JSON (", 0) == 0);
    }
    SUBCASE("an unsupported format version") {
        edit_manifest(dir.path, "format_version", 2);
        CHECK(load_error(d) == d + "/model.json: format_version 2 is not supported (this program reads 1)");
    }
    SUBCASE("an unknown activation") {
        edit_manifest(dir.path, "activation", "swish");
        CHECK(load_error(d) ==
              d + "/model.json: activation 'swish' is not relu, sigmoid, tanh, leaky_relu, gelu or identity");
    }
    SUBCASE("a missing layer size") {
        nlohmann::json j = nlohmann::json::parse(read(dir.path / "model.json"));
        j.erase("out");
        write(dir.path / "model.json", j.dump());
        CHECK(load_error(d) == d + "/model.json: key 'out' is missing");
    }
    SUBCASE("a layer size that is not a positive integer") {
        edit_manifest(dir.path, "in", -12);
        CHECK(load_error(d) == d + "/model.json: 'in' must be a positive integer, got -12");
    }
    SUBCASE("an image shape that does not multiply to in") {
        edit_manifest(dir.path, "rows", 5);
        CHECK(load_error(d) == d + "/model.json: rows × cols = 5 × 4 does not match in = 12");
    }
    SUBCASE("class names that do not match out") {
        edit_manifest(dir.path, "class_names", nlohmann::json::array({"a", "b"}));
        CHECK(load_error(d) == d + "/model.json: class_names has 2 names but out = 3");
    }
}

TEST_CASE("saving overwrites an older model and leaves no temporary files; an impossible target throws") {
    TempDir dir("overwrite");
    nn::training::save_model(nn::MLP<float>(12, 7, 3, nn::Activation::Relu, 1), dir.str(), small_info());
    nn::training::save_model(small_model(), dir.str(), small_info());
    CHECK(nn::training::load_model(dir.str()).hidden() == std::vector<std::size_t>{5});
    CHECK(temporaries_in(dir.path) == 0);

    nn::training::ModelInfo wrong = small_info();
    wrong.cols = 5;
    CHECK_THROWS_WITH(nn::training::save_model(small_model(), dir.str(), wrong),
                      "save_model: info rows × cols = 3 × 5 does not match the model's in = 12");

    write(dir.path / "file", "x");
    CHECK_THROWS_AS(nn::training::save_model(small_model(), (dir.path / "file" / "model").string(), small_info()),
                    std::runtime_error);

    // A directory where W2.npy should go makes its rename fail: the error names W2.npy and no temporary stays.
    TempDir blocked("blocked");
    fs::create_directories(blocked.path / "W2.npy" / "inside");
    std::string message;
    try {
        nn::training::save_model(small_model(), blocked.str(), small_info());
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    CHECK(message.rfind(blocked.str() + "/W2.npy: cannot rename the temporary file into place", 0) == 0);
    CHECK(temporaries_in(blocked.path) == 0);
    CHECK_FALSE(fs::exists(blocked.path / "model.json"));
}

TEST_CASE("a deeper model saves W1..W4, b1..b4 and \"hidden\": [6, 5, 4], and loads back bitwise with the same outputs") {
    TempDir dir("deeper");
    nn::MLP<float> m(12, {6, 5, 4}, 3, nn::Activation::Relu, 11);
    for (std::size_t k = 0; k < 4; ++k)                                  // b starts at 0: make it non-trivial
        for (auto& v : m.tape().value(m.layer(k).b)) v = 0.01f * static_cast<float>(k + 1);
    nn::training::save_model(m, dir.str(), small_info());
    for (const char* f : {"W1.npy", "b1.npy", "W2.npy", "b2.npy", "W3.npy", "b3.npy", "W4.npy", "b4.npy"})
        CHECK_MESSAGE(fs::exists(dir.path / f), f);
    CHECK_FALSE(fs::exists(dir.path / "W5.npy"));
    const nlohmann::json j = nlohmann::json::parse(read(dir.path / "model.json"));
    CHECK(j["hidden"] == nlohmann::json::array({6, 5, 4}));
    CHECK(j["logits"] == "relu(relu(relu(x·W1 + b1)·W2 + b2)·W3 + b3)·W4 + b4");
    auto W3 = xt::load_npy<float>((dir.path / "W3.npy").string());
    CHECK(W3.shape() == std::vector<std::size_t>{5, 4});

    nn::training::ModelInfo info;
    nn::MLP<float> back = nn::training::load_model(dir.str(), &info);
    CHECK(info.hidden == std::vector<std::size_t>{6, 5, 4});
    CHECK(back.hidden() == std::vector<std::size_t>{6, 5, 4});
    CHECK(nn::layer_widths(back) == "12-6-5-4-3");
    REQUIRE(back.parameters().size() == 8);
    for (std::size_t i = 0; i < 8; ++i) CHECK(m.tape().value(m.parameters()[i]) == back.tape().value(back.parameters()[i]));
    nn::Tensor<float> x = xt::linspace<float>(0.f, 1.f, 24).reshape({2, 12});
    CHECK(nn::predict(m, x) == nn::predict(back, x));

    // A deeper array that does not fit names its axis as model.json's list does.
    xt::dump_npy((dir.path / "W3.npy").string(), nn::Tensor<float>(xt::zeros<float>({std::size_t(5), std::size_t(7)})));
    CHECK(load_error(dir.str()) == (dir.path / "W3.npy").string() + ": shape (5, 7) does not match model.json hidden[2] = 4");
    for (const nlohmann::json& bad : {nlohmann::json::array(), nlohmann::json::array({6, 0, 4}), nlohmann::json("6,5")}) {
        TempDir d2("deeper_bad");
        nn::training::save_model(m, d2.str(), small_info());
        edit_manifest(d2.path, "hidden", bad);
        CAPTURE(bad.dump());
        CHECK(load_error(d2.str()).find("model.json: 'hidden' must") != std::string::npos);
    }
}

TEST_CASE("an older two-layer model directory loads unchanged, and saving it again writes the same bytes") {
    // tests/fixtures/trained_mlp_784_64_10 was written before the MLP had any depth ("hidden": 64, W1, b1, W2, b2).
    const char* env = std::getenv("NNSENSE_MODEL");
    REQUIRE_MESSAGE(env, "NNSENSE_MODEL is not set: run through `meson test`");
    const fs::path old_dir = env;
    nn::training::ModelInfo info;
    const nn::MLP<float> m = nn::training::load_model(old_dir.string(), &info);
    CHECK(nn::layer_widths(m) == "784-64-10");
    CHECK(info.hidden == std::vector<std::size_t>{64});
    TempDir dir("again");
    nn::training::save_model(m, dir.str(), info);
    for (const char* f : {"W1.npy", "b1.npy", "W2.npy", "b2.npy", "model.json"}) {
        CAPTURE(f);
        CHECK(read(dir.path / f) == read(old_dir / f));                  // byte for byte, the manifest included
    }
    CHECK_FALSE(fs::exists(dir.path / "W3.npy"));
}
