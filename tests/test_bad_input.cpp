// tests/test_bad_input.cpp — the bad-input matrix run through the real train-and-explain binary, Ctrl-C safety,
// and numerical robustness (huge logits, an absurd learning rate). Not the parsers' unit tests (test_datasets.cpp...).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stb_image_write.h>
#include <xtensor/xnpy.hpp>
#include <zlib.h>

#include "nn/mlp.hpp"
#include "nn/training/model_io.hpp"
#include "nn/tape.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void spit(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

std::string be32(std::uint32_t v) {
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// An IDX image file of n rows x cols images with a pattern of bytes, and a label file of n labels i % 10.
std::string idx_images(std::uint32_t n, std::uint32_t rows = 28, std::uint32_t cols = 28) {
    std::string s = be32(0x803) + be32(n) + be32(rows) + be32(cols);
    for (std::size_t i = 0; i < std::size_t(n) * rows * cols; ++i) s += char((i * 37 + i / 784 * 11) % 256);
    return s;
}
std::string idx_labels(std::uint32_t n) {
    std::string s = be32(0x801) + be32(n);
    for (std::uint32_t i = 0; i < n; ++i) s += char(i % 10);
    return s;
}

std::string gzip(const std::string& raw) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, raw.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    z.avail_in = static_cast<uInt>(raw.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// A 1x1 gray PNG written by stb; `width`/`height` patch the IHDR (stb_image does not check chunk CRCs).
std::string png(std::uint32_t width = 1, std::uint32_t height = 1) {
    std::string bytes;
    auto append = [](void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<char*>(data), size); };
    const unsigned char pixel = 0;
    REQUIRE(stbi_write_png_to_func(append, &bytes, 1, 1, 1, &pixel, 1));
    bytes.replace(16, 4, be32(width));   // 8 signature + 4 length + 4 "IHDR"
    bytes.replace(20, 4, be32(height));
    return bytes;
}

struct Result {
    int code = -1;       // exit code, or 128 + signal
    std::string out, err;
};

// A temporary folder with a tiny valid MNIST-like data set (64 train, 32 test images), a valid 784-8-10 model,
// and an --out folder holding one file from before. Removed at the end of the test case.
struct Sandbox {
    fs::path root, data, model, out;
    Sandbox() {
        char tmpl[] = "/tmp/nnsense-bad-input-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
        data = root / "data";
        model = root / "model";
        out = root / "out";
        fs::create_directories(data);
        fs::create_directories(out);
        spit(data / "train-images-idx3-ubyte", idx_images(64));
        spit(data / "train-labels-idx1-ubyte", idx_labels(64));
        spit(data / "t10k-images-idx3-ubyte", idx_images(32));
        spit(data / "t10k-labels-idx1-ubyte", idx_labels(32));
        nn::training::ModelInfo info;
        info.dataset = "mnist";
        info.class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        nn::training::save_model(nn::MLP<float>(784, 8, 10, nn::Activation::Relu, 3), model.string(), info);
        spit(out / "from-before.txt", "kept\n");
        before = listing(out);
    }
    ~Sandbox() {
        std::error_code ec;
        fs::permissions(root, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(root, ec);
    }
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    static std::set<std::string> listing(const fs::path& dir) {
        std::set<std::string> names;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            names.insert(it->path().lexically_relative(dir).string());
        return names;
    }
    std::set<std::string> before;   // what --out held before the run

    // Runs the binary with `args`; its stdout and stderr go to files in root.
    Result run(const std::vector<std::string>& args, std::atomic<int>* started = nullptr) const {
        const char* bin = std::getenv("NNSENSE_BIN");
        REQUIRE_MESSAGE(bin != nullptr, "NNSENSE_BIN is not set (meson test sets it)");
        std::vector<std::string> argv_s = {bin};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        const fs::path o = root / "stdout.txt", e = root / "stderr.txt";
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            const int fo = ::open(o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int fe = ::open(e.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fo < 0 || fe < 0 || ::dup2(fo, 1) < 0 || ::dup2(fe, 2) < 0) ::_exit(127);
            std::vector<char*> argv;
            for (auto& a : argv_s) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(bin, argv.data());
            ::_exit(127);
        }
        if (started) *started = pid;
        int status = 0;
        ::waitpid(pid, &status, 0);
        Result r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r.out = slurp(o);
        r.err = slurp(e);
        return r;
    }

    // A run on the sandbox's data and out folders, small and fast, plus `extra` flags.
    Result run_tiny(std::vector<std::string> extra) const {
        std::vector<std::string> args = {"--data", data.string(), "--out", out.string(), "--epochs", "1",
                                         "--hidden", "8", "--batch", "16", "--explain-count", "4",
                                         "--fd-images", "1", "--threads", "1"};
        for (std::size_t i = 0; i + 1 < extra.size(); i += 2) {  // a flag given in `extra` replaces the default
            std::size_t k = 0;
            while (k < args.size() && args[k] != extra[i]) k += 2;
            if (k < args.size()) args[k + 1] = extra[i + 1];
            else args.insert(args.end(), {extra[i], extra[i + 1]});
        }
        if (extra.size() % 2) args.push_back(extra.back());
        args.insert(args.end(), {"--no-probes", "--quiet"});
        return run(args);
    }
};

// The run failed with `code`, one line on stderr holding every `part`, and --out holds what it held before.
void expect_failure(const Sandbox& s, const Result& r, int code, const std::vector<std::string>& parts) {
    INFO("stderr: " << r.err);
    CHECK(r.code == code);
    REQUIRE(!r.err.empty());
    CHECK(r.err.back() == '\n');
    CHECK(r.err.find('\n') == r.err.size() - 1);        // exactly one line
    CHECK(r.err.rfind("train-and-explain: ", 0) == 0);
    for (const std::string& part : parts) CHECK_MESSAGE(r.err.find(part) != std::string::npos, "missing: " << part);
    const auto after = Sandbox::listing(s.out);
    CHECK(after == s.before);                            // nothing new, nothing half-written, nothing lost
    for (const auto& name : after) CHECK_MESSAGE(name.find(".tmp") == std::string::npos, name);
}

// The model files as the sandbox wrote them, replaced one at a time.
void write_npy(const fs::path& p, const std::string& bytes) { spit(p, bytes); }

bool running_as_root() { return ::geteuid() == 0; }

}  // namespace

// ---------------------------------------------------------------- data files (--data), exit code 1

TEST_CASE("a valid tiny data set trains, explains and writes the model: the sandbox itself is sound") {
    Sandbox s;
    const Result r = s.run_tiny({});
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(fs::exists(s.out / "model" / "model.json"));
    CHECK(fs::exists(s.out / "metrics.json"));
    CHECK(fs::exists(s.out / "from-before.txt"));
}

TEST_CASE("IDX with a wrong magic number names the file and the magic found") {
    Sandbox s;
    const fs::path f = s.data / "train-images-idx3-ubyte";
    std::string bytes = slurp(f);
    bytes.replace(0, 4, be32(0x12345678));
    spit(f, bytes);
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "not an IDX file", "0x12345678"});
}

