// datasets/jpeg_file.cpp — libjpeg-turbo behind one function: header, size check, gray scanlines, errors as text.
// libjpeg reports errors through a callback that must not return; we longjmp back and turn it into a string.
#include "datasets/jpeg_file.hpp"

#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>

namespace datasets {

namespace {

struct ErrorManager {
    jpeg_error_mgr mgr;               // first member: libjpeg sees only this part
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr cinfo) {
    auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, err->message);
    std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr, int) {}  // warnings ("premature end of data" etc.) are not printed

// A small progressive JPEG can declare thousands of scans, each a pass over the whole image: a few KB costing
// minutes of CPU. Real pictures have about ten; libjpeg-turbo's documentation suggests a limit like this one.
constexpr int kMaxScans = 500;
void on_progress(j_common_ptr cinfo) {
    auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (cinfo->is_decompressor && d->input_scan_number > kMaxScans) {
        auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
        std::snprintf(err->message, sizeof err->message, "more than %d scans", kMaxScans);
        std::longjmp(err->jump, 1);
    }
}

// Everything between setjmp and the last libjpeg call lives here, with only trivially destructible locals,
// so a longjmp out of libjpeg skips no destructor. `pixels` belongs to the caller.
bool decode(jpeg_decompress_struct& cinfo, ErrorManager& err, const std::uint8_t* data, std::size_t size,
            std::size_t max_side, std::size_t max_pixels, std::size_t& width, std::size_t& height,
            std::vector<std::uint8_t>& pixels, const char*& problem) {
    if (setjmp(err.jump)) {
        problem = err.message;
        return false;
    }
    jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
    jpeg_read_header(&cinfo, TRUE);
    width = cinfo.image_width;
    height = cinfo.image_height;
    if (width == 0 || height == 0) {
        problem = "zero-sized";
        return false;
    }
    if (width > max_side || height > max_side || width * height > max_pixels) {
        problem = "too large";
        return false;
    }
    cinfo.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    pixels.assign(width * height, 0);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels.data() + static_cast<std::size_t>(cinfo.output_scanline) * width;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    return true;
}

}  // namespace

std::string decode_jpeg_gray(const std::uint8_t* data, std::size_t size, std::size_t max_side, std::size_t max_pixels,
                             std::size_t& width, std::size_t& height, std::vector<std::uint8_t>& pixels) {
    jpeg_decompress_struct cinfo;
    ErrorManager err;
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = on_error;
    err.mgr.emit_message = on_message;
    jpeg_create_decompress(&cinfo);
    jpeg_progress_mgr progress{};
    progress.progress_monitor = on_progress;
    cinfo.progress = &progress;
    width = height = 0;
    const char* problem = nullptr;
    const bool ok = decode(cinfo, err, data, size, max_side, max_pixels, width, height, pixels, problem);
    jpeg_destroy_decompress(&cinfo);
    if (ok) return "";
    const std::string p = problem;
    if (p == "zero-sized") return "image is zero-sized (" + std::to_string(width) + "x" + std::to_string(height) + ")";
    if (p == "too large") return "too large";
    return "corrupt JPEG (" + p + ")";
}

}  // namespace datasets
