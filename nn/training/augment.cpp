// nn/training/augment.cpp — rotation + shift of a byte image by inverse mapping and bilinear interpolation.
// No training here: nn/training/train.cpp calls the hook on a copy of each training image.
#include "nn/training/augment.hpp"

#include <cmath>
#include <sstream>
#include <vector>

namespace nn::training {

void rotate_shift(const std::uint8_t* src, std::uint8_t* dst, std::size_t rows, std::size_t cols,
                  double degrees, double dx, double dy) {
    const double a = degrees * 3.14159265358979323846 / 180.0;
    const double ca = std::cos(a), sa = std::sin(a);
    const double cr = (static_cast<double>(rows) - 1) / 2, cc = (static_cast<double>(cols) - 1) / 2;
    auto at = [&](long r, long c) -> double {                          // 0 outside the image
        if (r < 0 || c < 0 || r >= static_cast<long>(rows) || c >= static_cast<long>(cols)) return 0.0;
        return src[static_cast<std::size_t>(r) * cols + static_cast<std::size_t>(c)];
    };
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c) {
            // Output pixel -> undo the shift -> undo the rotation (rows grow downwards, so a
            // counter-clockwise turn on screen is a clockwise one in (x, y) = (col, row)).
            const double x = static_cast<double>(c) - dx - cc, y = static_cast<double>(r) - dy - cr;
            const double sx = ca * x - sa * y + cc;
            const double sy = sa * x + ca * y + cr;
            const double fx = std::floor(sx), fy = std::floor(sy);
            const double tx = sx - fx, ty = sy - fy;
            const long c0 = static_cast<long>(fx), r0 = static_cast<long>(fy);
            const double v = (1 - ty) * ((1 - tx) * at(r0, c0) + tx * at(r0, c0 + 1)) +
                             ty * ((1 - tx) * at(r0 + 1, c0) + tx * at(r0 + 1, c0 + 1));
            dst[r * cols + c] = static_cast<std::uint8_t>(std::lround(std::min(255.0, std::max(0.0, v))));
        }
    }
}

Augment random_rotate_shift(double max_degrees, double max_shift) {
    std::ostringstream name;
    name << "rotate ±" << max_degrees << " deg, shift ±" << max_shift << " px";
    std::vector<std::uint8_t> copy;                                     // reused from image to image
    AugmentFn fn = [max_degrees, max_shift, copy](std::uint8_t* image, std::size_t rows, std::size_t cols,
                                                  std::mt19937_64& rng) mutable {
        std::uniform_real_distribution<double> angle(-max_degrees, max_degrees);
        std::uniform_real_distribution<double> shift(-max_shift, max_shift);
        const double deg = angle(rng), dx = shift(rng), dy = shift(rng);
        copy.assign(image, image + rows * cols);
        rotate_shift(copy.data(), image, rows, cols, deg, dx, dy);
    };
    return Augment{name.str(), std::move(fn)};
}

}  // namespace nn::training
