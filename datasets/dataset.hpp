// datasets/dataset.hpp — a labelled image dataset kept as bytes, and the MNIST / Fashion-MNIST loaders.
// Turns bytes into float batches on demand; knows nothing of models or training (datasets/ never includes nn/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "datasets/idx.hpp"

namespace datasets {

// x = byte / 255, so 0 -> 0 and 255 -> 1 exactly. The one byte -> float conversion of the project.
template <class T>
void bytes_to_unit(const std::uint8_t* src, std::size_t n, T* dst) {
    for (std::size_t j = 0; j < n; ++j) dst[j] = static_cast<T>(src[j]) / T(255);
}

struct Dataset {
    std::string name;                        // e.g. "mnist-train"
    std::vector<std::string> class_names;    // 10 names ("0".."9" for MNIST; "T-shirt/top", "Trouser", ... for Fashion-MNIST)
    std::size_t rows = 28, cols = 28;
    xt::xtensor<std::uint8_t, 2> images;     // [N, rows*cols], bytes as stored (47 MB for MNIST train, not 188 MB of floats)
    std::vector<std::uint8_t> labels;        // [N]

    std::size_t size() const;                // N
    std::size_t pixels() const;              // rows*cols
    // Pixels of examples idx[0..n) as byte/255 in [0, 1] into x, reshaped to [n, pixels] only if its shape
    // differs (buffer reuse). An index >= size() throws std::out_of_range.
    template <class T>
    void batch(const std::size_t* idx, std::size_t n, xt::xtensor<T, 2>& x) const;
    // Same for the contiguous range [begin, begin+count).
    template <class T>
    xt::xtensor<T, 2> to_float(std::size_t begin, std::size_t count) const;
    // Labels of idx[0..n) as ints into out (resized to n).
    void batch_labels(const std::size_t* idx, std::size_t n, std::vector<int>& out) const;
    // The examples [begin, begin+count) as their own Dataset (copies the bytes), named e.g. "mnist-train[0:1000]".
    Dataset slice(std::size_t begin, std::size_t count) const;
};

struct Split {
    Dataset train, test;
};

// Which halves of a split to read: explaining a saved model needs no training set (47 MB of MNIST's 55 MB).
// A half not read is an empty Dataset (0 examples) that still carries its name and the class names.
struct Parts {
    bool train = true;
    bool test = true;
};

// The 4 IDX files of MNIST (train-images-idx3-ubyte, ...), each raw or with a .gz suffix.
Split load_mnist(const std::string& dir = "data/mnist", Parts parts = {});
// The same 4 file names for Fashion-MNIST (Debian package dataset-fashion-mnist ships them gzipped).
Split load_fashion_mnist(const std::string& dir = "/usr/share/datasets/fashion-mnist", Parts parts = {});
// An image file (N x rows x cols) and its label file (N, each < class_names.size()) as one Dataset.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, std::string name,
                      std::vector<std::string> class_names);

extern template void Dataset::batch<float>(const std::size_t*, std::size_t, xt::xtensor<float, 2>&) const;
extern template void Dataset::batch<double>(const std::size_t*, std::size_t, xt::xtensor<double, 2>&) const;
extern template xt::xtensor<float, 2> Dataset::to_float<float>(std::size_t, std::size_t) const;
extern template xt::xtensor<double, 2> Dataset::to_float<double>(std::size_t, std::size_t) const;

}  // namespace datasets
