// datasets/image_file.cpp — decoding a user's picture with stb_image and the MNIST preprocessing (invert, crop, 20x20, centre).
// No model and no figures here; examples/train_and_explain/image_stage.cpp predicts and explains the result.
#include "datasets/image_file.hpp"
#include "datasets/jpeg_file.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include <stb_image.h>

namespace datasets {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
    throw DataError(name + ": " + problem);
}

bool starts_with(const std::uint8_t* data, std::size_t size, const char* magic, std::size_t n) {
    return size >= n && std::equal(data, data + n, reinterpret_cast<const std::uint8_t*>(magic));
}

// Debian's stb_image (v2.27) grows its IDAT buffer to a PNG chunk's declared length before reading the chunk, so a
// 131-byte file whose chunk claims 2 GB makes it allocate 2 GB (found by tests/fuzz/fuzz_image.cpp). A chunk (length,
// type, data, CRC) whose data runs past the end of the file is truncated or corrupt, and stb refuses it after the allocation
// anyway, so the chunks are walked up to IEND (where stb stops reading) and such a file is refused first.
// Returns an empty string if every chunk fits in the file, else the problem.
std::string check_png_chunks(const std::uint8_t* d, std::size_t size) {
    for (std::size_t p = 8; p + 8 <= size;) {  // after the 8-byte signature
        const std::size_t length = std::size_t(d[p]) << 24 | std::size_t(d[p + 1]) << 16 | std::size_t(d[p + 2]) << 8 | d[p + 3];
        std::string type(reinterpret_cast<const char*>(d + p + 4), 4);
        for (char& c : type)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '?';  // the message stays one printable line
        if (length > size - p - 8)
            return "corrupt PNG: chunk '" + type + "' at byte " + std::to_string(p) + " declares " + std::to_string(length) +
                   " bytes, past the end of the file (" + std::to_string(size) + " bytes)";
        if (type == "IEND") break;
        p += 12 + length;
    }
    return "";
}

// Weights of source pixels [0, n_in) for each of n_out output pixels when n_in is scaled to n_out: output pixel o
// covers source interval [o·n_in/n_out, (o+1)·n_in/n_out), each source pixel weighted by its overlap (area averaging).
struct Tap {
    std::size_t src;
    double weight;
};
std::vector<std::vector<Tap>> area_taps(std::size_t n_in, std::size_t n_out) {
    std::vector<std::vector<Tap>> taps(n_out);
    const double step = static_cast<double>(n_in) / static_cast<double>(n_out);
    for (std::size_t o = 0; o < n_out; ++o) {
        const double lo = static_cast<double>(o) * step, hi = lo + step;
        const auto first = static_cast<std::size_t>(std::floor(lo));
        for (std::size_t s = first; s < n_in && static_cast<double>(s) < hi; ++s) {
            const double overlap = std::min(hi, static_cast<double>(s + 1)) - std::max(lo, static_cast<double>(s));
            if (overlap > 0) taps[o].push_back({s, overlap / step});
        }
    }
    return taps;
}

// Area-averaging resize of src [h, w] to [out_h, out_w], separable: rows first, then columns.
xt::xtensor<float, 2> resize_area(const xt::xtensor<float, 2>& src, std::size_t out_h, std::size_t out_w) {
    const std::size_t h = src.shape(0), w = src.shape(1);
    const auto col_taps = area_taps(w, out_w), row_taps = area_taps(h, out_h);
    xt::xtensor<float, 2> wide({h, out_w}, 0.0f);  // [h, out_w]
    for (std::size_t r = 0; r < h; ++r)
        for (std::size_t o = 0; o < out_w; ++o) {
            double v = 0;
            for (const Tap& t : col_taps[o]) v += t.weight * src(r, t.src);
            wide(r, o) = static_cast<float>(v);
        }
    xt::xtensor<float, 2> out({out_h, out_w}, 0.0f);  // [out_h, out_w]
    for (std::size_t o = 0; o < out_h; ++o)
        for (const Tap& t : row_taps[o])
            for (std::size_t c = 0; c < out_w; ++c) out(o, c) += static_cast<float>(t.weight * wide(t.src, c));
    return out;
}

}  // namespace

