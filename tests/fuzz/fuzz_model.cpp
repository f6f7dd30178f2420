// tests/fuzz/fuzz_model.cpp — libFuzzer target: nn::training::load_model with one of its five files replaced by the fuzzed bytes.
// The first input byte picks the file (W1.npy, b1.npy, W2.npy, b2.npy, model.json); the other four stay valid, taken from
// a small 6-4-3 model saved once at start-up, so the fuzzer reaches the cross-checks between the files.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "nn/training/model_io.hpp"

namespace fs = std::filesystem;

namespace {
const char* const kFiles[] = {"W1.npy", "b1.npy", "W2.npy", "b2.npy", "model.json"};

struct Dirs {
    fs::path root, valid, work;
    Dirs() {
        root = fs::temp_directory_path() / ("nnsense-fuzz-model-" + std::to_string(::getpid()));
        valid = root / "valid";
        work = root / "work";
        nn::training::ModelInfo info;
        info.dataset = "fuzz";
        info.rows = 2, info.cols = 3;
        info.class_names = {"a", "b", "c"};
        nn::training::save_model(nn::MLP<float>(6, 4, 3, nn::Activation::Relu, 1), valid.string(), info);
        fs::create_directories(work);
        for (const char* f : kFiles) fs::copy_file(valid / f, work / f, fs::copy_options::overwrite_existing);
    }
    ~Dirs() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    static Dirs& dirs() {
        static Dirs d;
        return d;
    }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const Dirs& d = Dirs::dirs();
    const int which = data[0] % 5;
    {
        std::ofstream out(d.work / kFiles[which], std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
    }
    try {
        nn::training::ModelInfo info;
        const nn::MLP<float> m = nn::training::load_model(d.work.string(), &info);
        if (m.in() != info.in || m.hidden() != info.hidden || m.out() != info.out) __builtin_trap();
    } catch (const std::runtime_error&) {
        // the documented way to reject a damaged model (one line naming the file)
    }
    fs::copy_file(d.valid / kFiles[which], d.work / kFiles[which], fs::copy_options::overwrite_existing);
    return 0;
}
