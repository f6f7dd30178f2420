// datasets/jpeg_file.hpp — decoding a JPEG picture to 8-bit gray with libjpeg-turbo.
// Only JPEG: PNG goes through stb_image in image_file.cpp, which owns the size limits and the MNIST preprocessing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace datasets {

// Why not stb_image for JPEG: Debian's stb_image (v2.27) reads out of bounds on corrupt Huffman data (fixed
// upstream in 2.28; our fuzzer found it, see tests/fuzz/). libjpeg-turbo is fuzzed continuously upstream.
// Decodes `data` into `pixels` (row-major, width x height, 0 = black). The size is checked against
// max_side / max_pixels from the header, before any pixel is decoded. Returns "" on success, else the problem.
std::string decode_jpeg_gray(const std::uint8_t* data, std::size_t size, std::size_t max_side, std::size_t max_pixels,
                             std::size_t& width, std::size_t& height, std::vector<std::uint8_t>& pixels);

}  // namespace datasets