TEST_CASE("IDX with an unsupported data type names the type") {
    Sandbox s;
    const fs::path f = s.data / "t10k-images-idx3-ubyte";
    std::string bytes = slurp(f);
    bytes[2] = char(0x0D);
    spit(f, bytes);
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "float32", "only 0x08 (unsigned byte)"});
}

TEST_CASE("IDX with a truncated header says how many bytes it has and needs") {
    Sandbox s;
    const fs::path f = s.data / "train-images-idx3-ubyte";
    spit(f, slurp(f).substr(0, 9));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "truncated header", "has 9 bytes", "needs 16"});
}

TEST_CASE("IDX with a truncated payload gives the sizes and suggests truncation") {
    Sandbox s;
    const fs::path f = s.data / "train-images-idx3-ubyte";
    const std::string bytes = slurp(f);
    spit(f, bytes.substr(0, bytes.size() - 100));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "payload is 50076 bytes", "64x28x28 = 50176", "truncated file?"});
}

TEST_CASE("IDX with trailing garbage after the payload is refused") {
    Sandbox s;
    const fs::path f = s.data / "t10k-labels-idx1-ubyte";
    spit(f, slurp(f) + "xyz");
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "3 bytes of trailing garbage"});
}

TEST_CASE("IDX whose dimensions multiply past 64 bits is stopped by the item limit before any allocation") {
    Sandbox s;
    const fs::path f = s.data / "train-images-idx3-ubyte";
    spit(f, be32(0x803) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "4294967295x4294967295x4294967295", "more than the limit"});
}

TEST_CASE("IDX with an image side over 4096 is refused") {
    Sandbox s;
    const fs::path f = s.data / "train-images-idx3-ubyte";
    spit(f, be32(0x803) + be32(64) + be32(5000) + be32(28));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "dimension 2 is 5000", "limit of 4096"});
}

TEST_CASE("IDX whose header promises more than 4 GiB of payload is refused from a 16-byte file") {
    Sandbox s;
    const fs::path f = s.data / "train-images-idx3-ubyte";
    spit(f, be32(0x803) + be32(100'000'000) + be32(4096) + be32(4096));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "limit of 4 GiB"});
}

TEST_CASE("IDX with a zero dimension is refused") {
    Sandbox s;
    const fs::path f = s.data / "train-labels-idx1-ubyte";
    spit(f, be32(0x801) + be32(0));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "dimension 1 is 0"});
}

TEST_CASE("images and labels of different counts name both files and both counts") {
    Sandbox s;
    spit(s.data / "train-labels-idx1-ubyte", idx_labels(63));
    expect_failure(s, s.run_tiny({}), 1,
                   {"train-images-idx3-ubyte has 64 images", "train-labels-idx1-ubyte has 63 labels"});
}

TEST_CASE("a label of 10 or more names the file, the label and its index") {
    Sandbox s;
    const fs::path f = s.data / "train-labels-idx1-ubyte";
    std::string bytes = slurp(f);
    bytes[8 + 5] = char(12);
    spit(f, bytes);
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "label 12 at index 5 is >= 10 classes"});
}

TEST_CASE("a label file given where images are expected is told apart by its dimensions") {
    Sandbox s;
    const fs::path f = s.data / "t10k-images-idx3-ubyte";
    spit(f, idx_labels(32));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "expected an image file", "got 1 dimensions"});
}

TEST_CASE("an empty IDX file says it is empty") {
    Sandbox s;
    const fs::path f = s.data / "t10k-labels-idx1-ubyte";
    spit(f, "");
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "file is empty"});
}

TEST_CASE("a directory where an IDX file should be is named as a directory") {
    Sandbox s;
    const fs::path f = s.data / "train-labels-idx1-ubyte";
    fs::remove(f);
    fs::create_directory(f);
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "is a directory, expected an IDX file"});
}

TEST_CASE("a missing IDX file names the folder, the file and how to get the data") {
    Sandbox s;
    fs::remove(s.data / "t10k-labels-idx1-ubyte");
    expect_failure(s, s.run_tiny({}), 1, {s.data.string(), "missing t10k-labels-idx1-ubyte", "./setup"});
}

TEST_CASE("a missing or non-directory --data names the path") {
    Sandbox s;
    const fs::path nowhere = s.root / "no-such-dir";
    expect_failure(s, s.run_tiny({"--data", nowhere.string()}), 1, {nowhere.string(), "no such directory"});
    const fs::path file = s.data / "train-images-idx3-ubyte";
    expect_failure(s, s.run_tiny({"--data", file.string()}), 1, {file.string(), "is not a directory"});
}

TEST_CASE("an unreadable IDX file: a FIFO, a symlink loop, and (when not root) mode 000") {
    Sandbox s;
    const fs::path f = s.data / "train-images-idx3-ubyte";
    fs::remove(f);
    REQUIRE(::mkfifo(f.c_str(), 0644) == 0);   // opening it for reading would block forever: must not be opened
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "is not a regular file"});
    fs::remove(f);
    fs::create_symlink(f.filename(), f);       // points at itself
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "cannot open for reading", "symbolic links"});
    fs::remove(f);
    spit(f, idx_images(64));
    fs::permissions(f, fs::perms::none);
    if (running_as_root()) {
        MESSAGE("running as root, which reads mode-000 files: the chmod 000 case is skipped");
    } else {
        expect_failure(s, s.run_tiny({}), 1, {f.string(), "cannot open for reading", "Permission denied"});
    }
}

