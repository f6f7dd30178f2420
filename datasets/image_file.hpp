// datasets/image_file.hpp — a user's own picture of a digit (PNG via stb_image, JPEG via libjpeg-turbo) turned into an MNIST-like 28x28 input.
// Reading and the MNIST preprocessing only; predicting and explaining the picture is examples/train_and_explain/image_stage.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "datasets/idx.hpp"  // DataError

namespace datasets {

// Bounds checked on the header (stbi_info) BEFORE anything is decoded, so a tiny file that claims to be
// 60000x60000 pixels cannot make us allocate gigabytes.
constexpr std::size_t max_image_side = 8192;                       // width and height
constexpr std::size_t max_image_pixels = std::size_t(64) << 20;    // 64 Mi pixels (64 MB as 8-bit gray)

// A decoded picture as 8-bit gray, row-major, row 0 at the top. Transparent pixels are composited over white.
struct GrayImage {
    std::size_t width = 0, height = 0;
    std::vector<std::uint8_t> pixels;   // height * width
};

// Decodes a PNG (stb_image) or JPEG (libjpeg-turbo, see jpeg_file.hpp) held in memory; other formats are refused.
// `name` only goes into error messages. Throws DataError naming `name` for anything that is not a readable
// image, a zero-sized one, or one over the bounds above (or the tighter `max_side` / `max_pixels` a caller passes, e.g.
// the explorer's server, examples/train_and_explain/serve_request.hpp). This is the fuzzing entry point.
GrayImage decode_image(const std::uint8_t* data, std::size_t size, const std::string& name,
                       std::size_t max_side = max_image_side, std::size_t max_pixels = max_image_pixels);

// Reads the file at `path` and decodes it with decode_image.
GrayImage read_image(const std::string& path);

// The MNIST preprocessing of a picture, returned as [28, 28] floats in [0, 1] (ink = 1, like byte/255 in MNIST):
//  1. gray in [0, 1]; if the mean of the border pixels (the outermost row and column on each side) is above 0.5 the
//     background is light, so the image is inverted (dark ink on paper -> light ink on black, as in MNIST);
//  2. the background level (the border mean after inversion) is subtracted and the contrast stretched to [0, 1];
//     if the brightest pixel is less than kMinInkContrast = 0.1 above that level there is no ink -> DataError;
//  3. crop to the bounding box of the pixels brighter than kInkThreshold = 0.25 (after the stretch);
//  4. scale the crop so its longer side is 20 pixels, keeping the aspect ratio, by area averaging (each output pixel
//     is the mean of the source area it covers, with fractional weights at the edges: it anti-aliases when shrinking
//     and does not lose thin strokes);
//  5. paste it into a black 28x28 image so that its centre of mass lands where MNIST's digits have theirs, rounded to
//     a whole pixel, keeping the 20x20 box inside the frame: (14.5, 14.5) in the pixel-edge coordinates of
//     centre_of_mass below, which is (14.0, 14.0) in pixel-index coordinates (the measured mean over MNIST's test
//     set, docs/13-probes.md), half a pixel off the frame's geometric centre.
constexpr double kInkThreshold = 0.25;
constexpr double kMinInkContrast = 0.1;
constexpr double kMnistCentre = 14.5;   // step 5: where MNIST's centre of mass sits, in pixel-edge coordinates
xt::xtensor<float, 2> mnist_preprocess(const GrayImage& image, const std::string& name);

// The centre of mass (row, col) of a non-negative image in pixel-edge coordinates (pixel (0, 0) spans [0, 1)), so
// the centre of a 28x28 frame is (14, 14). Throws std::invalid_argument for an all-zero image.
std::pair<double, double> centre_of_mass(const xt::xtensor<float, 2>& image);

}  // namespace datasets