GrayImage decode_image(const std::uint8_t* data, std::size_t size, const std::string& name, std::size_t max_side,
                       std::size_t max_pixels) {
    max_side = std::min(max_side, max_image_side);
    max_pixels = std::min(max_pixels, max_image_pixels);
    if (size == 0) fail(name, "file is empty (0 bytes), not an image");
    if (size > static_cast<std::size_t>(INT_MAX)) fail(name, "file is over 2 GB, too large for an image");
    // Only the two formats users send; the other stb decoders (GIF, PSD, PIC...) are not exposed to user files.
    const bool png = starts_with(data, size, "\x89PNG\r\n\x1a\n", 8);
    const bool jpeg = starts_with(data, size, "\xff\xd8\xff", 3);
    if (!png && !jpeg) fail(name, "not a PNG or JPEG image (unknown file signature)");
    if (png)
        if (const std::string problem = check_png_chunks(data, size); !problem.empty()) fail(name, problem);

    const auto too_large = [&](std::size_t w, std::size_t h) {
        fail(name, "image is " + std::to_string(w) + "x" + std::to_string(h) + " pixels, over the limit of " +
                       std::to_string(max_side) + "x" + std::to_string(max_side) + "; scale it down first");
    };
    if (jpeg) {  // libjpeg-turbo, not stb_image: see datasets/jpeg_file.hpp
        GrayImage img;
        const std::string problem =
            decode_jpeg_gray(data, size, max_side, max_pixels, img.width, img.height, img.pixels);
        if (problem == "too large") too_large(img.width, img.height);
        if (!problem.empty()) fail(name, problem);
        return img;
    }

    // The PNG header's own size first: stb refuses 0x0 and some huge sizes as "unknown image type", which says less.
    if (size >= 24 && starts_with(data + 12, size - 12, "IHDR", 4)) {
        const auto be32 = [&](std::size_t k) {
            return std::size_t(data[k]) << 24 | std::size_t(data[k + 1]) << 16 | std::size_t(data[k + 2]) << 8 | data[k + 3];
        };
        const std::size_t hw = be32(16), hh = be32(20);
        if (hw == 0 || hh == 0) fail(name, "image is zero-sized (" + std::to_string(hw) + "x" + std::to_string(hh) + ")");
        if (hw > max_side || hh > max_side || hw * hh > max_pixels) too_large(hw, hh);
    }

    const int len = static_cast<int>(size);
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(data, len, &w, &h, &channels))
        fail(name, std::string("not a readable image (") + stbi_failure_reason() + ")");
    if (w <= 0 || h <= 0) fail(name, "image is zero-sized (" + std::to_string(w) + "x" + std::to_string(h) + ")");
    const auto uw = static_cast<std::size_t>(w), uh = static_cast<std::size_t>(h);
    if (uw > max_side || uh > max_side || uw * uh > max_pixels) too_large(uw, uh);

    // Gray + alpha, so a digit drawn on a transparent canvas is composited over white paper.
    int dw = 0, dh = 0, dc = 0;
    std::unique_ptr<stbi_uc, void (*)(void*)> px(stbi_load_from_memory(data, len, &dw, &dh, &dc, 2), stbi_image_free);
    if (!px) fail(name, std::string("cannot decode the image (") + stbi_failure_reason() + ")");
    if (dw != w || dh != h) fail(name, "image size changed between header and decoding");

    GrayImage img;
    img.width = uw;
    img.height = uh;
    img.pixels.resize(uw * uh);
    for (std::size_t i = 0; i < img.pixels.size(); ++i) {
        const unsigned g = px.get()[2 * i], a = px.get()[2 * i + 1];
        img.pixels[i] = static_cast<std::uint8_t>((g * a + 255u * (255u - a) + 127u) / 255u);  // over white
    }
    return img;
}

GrayImage read_image(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not an image file");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot be opened for reading (missing, or no permission)");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) fail(path, "cannot be read (not a regular file?)");
    // A PNG/JPEG of the largest allowed size stays far below this; a bigger file is refused before reading it.
    if (static_cast<std::size_t>(size) > (std::size_t(256) << 20)) fail(path, "file is over 256 MB, too large for an image");
    in.seekg(0);
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), size);
    if (!in) fail(path, "read error");
    return decode_image(bytes.data(), bytes.size(), path);
}

