// sensitivity/figures/figure.cpp — the PLplot stream behind every figure: device check, white page, error capture, the PNG
// file (written here with libpng, fast settings) and its atomic rename. PLplot reports most errors by printing and carrying
// on (a blank figure); here they are collected and turned into exceptions.
#include "sensitivity/figures/figure.hpp"

#include <plplot.h>
#include <plstream.h>
#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace sensitivity::figures {

namespace {

// PLplot keeps one global "current stream", so figures are drawn one at a time, whatever the thread.
std::mutex g_plplot;
// Messages PLplot passed to its abort handler while the current figure was open.
std::string g_errors;

void on_plplot_error(PLCHAR_VECTOR message) {
    if (!g_errors.empty()) g_errors += "; ";
    g_errors += message ? message : "unknown error";
}

// plinit() with an unknown device prints a menu, reads stdin and exits the process: check first.
bool has_memcairo() {
    static const bool found = [] {
        int n = 128;
        std::vector<PLCHAR_VECTOR> menu(n), names(n);
        PLCHAR_VECTOR* menu_ptr = menu.data();  // plgDevs fills caller-owned arrays of capacity n
        PLCHAR_VECTOR* names_ptr = names.data();
        plgDevs(&menu_ptr, &names_ptr, &n);
        for (int i = 0; i < n; ++i)
            if (names[i] && std::strcmp(names[i], "memcairo") == 0) return true;
        return false;
    }();
    return found;
}

std::string temporary_name(const std::string& path) {
    static int counter = 0;
    return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// The RGB pixels [height, width, 3] as an 8-bit RGB PNG file. Figures are mostly flat colour, so the fastest zlib level
// with the "up" filter (each row minus the one above: a white page becomes zeros) gives files about 15% larger than
// cairo's own PNG writer (zlib level 6, adaptive filters) for much less CPU (docs/appendix-a-performance.md, chapter 15).
void write_png(const std::string& file, const std::string& shown, const std::vector<unsigned char>& rgb, int width, int height) {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    if (!f) throw std::runtime_error(shown + ": cannot write (" + std::strerror(errno) + ")");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info || setjmp(png_jmpbuf(png))) {            // libpng reports an error by longjmp to here
        png_destroy_write_struct(&png, info ? &info : nullptr);
        std::fclose(f);
        throw std::runtime_error(shown + ": libpng could not write the figure (disk full?)");
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 1);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y)
        png_write_row(png, rgb.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(width) * 3);
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    if (std::fclose(f) != 0) throw std::runtime_error(shown + ": cannot write (" + std::strerror(errno) + ")");
}

}  // namespace

Figure::Figure(const std::string& path, int width, int height)
    : path_(path), tmp_(temporary_name(path)), width_(width), height_(height) {
    if (width < 16 || height < 16 || width > 20000 || height > 20000)
        throw std::invalid_argument(path + ": figure size " + std::to_string(width) + "x" +
                                    std::to_string(height) + " is outside 16..20000 pixels");
    if (!has_memcairo())
        throw std::runtime_error(path + ": PLplot has no \"memcairo\" device (install plplot-driver-cairo)");
    // PLplot exits the process when it cannot open its output file, so prove the file can be created first.
    const int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
    ::close(fd);

    g_plplot.lock();
    g_errors.clear();
    plsabort(on_plplot_error);
    pls_ = new plstream();
    pls_->sdev("memcairo");                          // cairo draws into pixels_; write_png() makes the file
    pixels_.assign(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3, 255);   // a white page
    pls_->smem(width, height, pixels_.data());
    pls_->spage(0, 0, width, height, 0, 0);
    pls_->scmap0n(256);
    pls_->scolbg(255, 255, 255);  // PLplot's default page is black
    pls_->scol0(1, 0, 0, 0);      // and its default ink (cmap0 1) is red
    pls_->scmap1n(256);
    pls_->init();
    pls_->adv(0);                 // the one page of this figure; vpor() needs it
    pls_->col0(1);
    PLFLT x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    pls_->gspa(x0, x1, y0, y1);  // the page in mm
    mm_per_pixel_ = (x1 - x0) / width_;
    text_height(13);
    pls_->smaj(5 * mm_per_pixel_, 1.0);
    pls_->smin(3 * mm_per_pixel_, 1.0);
}

Figure::~Figure() {
    delete pls_;  // plend1: finishes the stream (writes the temporary)
    if (!finished_) std::remove(tmp_.c_str());
    g_plplot.unlock();
}

plstream& Figure::pls() { return *pls_; }

void Figure::use_colormap(Colormap map) {
    const ColormapAnchors a = colormap_anchors(map);
    std::vector<PLFLT> pos(a.position, a.position + a.count), r(a.count), g(a.count), b(a.count);
    for (std::size_t i = 0; i < a.count; ++i) {
        r[i] = a.colour[i].r / 255.0;
        g[i] = a.colour[i].g / 255.0;
        b[i] = a.colour[i].b / 255.0;
    }
    pls_->scmap1l(true, static_cast<PLINT>(a.count), pos.data(), r.data(), g.data(), b.data());
}

int Figure::pen(Rgb c, double alpha) {
    if (scratch_colour_ < 16 || scratch_colour_ > 255) scratch_colour_ = 16;
    const int slot = scratch_colour_++;
    pls_->scol0a(slot, c.r, c.g, c.b, alpha);
    pls_->col0(slot);
    return slot;
}

void Figure::ink() { pls_->col0(1); }

void Figure::text_height(double pixels) { pls_->schr(pixels * mm_per_pixel_, 1.0); }

void Figure::fit_text(const std::string& text, double pixels, double available) {
    std::size_t chars = 0;  // UTF-8 code points: every byte that does not continue a sequence
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    const double width = 0.7 * pixels * static_cast<double>(chars);
    text_height(width > available ? std::max(9.0, available / (0.7 * static_cast<double>(chars))) : pixels);
}

void Figure::viewport(const PixelRect& r) {
    pls_->vpor(r.x0 / width_, r.x1 / width_, 1.0 - r.y1 / height_, 1.0 - r.y0 / height_);
}

void Figure::check() const {
    if (!g_errors.empty()) throw std::runtime_error(path_ + ": PLplot error: " + g_errors);
}

void Figure::finish() {
    delete pls_;                                     // plend1: memcairo copies the drawing into pixels_
    pls_ = nullptr;
    check();
    write_png(tmp_, path_, pixels_, width_, height_);
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
        throw std::runtime_error(path_ + ": cannot rename the finished figure into place (" +
                                 std::strerror(errno) + ")");
    finished_ = true;
}

}  // namespace sensitivity::figures