TEST_CASE("a gzip IDX file cut short says the compressed stream stops early") {
    Sandbox s;
    const fs::path raw = s.data / "train-images-idx3-ubyte";
    const std::string gz = gzip(slurp(raw));
    fs::remove(raw);
    const fs::path f = s.data / "train-images-idx3-ubyte.gz";
    spit(f, gz.substr(0, gz.size() / 2));
    expect_failure(s, s.run_tiny({}), 1, {f.string(), "truncated gzip data"});
}

// ---------------------------------------------------------------- saved models (--model), exit code 1

TEST_CASE("--model with a missing array names it and the expected layout") {
    Sandbox s;
    fs::remove(s.model / "W2.npy");
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {(s.model / "W2.npy").string(), "missing", "W1.npy, b1.npy, W2.npy, b2.npy and model.json"});
}

TEST_CASE("--model pointing nowhere says there is no model directory") {
    Sandbox s;
    const fs::path nowhere = s.root / "no-model";
    expect_failure(s, s.run_tiny({"--model", nowhere.string()}), 1, {nowhere.string(), "no such model directory"});
}

TEST_CASE("--model with a float64 array names the dtype and how to fix it") {
    Sandbox s;
    const xt::xtensor<double, 2> W1 = xt::zeros<double>({784, 8});
    write_npy(s.model / "W1.npy", xt::dump_npy(W1));
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {(s.model / "W1.npy").string(), "dtype is <f8", "expected float32", "astype(np.float32)"});
}

TEST_CASE("--model with an array of the wrong shape names the manifest key it contradicts") {
    Sandbox s;
    const xt::xtensor<float, 2> W2 = xt::zeros<float>({8, 9});
    write_npy(s.model / "W2.npy", xt::dump_npy(W2));
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {(s.model / "W2.npy").string(), "shape (8, 9) does not match model.json out = 10"});
}

TEST_CASE("--model with a NaN or an Inf weight names the file, the position and the value") {
    Sandbox s;
    xt::xtensor<float, 1> b1 = xt::zeros<float>({8});
    b1(3) = std::numeric_limits<float>::quiet_NaN();
    write_npy(s.model / "b1.npy", xt::dump_npy(b1));
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {(s.model / "b1.npy").string(), "value at (3,) is nan", "must be finite"});
    xt::xtensor<float, 2> W2 = xt::zeros<float>({8, 10});
    W2(7, 2) = -std::numeric_limits<float>::infinity();
    write_npy(s.model / "W2.npy", xt::dump_npy(W2));
    write_npy(s.model / "b1.npy", xt::dump_npy(xt::xtensor<float, 1>(xt::zeros<float>({8}))));
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {(s.model / "W2.npy").string(), "value at (7, 2) is inf"});
}

TEST_CASE("--model whose model.json disagrees with the arrays names the array and the key") {
    Sandbox s;
    const fs::path m = s.model / "model.json";
    std::string json = slurp(m);
    const auto at = json.find("\"hidden\": 8");
    REQUIRE(at != std::string::npos);
    json.replace(at, 11, "\"hidden\": 16");
    spit(m, json);
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {(s.model / "W1.npy").string(), "shape (784, 8) does not match model.json hidden = 16"});
}

TEST_CASE("--model with a model.json that is not JSON says so") {
    Sandbox s;
    spit(s.model / "model.json", "{\"format\": \"nnsense-mlp\", ");
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {(s.model / "model.json").string(), "not valid JSON"});
}

TEST_CASE("--model with a truncated .npy says how many data bytes it needs and has") {
    Sandbox s;
    const fs::path f = s.model / "W1.npy";
    const std::string bytes = slurp(f);
    spit(f, bytes.substr(0, bytes.size() - 1000));
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {f.string(), "truncated: shape (784, 8) needs 25088 data bytes", "has 24088"});
}

TEST_CASE("--model made for other images than the data names both pixel counts") {
    Sandbox s;
    spit(s.data / "train-images-idx3-ubyte", idx_images(64, 14, 14));
    spit(s.data / "t10k-images-idx3-ubyte", idx_images(32, 14, 14));
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {s.model.string(), "model takes 784 pixels but the data has 196"});
}

TEST_CASE("a whole run with probes on a small --data set (64 images) finishes: both trainings hold out a tenth") {
    // The augmented model's training used to keep the 5000-image validation split and die after the probes.
    Sandbox s;
    const Result r = s.run({"--data", s.data.string(), "--out", s.out.string(), "--epochs", "1", "--hidden", "8",
                            "--batch", "16", "--explain-count", "2", "--fd-images", "0", "--threads", "1", "--quiet"});
    INFO("stderr: " << r.err);
    CHECK(r.code == 0);
    CHECK(fs::exists(s.out / "report.json"));
    CHECK(fs::exists(s.out / "probes" / "rotation_before_after.png"));
}

// ---------------------------------------------------------------- a network from elsewhere (--model FILE.onnx)

