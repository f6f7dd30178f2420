// tests/fuzz/fuzz_image.cpp — libFuzzer target: what --image does with a user's file, from memory:
// datasets::decode_image (stb_image, compiled into this binary from stb_image_impl.cpp) + mnist_preprocess.
// Not the model or the figures (fuzz_model.cpp covers loading a model).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "datasets/image_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const datasets::GrayImage img = datasets::decode_image(data, size, "fuzz.png");
        if (img.pixels.size() != img.width * img.height) __builtin_trap();
        const xt::xtensor<float, 2> x = datasets::mnist_preprocess(img, "fuzz.png");
        // What the model is promised: 28x28 values in [0, 1].
        if (x.shape(0) != 28 || x.shape(1) != 28) __builtin_trap();
        for (float v : x)
            if (!(v >= 0.0f && v <= 1.0f)) __builtin_trap();
    } catch (const datasets::DataError&) {
        // the documented way to reject a file
    }
    return 0;
}