std::pair<double, double> centre_of_mass(const xt::xtensor<float, 2>& image) {
    double mass = 0, r_sum = 0, c_sum = 0;
    for (std::size_t r = 0; r < image.shape(0); ++r)
        for (std::size_t c = 0; c < image.shape(1); ++c) {
            const double v = image(r, c);
            mass += v;
            r_sum += v * (static_cast<double>(r) + 0.5);  // pixel centres at r + 0.5
            c_sum += v * (static_cast<double>(c) + 0.5);
        }
    if (!(mass > 0)) throw std::invalid_argument("centre_of_mass: the image has no mass (all zero)");
    return {r_sum / mass, c_sum / mass};
}

xt::xtensor<float, 2> mnist_preprocess(const GrayImage& image, const std::string& name) {
    const std::size_t h = image.height, w = image.width;
    if (h == 0 || w == 0 || image.pixels.size() != h * w) fail(name, "image is zero-sized or its pixel count is wrong");

    // 1. gray in [0, 1], inverted if the border (the background) is light.
    xt::xtensor<float, 2> g({h, w});  // [h, w]
    for (std::size_t i = 0; i < h * w; ++i) g.data()[i] = static_cast<float>(image.pixels[i] / 255.0);
    double border = 0;
    std::size_t n_border = 0;
    for (std::size_t r = 0; r < h; ++r)
        for (std::size_t c = 0; c < w; ++c)
            if (r == 0 || c == 0 || r + 1 == h || c + 1 == w) {
                border += g(r, c);
                ++n_border;
            }
    border /= static_cast<double>(n_border);
    if (border > 0.5) {
        for (float& v : g) v = 1.0f - v;
        border = 1.0 - border;
    }

    // 2. remove the background level and stretch the ink to [0, 1].
    const double top = *std::max_element(g.begin(), g.end());
    if (top - border < kMinInkContrast)
        fail(name, "no ink found: the picture is blank (a digit must be darker or lighter than its background)");
    for (float& v : g) v = static_cast<float>(std::clamp((v - border) / (top - border), 0.0, 1.0));

    // 3. bounding box of the ink.
    std::size_t r0 = h, r1 = 0, c0 = w, c1 = 0;
    for (std::size_t r = 0; r < h; ++r)
        for (std::size_t c = 0; c < w; ++c)
            if (g(r, c) > kInkThreshold) {
                r0 = std::min(r0, r), r1 = std::max(r1, r);
                c0 = std::min(c0, c), c1 = std::max(c1, c);
            }
    // The brightest pixel is 1 > kInkThreshold, so the box is never empty here.
    const std::size_t bh = r1 - r0 + 1, bw = c1 - c0 + 1;
    xt::xtensor<float, 2> crop({bh, bw});  // [bh, bw]
    for (std::size_t r = 0; r < bh; ++r)
        for (std::size_t c = 0; c < bw; ++c) crop(r, c) = g(r0 + r, c0 + c);

    // 4. longer side -> 20 pixels, aspect kept, area averaging.
    const double scale = 20.0 / static_cast<double>(std::max(bh, bw));
    const auto sh = std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(bh * scale)), 1, 20);
    const auto sw = std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(bw * scale)), 1, 20);
    const xt::xtensor<float, 2> small = resize_area(crop, sh, sw);  // [sh, sw]

    // 5. paste so the centre of mass lands on MNIST's (14.5, 14.5) in pixel-edge coordinates, the box inside the frame.
    const auto [cr, cc] = centre_of_mass(small);
    const auto place = [](double com, std::size_t side) {
        const long offset = std::lround(kMnistCentre - com);
        return static_cast<std::size_t>(std::clamp(offset, 0L, static_cast<long>(28 - side)));
    };
    const std::size_t top_row = place(cr, sh), left_col = place(cc, sw);
    xt::xtensor<float, 2> out({28, 28}, 0.0f);  // [28, 28]
    for (std::size_t r = 0; r < sh; ++r)
        for (std::size_t c = 0; c < sw; ++c) out(top_row + r, left_col + c) = std::clamp(small(r, c), 0.0f, 1.0f);
    return out;
}

}  // namespace datasets
