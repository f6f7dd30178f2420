// docs/solutions/draw_shift_invariance.cpp — chapter 14, exercise 2: where you draw on the pad does not matter,
// because the preprocessing crops to the ink and centres it; the raw 28x28 JSON path has no such luck.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "datasets/image_file.hpp"

// A 280x280 black pad with a white "7" (a bar and a diagonal, 18 px thick) whose top-left corner is at (top, left).
datasets::GrayImage pad_with_seven(int top, int left) {
    datasets::GrayImage img;
    img.width = img.height = 280;
    img.pixels.assign(280 * 280, 0);
    const auto dab = [&](int r, int c) {
        for (int dr = 0; dr < 18; ++dr)
            for (int dc = 0; dc < 18; ++dc)
                if (r + dr >= 0 && r + dr < 280 && c + dc >= 0 && c + dc < 280) img.pixels[(r + dr) * 280 + (c + dc)] = 255;
    };
    for (int c = 0; c < 100; ++c) dab(top, left + c);                 // the bar
    for (int k = 0; k < 120; ++k) dab(top + k, left + 100 - k * 2 / 3); // the stem
    return img;
}

int main() {
    const datasets::GrayImage here = pad_with_seven(30, 40), there = pad_with_seven(110, 130);  // moved 80 down, 90 right
    const xt::xtensor<float, 2> a = datasets::mnist_preprocess(here, "here"), b = datasets::mnist_preprocess(there, "there");
    float pre = 0, raw = 0;
    for (std::size_t i = 0; i < a.size(); ++i) pre = std::max(pre, std::abs(a.data()[i] - b.data()[i]));
    // Without preprocessing (the pad shrunk 10x, as a client sending raw JSON pixels might do), the inputs differ.
    for (std::size_t r = 0; r < 28; ++r)
        for (std::size_t c = 0; c < 28; ++c)
            raw = std::max(raw, std::abs(float(here.pixels[(r * 10 + 5) * 280 + c * 10 + 5]) -
                                         float(there.pixels[(r * 10 + 5) * 280 + c * 10 + 5])) / 255.0f);
    std::printf("max |difference| of the network's inputs: %.3g after preprocessing, %.3g without\n", pre, raw);
    const bool ok = pre == 0.0f && raw == 1.0f;
    std::printf("%s\n", ok ? "OK: the preprocessing makes the position irrelevant" : "NOT OK");
    return ok ? 0 : 1;
}
