// examples/train_and_explain/util.hpp — small helpers the stages of train-and-explain share: number formatting, .npy files,
// heat-map panels. Presentation only; the computations are in nn/ and sensitivity/.
#pragma once

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include <xtensor/xnpy.hpp>
#include <xtensor/xview.hpp>

#include "nn/training/atomic_file.hpp"
#include "nn/tensor.hpp"
#include "sensitivity/figures/heatmap.hpp"

namespace app {

// An array as a .npy file, written to a temporary name and renamed into place.
template <class E>
void save_npy(const std::filesystem::path& path, const E& array) {
    nn::training::write_file_atomic(path.string(), xt::dump_npy(array));
}

// `precision` significant digits ("0.000123").
inline std::string fmt(double v, int precision = 3) {
    std::ostringstream s;
    s << std::setprecision(precision) << v;
    return s.str();
}

// `decimals` digits after the point ("98.42").
inline std::string fixed(double v, int decimals) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v;
    return s.str();
}

// Row r of a matrix as doubles (a heat-map panel's values).
inline std::vector<double> row_values(const nn::Tensor<float>& m, std::size_t r) {
    auto row = xt::view(m, r, xt::all());
    return {row.begin(), row.end()};
}

// A heat-map panel with a title, its values (row-major, row 0 at the top) and its kind.
inline sensitivity::figures::ImagePanel panel(std::string title, std::vector<double> values, sensitivity::figures::PanelKind kind) {
    sensitivity::figures::ImagePanel p;
    p.title = std::move(title);
    p.values = std::move(values);
    p.kind = kind;
    return p;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace app
