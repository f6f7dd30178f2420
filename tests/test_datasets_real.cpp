// tests/test_datasets_real.cpp — real MNIST (raw IDX) and Fashion-MNIST (.gz) against their published facts.
// Suite slow: needs ./setup's data/mnist and the dataset-fashion-mnist package. Generated files: test_datasets.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <string>

#include <xtensor/xmath.hpp>

#include "datasets/dataset.hpp"

namespace {

// NNSENSE_DATA is set by meson to <source>/data, so the test runs from any directory.
std::string data_dir() {
    const char* dir = std::getenv("NNSENSE_DATA");
    return dir ? dir : "data";
}

std::array<std::size_t, 10> label_counts(const datasets::Dataset& d) {
    std::array<std::size_t, 10> counts{};
    for (std::uint8_t label : d.labels) ++counts.at(label);
    return counts;
}

// Mean of all pixels as byte/255, through to_float in chunks of 10000 examples.
double mean_pixel(const datasets::Dataset& d) {
    double sum = 0;
    for (std::size_t begin = 0; begin < d.size(); begin += 10000) {
        const xt::xtensor<float, 2> x = d.to_float<float>(begin, std::min<std::size_t>(10000, d.size() - begin));
        sum += xt::sum<double>(x)();
    }
    return sum / static_cast<double>(d.size() * d.pixels());
}

}  // namespace

TEST_CASE("real MNIST: 60000 + 10000 images of 28x28 with the published label counts and pixel mean") {
    const datasets::Split s = datasets::load_mnist(data_dir() + "/mnist");
    CHECK(s.train.size() == 60000);
    CHECK(s.test.size() == 10000);
    CHECK(s.train.labels.size() == 60000);
    CHECK(s.test.labels.size() == 10000);
    CHECK(s.train.rows == 28);
    CHECK(s.train.cols == 28);
    CHECK(s.train.images.shape(1) == 784);
    // Per-digit counts as published with MNIST (sum 60000 and 10000); the first labels are 5 and 7.
    CHECK(label_counts(s.train) ==
          std::array<std::size_t, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
    CHECK(label_counts(s.test) == std::array<std::size_t, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
    CHECK(s.train.labels[0] == 5);
    CHECK(s.test.labels[0] == 7);
    // The usual normalisation constant: MNIST train pixels have mean 0.1307.
    CHECK(std::abs(mean_pixel(s.train) - 0.1307) < 1e-4);  // published to 4 decimals
}

TEST_CASE("real Fashion-MNIST (gzipped): 60000 + 10000 images, 6000 and 1000 per class, first item an ankle boot") {
    const datasets::Split s = datasets::load_fashion_mnist();
    CHECK(s.train.size() == 60000);
    CHECK(s.test.size() == 10000);
    CHECK(s.train.rows == 28);
    CHECK(s.train.cols == 28);
    std::array<std::size_t, 10> train{}, test{};
    train.fill(6000);
    test.fill(1000);
    CHECK(label_counts(s.train) == train);
    CHECK(label_counts(s.test) == test);
    CHECK(s.train.class_names[s.train.labels[0]] == "Ankle boot");
    // The usual normalisation constant: Fashion-MNIST train pixels have mean 0.2860.
    CHECK(std::abs(mean_pixel(s.train) - 0.2860) < 1e-4);
}