namespace {
std::string onnx_fixture(const std::string& name) {
    const char* dir = std::getenv("NNSENSE_FIXTURES");
    return (fs::path(dir ? dir : "tests/fixtures") / "onnx" / name).string();
}
// An ONNX run on the sandbox's data: no --hidden (a foreign network brings its own layers).
Result run_onnx(const Sandbox& s, std::vector<std::string> extra) {
    std::vector<std::string> args = {"--data", s.data.string(), "--out", s.out.string(), "--explain-count", "4",
                                     "--fd-images", "1", "--threads", "1", "--no-probes", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return s.run(args);
}
}  // namespace

TEST_CASE("an ONNX model on the sandbox's images runs: the cases below fail for their flag alone") {
    Sandbox s;
    const Result r = run_onnx(s, {"--model", onnx_fixture("mnist_mlp.onnx"), "--normalize", "0.1307,0.3081"});
    INFO("stderr: " << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("test accuracy") != std::string::npos);
}

TEST_CASE("--input-scale other than 0..1 or 0..255 is a usage error naming the flag and the choices") {
    Sandbox s;
    for (const char* bad : {"0..100", "255", ""})
        expect_failure(s, run_onnx(s, {"--model", onnx_fixture("mnist_mlp.onnx"), "--input-scale", bad}), 2,
                       {"--input-scale", "0..1", "0..255"});
}

TEST_CASE("a malformed --normalize is a usage error naming the flag and the form MEAN,STD") {
    Sandbox s;
    for (const char* bad : {"0.1307", "0.1307,", "a,b", "0.1,0", "0.1,-1", "0.1,0.2,0.3", "nan,1", "0.1x,0.3"})
        expect_failure(s, run_onnx(s, {"--model", onnx_fixture("mnist_mlp.onnx"), "--normalize", bad}), 2,
                       {"--normalize", "MEAN,STD", std::string("'") + bad + "'"});
}

TEST_CASE("--input-scale and --normalize without an ONNX --model are refused: nnsense's own models need none") {
    Sandbox s;
    expect_failure(s, s.run_tiny({"--normalize", "0.1307,0.3081"}), 2, {"--normalize", "--model FILE.onnx"});
    expect_failure(s, s.run_tiny({"--model", s.model.string(), "--input-scale", "0..255"}), 2,
                   {"--input-scale", "--model FILE.onnx"});
}

TEST_CASE("--hidden with an ONNX --model is refused, naming the flag and the file") {
    Sandbox s;
    const std::string m = onnx_fixture("mnist_mlp.onnx");
    expect_failure(s, run_onnx(s, {"--model", m, "--hidden", "8"}), 2, {"--hidden", m});
}

TEST_CASE("an ONNX model whose input width is not the images' names the file and both widths") {
    Sandbox s;
    const std::string m = onnx_fixture("table_3_8_1.onnx");
    expect_failure(s, run_onnx(s, {"--model", m}), 1, {m, "takes 3 inputs", "784"});
}

TEST_CASE("a file given as --model that is not ONNX names the file") {
    Sandbox s;
    const fs::path junk = s.root / "net.onnx";
    spit(junk, "this is not a protobuf\n");
    expect_failure(s, run_onnx(s, {"--model", junk.string()}), 1, {junk.string()});
}

TEST_CASE("a table ONNX model: --features of the wrong width names the file and both widths") {
    Sandbox s;
    const std::string m = onnx_fixture("table_net.onnx"), csv = onnx_fixture("table_net.csv");
    expect_failure(s, s.run({"--csv", csv, "--model", m, "--target", "y", "--features", "a,b", "--out", s.out.string()}),
                   1, {m, "takes 3 inputs", "--features (a, b) has 2"});
}

TEST_CASE("a table ONNX model: no --features nor --scaling, a --scaling that disagrees, no --target, a bad sidecar") {
    Sandbox s;
    const std::string m = onnx_fixture("table_net.onnx"), csv = onnx_fixture("table_net.csv");
    const std::vector<std::string> base = {"--csv", csv, "--model", m, "--out", s.out.string()};
    const auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = base;
        a.insert(a.end(), extra.begin(), extra.end());
        return s.run(a);
    };
    expect_failure(s, with({"--target", "y"}), 2, {"--features", m});
    expect_failure(s, with({"--target", "y", "--features", "b,a,c", "--scaling", onnx_fixture("table_net.scaling.json")}),
                   2, {"--features", "table_net.scaling.json"});
    expect_failure(s, with({"--features", "a,b,c"}), 2, {"--target", m});
    expect_failure(s, with({"--target", "y", "--features", "a,b,c", "--normalize", "0,1"}), 2, {"--scaling"});
    const fs::path bad = s.root / "scaling.json";
    for (const char* text : {"{", "{\"features\": [\"a\"]}", "{\"features\": [\"a\",\"b\",\"c\"], \"mean\": [0,0,0], \"std\": [1,0,1]}",
                             "{\"features\": [\"a\",\"b\",\"c\"], \"mean\": [0,0], \"std\": [1,1,1]}"}) {
        spit(bad, text);
        expect_failure(s, with({"--target", "y", "--scaling", bad.string()}), 1, {bad.string()});
    }
    expect_failure(s, s.run_tiny({"--scaling", bad.string()}), 2, {"--scaling", "--model FILE.onnx"});
}

TEST_CASE("--model trained on another dataset than --dataset is refused, naming both") {
    Sandbox s;
    const fs::path manifest = s.model / "model.json";
    std::string json = slurp(manifest);
    const std::size_t at = json.find("\"mnist\"");
    REQUIRE(at != std::string::npos);
    json.replace(at, 7, "\"fashion\"");
    spit(manifest, json);
    expect_failure(s, s.run_tiny({"--model", s.model.string()}), 1,
                   {s.model.string() + ": the model was trained on 'fashion', not on 'mnist'"});
}

TEST_CASE("--data whose images are not 28x28 is refused before any training, naming --data and the size") {
    Sandbox s;
    spit(s.data / "train-images-idx3-ubyte", idx_images(64, 14, 14));
    spit(s.data / "t10k-images-idx3-ubyte", idx_images(32, 14, 14));
    const Result r = s.run_tiny({});
    expect_failure(s, r, 1, {"--data " + s.data.string() + ": images are 14x14, train-and-explain needs 28x28"});
    CHECK(r.out.find("training") == std::string::npos);          // refused up front, not after a training
}

// ---------------------------------------------------------------- pictures (--image), exit code 1

TEST_CASE("--image with a file that is not a picture names the file") {
    Sandbox s;
    const fs::path f = s.root / "notes.png";
    spit(f, "this is a text file, not a picture\n");
    expect_failure(s, s.run_tiny({"--model", s.model.string(), "--image", f.string()}), 1,
                   {f.string(), "not a PNG or JPEG image"});
}

TEST_CASE("--image with an empty file and with a 0x0 PNG header says the picture is empty") {
    Sandbox s;
    const fs::path empty = s.root / "empty.png";
    spit(empty, "");
    expect_failure(s, s.run_tiny({"--model", s.model.string(), "--image", empty.string()}), 1,
                   {empty.string(), "empty (0 bytes)"});
    const fs::path zero = s.root / "zero.png";
    spit(zero, png(0, 0));
    expect_failure(s, s.run_tiny({"--model", s.model.string(), "--image", zero.string()}), 1,
                   {zero.string(), "zero-sized (0x0)"});
}

