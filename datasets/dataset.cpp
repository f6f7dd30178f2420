// datasets/dataset.cpp — pairing an IDX image file with its label file, finding MNIST on disk, and batching.
// The file format and its checks are in datasets/idx.cpp; this file only adds what the bytes mean.
#include "datasets/dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace datasets {
namespace {

// The bytes of example i, after checking i and that images really are [N, rows*cols].
const std::uint8_t* example(const Dataset& d, std::size_t i) {
    if (i >= d.size())
        throw std::out_of_range(d.name + ": example " + std::to_string(i) + " is out of range (" +
                                std::to_string(d.size()) + " examples)");
    if (d.images.shape(1) != d.pixels())
        throw std::logic_error(d.name + ": images have " + std::to_string(d.images.shape(1)) +
                               " bytes per example but rows*cols = " + std::to_string(d.pixels()));
    return d.images.data() + i * d.pixels();
}

void check_range(const Dataset& d, std::size_t begin, std::size_t count) {
    if (begin > d.size() || count > d.size() - begin)
        throw std::out_of_range(d.name + ": examples from " + std::to_string(begin) + " count " +
                                std::to_string(count) + " go past the end (" + std::to_string(d.size()) +
                                " examples)");
}

// dir/base, or dir/base.gz when only that exists; a missing folder or file says how to get the data.
std::string find_idx(const std::string& dir, const std::string& base, const std::string& hint) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const std::string& path : {dir + "/" + base, dir + "/" + base + ".gz"})
        if (fs::symlink_status(path, ec).type() != fs::file_type::not_found) return path;
    throw DataError(dir + ": missing " + base + " (" + hint + ")");
}

// The half `name` of a split: its two files read, or (not wanted) an empty Dataset with the name and class names.
Dataset load_part(bool wanted, const std::string& dir, const std::string& images, const std::string& labels,
                  const std::string& name, const std::vector<std::string>& class_names, const std::string& hint) {
    if (!wanted) {
        Dataset d;
        d.name = name;
        d.class_names = class_names;
        d.images.resize({0, d.pixels()});                                    // [0, rows*cols]
        return d;
    }
    return load_idx_pair(find_idx(dir, images, hint), find_idx(dir, labels, hint), name, class_names);
}

Split load_split(const std::string& dir, const std::string& prefix, const std::vector<std::string>& class_names,
                 const std::string& hint, Parts parts) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(dir, ec);
    if (st.type() == fs::file_type::not_found) throw DataError(dir + ": no such directory (" + hint + ")");
    if (ec) throw DataError(dir + ": cannot open (" + ec.message() + ")");
    if (st.type() != fs::file_type::directory) throw DataError(dir + ": is not a directory (" + hint + ")");
    // Every wanted file is found before any is read, so a missing one fails at once.
    for (const char* base : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"})
        if (parts.train) find_idx(dir, base, hint);
    for (const char* base : {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
        if (parts.test) find_idx(dir, base, hint);
    Split s{load_part(parts.train, dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", prefix + "-train",
                      class_names, hint),
            load_part(parts.test, dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", prefix + "-test",
                      class_names, hint)};
    if (parts.train && parts.test && (s.train.rows != s.test.rows || s.train.cols != s.test.cols))
        throw DataError(dir + ": train images are " + std::to_string(s.train.rows) + "x" +
                        std::to_string(s.train.cols) + " but test images are " + std::to_string(s.test.rows) +
                        "x" + std::to_string(s.test.cols));
    return s;
}

}  // namespace

std::size_t Dataset::size() const { return images.shape(0); }
std::size_t Dataset::pixels() const { return rows * cols; }

template <class T>
void Dataset::batch(const std::size_t* idx, std::size_t n, xt::xtensor<T, 2>& x) const {
    const std::size_t P = pixels();
    if (x.shape(0) != n || x.shape(1) != P) x.resize({n, P});              // [n, pixels]
    for (std::size_t i = 0; i < n; ++i) bytes_to_unit(example(*this, idx[i]), P, x.data() + i * P);
}

template <class T>
xt::xtensor<T, 2> Dataset::to_float(std::size_t begin, std::size_t count) const {
    check_range(*this, begin, count);
    xt::xtensor<T, 2> x({count, pixels()});                                 // [count, pixels]
    if (count > 0) bytes_to_unit(example(*this, begin), count * pixels(), x.data());
    return x;
}

void Dataset::batch_labels(const std::size_t* idx, std::size_t n, std::vector<int>& out) const {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (idx[i] >= labels.size())
            throw std::out_of_range(name + ": label " + std::to_string(idx[i]) + " is out of range (" +
                                    std::to_string(labels.size()) + " labels)");
        out[i] = labels[idx[i]];
    }
}

