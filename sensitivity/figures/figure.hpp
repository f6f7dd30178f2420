// sensitivity/figures/figure.hpp — one PNG figure on its own PLplot stream: white page, black ink, checked device, atomic write.
// The common setup under heatmap.cpp and lineplot.cpp; it draws nothing itself. Callers use heatmap.hpp / lineplot.hpp.
#pragma once

#include <string>
#include <vector>

#include "sensitivity/figures/colormap.hpp"

class plstream;  // PLplot's C++ stream (<plstream.h>); only figure.cpp, heatmap.cpp and lineplot.cpp include it

namespace sensitivity::figures {

// A rectangle in PNG pixels, origin at the TOP-LEFT corner, x to the right, y downward; x1, y1 exclusive.
struct PixelRect {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    double width() const { return x1 - x0; }
    double height() const { return y1 - y0; }
};

// Opening a Figure checks that PLplot's "memcairo" device exists, that the directory of `path` is writable,
// and starts a stream that draws into `<path>.tmp-<pid>-<n>` in the same directory.
// finish() ends the stream, checks that PLplot reported no error, and renames the temporary to `path`.
// A Figure destroyed without finish() (an exception while drawing) removes its temporary.
// Errors throw std::runtime_error naming the path: "out/fig.png: cannot write (No such file or directory)".
class Figure {
public:
    Figure(const std::string& path, int width, int height);
    ~Figure();
    Figure(const Figure&) = delete;
    Figure& operator=(const Figure&) = delete;

    plstream& pls();
    int width() const { return width_; }
    int height() const { return height_; }
    const std::string& path() const { return path_; }

    // Make `map` the current continuous colormap (PLplot cmap1) for the images and colour bars drawn next.
    void use_colormap(Colormap map);
    // Give `c` with opacity `alpha` a fresh cmap0 slot, select it as the pen colour and return the slot
    // (legends refer to colours by slot). A figure has 240 slots (16..255); after that they are reused.
    int pen(Rgb c, double alpha = 1.0);
    // Black pen (cmap0 index 1).
    void ink();
    // Text (and tick numbers) `pixels` tall, whatever the page size (PLplot scales its default with the page).
    void text_height(double pixels);
    // Set a text height for `text` of at most `pixels`, smaller (down to 9 px) if its estimated width
    // (DejaVu Sans: about 0.7 of the height per character) would exceed `available` pixels.
    void fit_text(const std::string& text, double pixels, double available);
    // Set the viewport from a pixel rectangle (top-left origin); returns nothing, draws nothing.
    void viewport(const PixelRect& r);
    // Throw if PLplot reported an error since the stream was opened ("<path>: PLplot error: <message>").
    void check() const;
    // End the stream, check for errors and move the finished PNG to path(). Call once.
    void finish();

private:
    std::string path_, tmp_;
    int width_ = 0, height_ = 0;
    int scratch_colour_ = 0;  // next free cmap0 slot for pen()
    double mm_per_pixel_ = 0;  // PLplot sizes text and ticks in mm
    std::vector<unsigned char> pixels_;  // [height, width, RGB] the page PLplot draws on
    plstream* pls_ = nullptr;
    bool finished_ = false;
};

}  // namespace sensitivity::figures