TEST_CASE("--image whose header claims 9000x8000 pixels is refused before decoding") {
    Sandbox s;
    const fs::path f = s.root / "huge.png";
    spit(f, png(9000, 8000));   // a 70-byte file: decoding it would allocate 72 MB
    expect_failure(s, s.run_tiny({"--model", s.model.string(), "--image", f.string()}), 1,
                   {f.string(), "9000x8000", "over the limit"});
}

TEST_CASE("--image with a missing picture names it") {
    Sandbox s;
    const fs::path f = s.root / "no-such-picture.png";
    expect_failure(s, s.run_tiny({"--model", s.model.string(), "--image", f.string()}), 1,
                   {f.string(), "cannot be opened"});
}

// ---------------------------------------------------------------- the command line, exit code 2

TEST_CASE("non-positive --epochs, --batch, --hidden and --threads are usage errors naming the flag") {
    Sandbox s;
    for (const char* flag : {"--epochs", "--batch", "--hidden", "--threads"}) {
        CAPTURE(flag);
        expect_failure(s, s.run_tiny({flag, "0"}), 2, {flag, "0"});
    }
    expect_failure(s, s.run_tiny({"--epochs", "-3"}), 2, {"--epochs", "-3"});
    expect_failure(s, s.run_tiny({"--batch", "many"}), 2, {"--batch", "many"});
}

TEST_CASE("a --hidden that is not a comma-separated list of widths 1..65536 is a usage error naming the flag and the value") {
    Sandbox s;
    for (const char* hidden : {"256,", ",256", "256,,128", "256,0", "2x", "70000", "-5", "", "64;32", "1e3"}) {
        CAPTURE(hidden);
        expect_failure(s, s.run_tiny({"--hidden", hidden}), 2, {"--hidden", "256,128", "'" + std::string(hidden) + "'"});
    }
}

TEST_CASE("a NaN, zero, negative or absurd --lr is a usage error giving the allowed range") {
    Sandbox s;
    for (const char* lr : {"nan", "0", "-0.1", "inf", "1e6"}) {
        CAPTURE(lr);
        expect_failure(s, s.run_tiny({"--lr", lr}), 2, {"--lr", "(0, 1000]"});
    }
}

TEST_CASE("an unknown --dataset or --optimizer lists the choices") {
    Sandbox s;
    expect_failure(s, s.run_tiny({"--dataset", "cifar"}), 2, {"--dataset", "cifar", "mnist", "fashion"});
    expect_failure(s, s.run_tiny({"--optimizer", "lbfgs"}), 2, {"--optimizer", "lbfgs"});
}

TEST_CASE("an unknown flag is named and points to --help") {
    Sandbox s;
    expect_failure(s, s.run_tiny({"--epoch", "3"}), 2, {"--epoch", "--help"});
    expect_failure(s, s.run_tiny({"--no-such-flag"}), 2, {"--no-such-flag", "--help"});
}

TEST_CASE("--out that is a file, or lies under a file, is a usage error found before any work") {
    Sandbox s;
    const fs::path file = s.out / "from-before.txt";
    expect_failure(s, s.run_tiny({"--out", file.string()}), 2, {file.string(), "exists and is not a directory"});
    // Root can write anywhere, but nobody can create a directory inside a regular file.
    const fs::path under = file / "sub";
    expect_failure(s, s.run_tiny({"--out", under.string()}), 2, {under.string(), "cannot create directory"});
    expect_failure(s, s.run_tiny({"--out", ""}), 2, {"--out must not be empty"});
}

// ---------------------------------------------------------------- divergence and Ctrl-C

TEST_CASE("--lr 1000 diverges: exit 1, one line naming epoch, batch and lr, and no model or metrics written") {
    Sandbox s;
    const Result r = s.run_tiny({"--lr", "1000", "--epochs", "50"});
    expect_failure(s, r, 1, {"training diverged at epoch ", ", batch", "(lr 1000)", "lower --lr"});
    CHECK_FALSE(fs::exists(s.out / "model"));
    CHECK_FALSE(fs::exists(s.out / "metrics.json"));
}

namespace {
// Starts a long training run, waits until it trains, and interrupts it with `sig`; `during` runs after start.
Result interrupt_training(const Sandbox& s, int sig, const std::function<void(pid_t)>& during, bool* started = nullptr) {
    std::atomic<int> pid{0};
    Result r;
    std::thread runner([&] {
        r = s.run({"--data", s.data.string(), "--out", s.out.string(), "--epochs", "10000", "--hidden", "256",
                   "--batch", "16", "--no-probes", "--threads", "1"},
                  &pid);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline &&
           (pid == 0 || slurp(s.root / "stdout.txt").find("training 784-256-10") == std::string::npos))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (started) *started = pid > 0 && slurp(s.root / "stdout.txt").find("training 784-256-10") != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));   // well inside the training loop
    if (pid > 0) during(pid);
    if (pid > 0) ::kill(pid, sig);
    runner.join();
    return r;
}
}  // namespace

TEST_CASE("Ctrl-C during training dies of SIGINT and leaves no model, no metrics and no temporaries") {
    // The default action of SIGINT would also exit 130 and write nothing; the handler is what says "interrupted"
    // and removes a half-written temporary, so the test plants one and checks both.
    Sandbox s;
    bool started = false;
    const Result r = interrupt_training(s, SIGINT, [&](pid_t pid) {
        spit(s.out / ("metrics.json.tmp." + std::to_string(pid)), "half");
    }, &started);
    INFO("stderr: " << r.err);
    REQUIRE(started);                                            // the signal arrived inside training
    CHECK(r.code == 128 + SIGINT);
    CHECK(r.err.find("interrupted") != std::string::npos);
    CHECK_FALSE(fs::exists(s.out / "model"));
    CHECK_FALSE(fs::exists(s.out / "metrics.json"));
    CHECK(Sandbox::listing(s.out) == s.before);
}