Dataset Dataset::slice(std::size_t begin, std::size_t count) const {
    check_range(*this, begin, count);
    if (labels.size() != size())
        throw std::logic_error(name + ": " + std::to_string(size()) + " images but " +
                               std::to_string(labels.size()) + " labels");
    Dataset s;
    s.name = name + "[" + std::to_string(begin) + ":" + std::to_string(begin + count) + "]";
    s.class_names = class_names;
    s.rows = rows;
    s.cols = cols;
    s.images.resize({count, pixels()});                                      // [count, pixels]
    if (count > 0) std::copy_n(example(*this, begin), count * pixels(), s.images.data());
    s.labels.assign(labels.begin() + begin, labels.begin() + begin + count);
    return s;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, std::string name,
                      std::vector<std::string> class_names) {
    if (class_names.empty() || class_names.size() > 256)
        throw std::invalid_argument("load_idx_pair: " + std::to_string(class_names.size()) +
                                    " class names given, byte labels need 1 to 256");
    IdxArray im = read_idx(images_path);
    if (im.dims.size() != 3)
        throw DataError(images_path + ": expected an image file (magic 0x00000803, N x rows x cols), got " +
                        std::to_string(im.dims.size()) + " dimensions (" + dims_str(im.dims) + ")");
    const IdxArray lb = read_idx(labels_path);
    if (lb.dims.size() != 1)
        throw DataError(labels_path + ": expected a label file (magic 0x00000801, N), got " +
                        std::to_string(lb.dims.size()) + " dimensions (" + dims_str(lb.dims) + ")");
    if (im.dims[0] != lb.dims[0])
        throw DataError(images_path + " has " + std::to_string(im.dims[0]) + " images but " + labels_path +
                        " has " + std::to_string(lb.dims[0]) + " labels");
    const std::uint8_t* label = lb.items.data();
    for (std::size_t i = 0; i < lb.dims[0]; ++i)
        if (label[i] >= class_names.size())
            throw DataError(labels_path + ": label " + std::to_string(label[i]) + " at index " + std::to_string(i) +
                            " is >= " + std::to_string(class_names.size()) + " classes");
    Dataset d;
    d.name = std::move(name);
    d.class_names = std::move(class_names);
    d.rows = im.dims[1];
    d.cols = im.dims[2];
    d.images = std::move(im.items);                                          // [N, rows*cols], no copy
    d.labels.assign(label, label + lb.dims[0]);
    return d;
}

Split load_mnist(const std::string& dir, Parts parts) {
    return load_split(dir, "mnist", {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
                      "run ./setup to fetch MNIST", parts);
}

Split load_fashion_mnist(const std::string& dir, Parts parts) {
    return load_split(dir, "fashion-mnist",
                      {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                       "Ankle boot"},
                      "run ./setup, which installs the Debian package dataset-fashion-mnist", parts);
}

template void Dataset::batch<float>(const std::size_t*, std::size_t, xt::xtensor<float, 2>&) const;
template void Dataset::batch<double>(const std::size_t*, std::size_t, xt::xtensor<double, 2>&) const;
template xt::xtensor<float, 2> Dataset::to_float<float>(std::size_t, std::size_t) const;
template xt::xtensor<double, 2> Dataset::to_float<double>(std::size_t, std::size_t) const;

}  // namespace datasets