TEST_CASE("an interrupt removes the run's half-written temporaries of both naming schemes, and only those") {
    // A write cut short by Ctrl-C leaves "<file>.tmp.<pid>" (nn/atomic_file) or "<file>.tmp-<pid>-<n>"
    // (figures). Planting them while the run trains is the same state as an interrupt mid-write.
    Sandbox s;
    const fs::path other = s.out / "someone-elses.npy.tmp.1";   // pid 1 is never us
    spit(other, "x");
    s.before.insert(other.filename().string());
    const Result r = interrupt_training(s, SIGTERM, [&](pid_t pid) {
        fs::create_directories(s.out / "model");
        spit(s.out / "model" / ("W1.npy.tmp." + std::to_string(pid)), "half");
        spit(s.out / ("metrics.json.tmp." + std::to_string(pid)), "half");
        fs::create_directories(s.out / "sensitivity");
        spit(s.out / "sensitivity" / ("digit_3.png.tmp-" + std::to_string(pid) + "-2"), "half");
    });
    INFO("stderr: " << r.err);
    CHECK(r.code == 128 + SIGTERM);
    CHECK(r.err.find("interrupted") != std::string::npos);
    std::set<std::string> expected = s.before;
    expected.insert("model");
    expected.insert("sensitivity");
    CHECK(Sandbox::listing(s.out) == expected);   // the planted temporaries are gone, the other pid's stays
}

// ---------------------------------------------------------------- numerics on the tape

TEST_CASE_TEMPLATE("cross-entropy of rows whose logits are all +1e4 or all -1e4 is log(C) with a finite gradient", T,
                   float, double) {
    nn::Tape<T> tape;
    nn::Var z = tape.leaf(nn::Tensor<T>{{T(1e4), T(1e4), T(1e4), T(1e4)}, {T(-1e4), T(-1e4), T(-1e4), T(-1e4)}});
    nn::Var loss = tape.softmax_cross_entropy(z, {1, 3});
    CHECK(tape.value(loss)(0, 0) == doctest::Approx(std::log(4.0)).epsilon(1e-6));
    tape.backward(loss);
    // dz = (softmax - onehot) / B = (1/4 - [label]) / 2
    const nn::Tensor<T> expected = {{T(0.125), T(-0.375), T(0.125), T(0.125)}, {T(0.125), T(0.125), T(0.125), T(-0.375)}};
    CHECK(xt::allclose(tape.grad(z), expected, T(0), T(1e-6)));
}

TEST_CASE_TEMPLATE("softmax's gradient at logits of ±1e4 is the saturated value, not nan", T, float, double) {
    nn::Tape<T> tape;
    nn::Var z = tape.leaf(nn::Tensor<T>{{T(1e4), T(-1e4), T(0)}, {T(-1e4), T(-1e4), T(-1e4)}});
    nn::Var p = tape.softmax(z);
    tape.backward(p, nn::Tensor<T>{{T(1), T(2), T(3)}, {T(1), T(2), T(3)}});
    // dz = y * (dy - Σ dy·y): row 0 y = [1, 0, 0] gives 0; row 1 y = 1/3 gives (dy - 2) / 3.
    const nn::Tensor<T> expected = {{T(0), T(0), T(0)}, {T(-1) / 3, T(0), T(1) / 3}};
    CHECK(xt::allclose(tape.grad(z), expected, T(0), T(1e-6)));
}

TEST_CASE("an MLP fed inputs of 1e4 gives finite probabilities and a finite loss gradient") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 5);
    nn::Tape<float>& tape = model.tape();
    nn::Var x = model.input(2);
    tape.value(x) = xt::ones<float>({2, 784}) * 1e4f;                 // [2, 784], logits in the 1e4 range
    nn::Var logits = model.logits(x);                                  // [2, 10]
    CHECK(xt::amax(xt::abs(tape.value(logits)))() > 1e3f);            // the logits really are huge
    nn::Var loss = tape.softmax_cross_entropy(logits, {0, 9});
    tape.backward(loss);
    CHECK(std::isfinite(tape.value(loss)(0, 0)));
    CHECK(xt::all(xt::isfinite(tape.grad(model.layer(0).W))));
    CHECK(xt::all(xt::isfinite(tape.grad(model.layer(1).W))));
}

// ---- tables (--csv): each bad CSV gets one line naming the file, the line and the column; nothing is written.
namespace {
// `text` as table.csv, run with --csv table.csv --target `target` and a short training.
Result run_csv(const Sandbox& s, const std::string& text, std::vector<std::string> extra = {},
               const std::string& target = "y") {
    const fs::path f = s.root / "table.csv";
    spit(f, text);
    std::vector<std::string> args = {"--csv", f.string(), "--target", target, "--out", s.out.string(), "--epochs", "2",
                                     "--no-probes", "--quiet", "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return s.run(args);
}
std::string good_table() {
    std::string t = "a,b,y\n";
    for (int i = 0; i < 30; ++i) t += std::to_string(i) + "," + std::to_string(i % 7) + "," + std::to_string(i + 2 * (i % 7)) + "\n";
    return t;
}
}  // namespace

TEST_CASE("a valid CSV trains and writes the model, the features table and metrics.json with r2") {
    Sandbox s;
    const Result r = run_csv(s, good_table(), {"--task", "regression"});
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(fs::exists(s.out / "model" / "model.json"));
    CHECK(slurp(s.out / "sensitivity" / "features.csv").rfind("feature,mean_abs,mean_abs_row_bootstrap_one_fit_lo,mean_abs_row_bootstrap_one_fit_hi,mean,", 0) == 0);
    CHECK(slurp(s.out / "metrics.json").find("\"r2\"") != std::string::npos);
}

TEST_CASE("--task that contradicts the table model given with --model is refused, not ignored") {
    Sandbox s;
    REQUIRE(run_csv(s, good_table(), {"--task", "regression"}).code == 0);
    const fs::path model = s.root / "table-model";
    fs::rename(s.out / "model", model);
    s.before = Sandbox::listing(s.out);
    expect_failure(s, run_csv(s, good_table(), {"--model", model.string(), "--task", "classification"}), 2,
                   {"--task classification: the model in " + model.string() + " does regression"});
}

TEST_CASE("--attribution-target and --group-threshold: bad values, a regression target, and no --csv are refused") {
    Sandbox s;
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--group-threshold", "0"}), 2,
                   {"--group-threshold must be a number in (0, 1], got 0"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--group-threshold", "1.5"}), 2,
                   {"--group-threshold must be a number in (0, 1], got 1.5"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "classification", "--attribution-target", "odds"}), 2,
                   {"--attribution-target: odds not in {logodds,prob}"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--attribution-target", "prob"}), 2,
                   {"--attribution-target prob: 'y' is a regression target; its sensitivity is that of y itself"});
    expect_failure(s, s.run({"--group-threshold", "0.9", "--out", s.out.string()}), 2,
                   {"--attribution-target and --group-threshold need --csv FILE"});
}

TEST_CASE("--folds, --patience and --weight-decay: out of range, more folds than the rows allow, and no --csv are refused") {
    Sandbox s;
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--folds", "1"}), 2,
                   {"--folds: Value 1 not in range 2 to 20"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--folds", "21"}), 2,
                   {"--folds: Value 21 not in range 2 to 20"});
    // 30 rows: 8 folds would leave fewer than 4 rows in a fold; refused before any training or output
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--folds", "8"}), 2,
                   {"--folds 8: the table has 30 rows; cross-validation needs at least 4 rows per fold"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--patience", "0"}), 2,
                   {"--patience: Value 0 not in range 1 to 10000"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--weight-decay", "-1"}), 2,
                   {"--weight-decay must be a finite number >= 0, got -1"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--weight-decay", "nan"}), 2,
                   {"--weight-decay must be a finite number >= 0, got nan"});
    expect_failure(s, run_csv(s, good_table(), {"--task", "regression", "--weight-decay", "abc"}), 2,
                   {"Could not convert: --weight-decay = abc"});
    expect_failure(s, s.run({"--folds", "3", "--out", s.out.string()}), 2,
                   {"--weight-decay, --patience and --folds need --csv FILE"});
}

TEST_CASE("bad CSVs: ragged row, non-numeric value, NaN, Inf, empty file, duplicate header") {
    Sandbox s;
    const std::string f = (s.root / "table.csv").string();
    const std::string good = good_table();
    std::string ragged = good;
    ragged.replace(ragged.find("\n3,3,9\n"), 7, "\n3,3\n");
    expect_failure(s, run_csv(s, ragged), 1, {f + ":5:", "row has 2 fields, the header has 3"});
    std::string word = good;
    word.replace(word.find("\n3,3,9\n"), 7, "\n3,abc,9\n");
    expect_failure(s, run_csv(s, word), 1, {f + ":5:", "column 'b' (2)", "'abc' is not a number"});
    for (const char* bad : {"nan", "inf", "-Infinity", "1e999"}) {
        std::string t = good;
        t.replace(t.find("\n3,3,9\n"), 7, std::string("\n") + bad + ",3,9\n");
        const bool too_large = std::string(bad) == "1e999";
        expect_failure(s, run_csv(s, t), 1, {f + ":5:", "column 'a' (1)", too_large ? "too large for a double" : "NaN or infinite"});
    }
    // A numeric target (40 distinct values) with one "NA" is a bad value, not 40 classes.
    std::string na = "a,y\n";
    for (int i = 0; i < 40; ++i) na += std::to_string(i) + "," + (i == 7 ? std::string("NA") : std::to_string(i * 0.37)) + "\n";
    expect_failure(s, run_csv(s, na), 1, {f + ":9:", "'NA' is not a number", "otherwise numeric"});
    expect_failure(s, run_csv(s, ""), 1, {f, "empty file"});
    expect_failure(s, run_csv(s, "\n\n"), 1, {f, "empty file"});
    expect_failure(s, run_csv(s, "a,b,y\n"), 1, {f, "no data rows"});
    expect_failure(s, run_csv(s, "a,a,y\n1,2,3\n"), 1, {f + ":1:", "duplicate header name 'a'"});
    expect_failure(s, run_csv(s, "a,b,y\n1,\"2,3\n"), 1, {f + ":2:", "never closes"});
    expect_failure(s, run_csv(s, "a,b,y\n1,2\"x\",3\n"), 1, {f + ":2:", "quote inside an unquoted field"});
    expect_failure(s, run_csv(s, good, {}, "nope"), 1, {f, "no column 'nope'"});
    expect_failure(s, run_csv(s, good, {"--features", "a,zz"}), 1, {f, "no column 'zz'"});
    expect_failure(s, s.run({"--csv", s.root.string(), "--target", "y", "--out", s.out.string()}), 1,
                   {s.root.string(), "is a directory"});
    expect_failure(s, s.run({"--csv", (s.root / "missing.csv").string(), "--target", "y", "--out", s.out.string()}), 1,
                   {"missing.csv", "cannot open"});
}

TEST_CASE("a CSV with a categorical target trains a classifier and reports test_accuracy") {
    Sandbox s;
    std::string t = "u;v;label\n";
    for (int i = 0; i < 60; ++i) t += std::to_string(i % 10) + ",5;" + std::to_string(i % 7) + ";" + (i % 10 < 5 ? "low" : "high") + "\n";
    const Result r = run_csv(s, t, {}, "label");
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    const std::string metrics = slurp(s.out / "metrics.json");
    CHECK(metrics.find("\"test_accuracy\"") != std::string::npos);
    CHECK(slurp(s.out / "model" / "model.json").find("\"classification\"") != std::string::npos);
}

TEST_CASE("CSV flags without --csv, and --csv without --target, are usage errors") {
    Sandbox s;
    expect_failure(s, s.run({"--target", "y", "--out", s.out.string()}), 2, {"need --csv"});
    expect_failure(s, s.run({"--csv", (s.root / "t.csv").string(), "--out", s.out.string()}), 2, {"--target"});
}

// ---- real tables' bad input (issue 20, item 11): a one-line error naming the file, the column and what to do, or a
// named, counted fallback.

TEST_CASE("a missing feature value is imputed and counted; with --missing drop the row is dropped and counted") {
    Sandbox s;
    std::string t = good_table();
    t.replace(t.find("\n3,3,9\n"), 7, "\n3,,9\n");
    Result r = run_csv(s, t);
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("note: column 'b': 1 missing value imputed with the training median") != std::string::npos);
    CHECK(slurp(s.out / "metrics.json").find("\"b_missing\"") != std::string::npos);
    r = run_csv(s, t, {"--missing", "drop"});
    REQUIRE(r.code == 0);
    CHECK(r.out.find("note: 1 row lacking a feature value dropped (--missing drop)") != std::string::npos);
    CHECK(slurp(s.out / "metrics.json").find("\"b_missing\"") == std::string::npos);
}

TEST_CASE("a column that is entirely missing is left out with a note, and refused when --features names it") {
    Sandbox s;
    const std::string f = (s.root / "table.csv").string();
    std::string t = "a,e,y\n";
    for (int i = 0; i < 30; ++i) t += std::to_string(i) + ",," + std::to_string(2 * i) + "\n";
    const Result r = run_csv(s, t);
    INFO("stderr: " << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("note: column 'e' left out: no value in any row\n") != std::string::npos);
    s.before = Sandbox::listing(s.out);
    expect_failure(s, run_csv(s, t, {"--features", "a,e"}), 1,
                   {f + ": column 'e' (--features) has no value in any of the 30 rows; leave it out of --features\n"});
}

TEST_CASE("a target with one level is refused, naming the file, the column, the level and what to do") {
    Sandbox s;
    const std::string f = (s.root / "table.csv").string();
    std::string t = "a,label\n";
    for (int i = 0; i < 30; ++i) t += std::to_string(i) + "," + (i == 4 ? "" : "x") + "\n";   // one row without a target
    expect_failure(s, run_csv(s, t, {}, "label"), 1,
                   {f + ": target 'label' has only one value ('x' in all 29 rows with a target); nothing to classify: "
                        "pick another --target\n"});
}

TEST_CASE("a category the model never saw, given with --model, is refused with the levels it knows") {
    Sandbox s;
    std::string t = "a,c,y\n";
    for (int i = 0; i < 30; ++i) t += std::to_string(i) + "," + (i % 2 ? "p" : "q") + "," + std::to_string(i + 3 * (i % 2)) + "\n";
    REQUIRE(run_csv(s, t).code == 0);
    const fs::path model = s.root / "table-model";
    fs::rename(s.out / "model", model);
    s.before = Sandbox::listing(s.out);
    const std::string f = (s.root / "table.csv").string();
    std::string unseen = t;
    unseen.replace(unseen.find("\n3,p,6\n"), 7, "\n3,r,6\n");
    expect_failure(s, run_csv(s, unseen, {"--model", model.string()}), 1,
                   {f + ":5: column 'c' (2): 'r' is not one of the 2 levels the model in " + model.string() +
                    " was trained on (p, q); correct it, or empty the field to have it imputed\n"});
    // An empty field is imputed with the training rows' most frequent level, and counted.
    std::string empty = t;
    empty.replace(empty.find("\n3,p,6\n"), 7, "\n3,,6\n");
    const Result r = run_csv(s, empty, {"--model", model.string()});
    INFO("stderr: " << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("note: column 'c': 1 missing value imputed with the most frequent level") != std::string::npos);
}

TEST_CASE("a JSON file that is not an array of flat records names the file, the line, the record and the layout") {
    Sandbox s;
    const fs::path f = s.root / "table.json";
    const auto run_json = [&](const std::string& text) {
        spit(f, text);
        return s.run({"--csv", f.string(), "--target", "y", "--out", s.out.string(), "--epochs", "2", "--no-probes",
                      "--quiet", "--threads", "1"});
    };
    const std::string layout = "a JSON table must be an array of flat records, [{\"column\": value, ...}, ...], as pandas' "
                               "to_json(orient=\"records\") writes";
    expect_failure(s, run_json("{\"a\": [1, 2], \"y\": [3, 4]}"), 1,
                   {f.string() + ": the top level is an object, not an array; " + layout + "\n"});
    expect_failure(s, run_json("[\n  {\"a\": 1, \"y\": 2},\n  {\"a\": {\"b\": 1}, \"y\": 3}\n]"), 1,
                   {f.string() + ":3: record 2, 'a': an object; " + layout + " (numbers, text, true/false or null)\n"});
    expect_failure(s, run_json("[{\"a\": 1, \"y\": 2},\n 5]"), 1,
                   {f.string() + ":2: record 2 is a number, not an object; " + layout + "\n"});
    expect_failure(s, run_json("[{\"a\": 1, \"y\": 2},"), 1, {f.string() + ": not valid JSON ("});
    expect_failure(s, run_json("[]"), 1, {f.string() + ": an empty array, no records\n"});
}

TEST_CASE("mixed numbers and text in one column name the odd field, the counts and what to do") {
    Sandbox s;
    const std::string f = (s.root / "table.csv").string();
    std::string t = good_table();
    t.replace(t.find("\n3,3,9\n"), 7, "\n3,abc,9\n");
    expect_failure(s, run_csv(s, t), 1,
                   {f + ":5: column 'b' (2): 'abc' is not a number, but the column is otherwise numeric (29 numbers, "
                        "1 text value); correct the field (leave it empty if the value is missing), or leave the column out "
                        "(--features, --meta)\n"});
    std::string u = "a,c,y\n";
    for (int i = 0; i < 30; ++i) u += std::to_string(i) + "," + (i == 6 ? "7" : i % 2 ? "p" : "q") + "," + std::to_string(i) + "\n";
    expect_failure(s, run_csv(s, u), 1,
                   {f + ":8: column 'c' (2): '7' is a number, but the column is otherwise text (29 text values, 1 number); "
                        "correct the field (leave it empty if the value is missing), or leave the column out "
                        "(--features, --meta)\n"});
    // Leaving it out is enough.
    const Result r = run_csv(s, t, {"--features", "a"});
    CHECK(r.code == 0);
}

TEST_CASE("a table with more columns than rows is refused before training, suggesting it is transposed") {
    Sandbox s;
    const std::string f = (s.root / "table.csv").string();
    std::string t;
    for (int j = 0; j < 20; ++j) t += "v" + std::to_string(j) + ",";
    t += "y\n";
    for (int i = 0; i < 12; ++i) {
        for (int j = 0; j < 20; ++j) t += std::to_string((i * 7 + j * 3) % 11) + ",";
        t += std::to_string(i * 0.5) + "\n";
    }
    expect_failure(s, run_csv(s, t, {"--task", "regression"}), 1,
                   {f + ": 21 columns but 12 rows: 20 inputs for 10 training rows is too few rows to learn from (is "
                        "the table transposed, one row per variable?); give more rows, or fewer columns with --features\n"});
}

