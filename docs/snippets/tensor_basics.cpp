// docs/snippets/tensor_basics.cpp — chapter 4: the one value type, gemm with transpose flags, the pitfalls, bytes -> floats.
// Shows correct results and checks them against plain loops; it times nothing.
#include <cmath>
#include <cstdio>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#include <xtensor-blas/xblas.hpp>

#include "datasets/dataset.hpp"
#include "nn/ops.hpp"

using Matrix = nn::Tensor<float>;

int main() {
    int failures = 0;
    const auto check = [&](const char* what, bool ok) {
        std::printf("%-46s %s\n", what, ok ? "ok" : "WRONG");
        failures += !ok;
    };

    // 1. A batch of 2 rows with 3 columns. Row-major: row 0 comes first in memory.
    Matrix x = {{1, 2, 3}, {4, 5, 6}};                                // [2, 3]
    check("x is [2, 3] and x.data()[3] is x(1, 0)", x.shape(0) == 2 && x.shape(1) == 3 && x.data()[3] == 4);

    // 2. A view is a window into x, not a copy: writing through it changes x.
    auto row1 = xt::view(x, 1, xt::all());                            // [3], shares x's memory
    row1(2) = 60;
    check("writing through a view changes x(1, 2)", x(1, 2) == 60);
    x(1, 2) = 6;

    // 3. aᵀ·b with a transpose flag: gemm reads a as if transposed, no transposed copy is made.
    Matrix a = {{1, 2}, {3, 4}, {5, 6}};                              // [3, 2]
    Matrix b = {{1, 0, 2, 1}, {0, 1, 1, 1}, {1, 1, 0, 1}};            // [3, 4]
    Matrix c({2, 4});                                                 // [2, 4]
    xt::blas::gemm(a, b, c, true, false);                             // c = aᵀ·b: [3, 2]ᵀ·[3, 4]
    float worst = 0;
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 4; ++j) {
            float s = 0;
            for (std::size_t k = 0; k < 3; ++k) s += a(k, i) * b(k, j);
            worst = std::fmax(worst, std::fabs(s - c(i, j)));
        }
    check("gemm(a, b, c, true, false) equals the loop", worst == 0);
    std::printf("aT.b = [[%g %g %g %g] [%g %g %g %g]]\n", c(0, 0), c(0, 1), c(0, 2), c(0, 3), c(1, 0), c(1, 1),
                c(1, 2), c(1, 3));

    // 4. Row means subtracted: evaluate the reduction into a container first, then broadcast it.
    Matrix mean = xt::mean(x, {1}, xt::keep_dims);                    // [2, 1], evaluated here
    Matrix centred = x - mean;                                        // [2, 3]: [2, 1] broadcast over columns
    check("x minus its row means has rows summing to 0",
          centred(0, 0) + centred(0, 1) + centred(0, 2) == 0 && centred(1, 0) + centred(1, 1) + centred(1, 2) == 0);

    // 5. Assigning to a container resizes it silently: no error, just a new shape.
    Matrix y({2, 2});                                                 // [2, 2]
    y = xt::ones<float>({3, 5});                                      // now [3, 5]
    check("y = ones({3, 5}) made y [3, 5] without a word", y.shape(0) == 3 && y.shape(1) == 5);

    // 6. Bytes to a float batch: pixel = byte / 255, rows picked by index.
    datasets::Dataset d;
    d.rows = 1;
    d.cols = 3;
    d.images = {{0, 51, 255}, {255, 102, 0}};                         // [2 images, 3 pixels], uint8
    d.labels = {7, 1};
    const std::size_t pick[] = {1, 0};
    Matrix batch;                                                     // shaped [2, 3] by batch()
    d.batch(pick, 2, batch);
    check("batch() gives byte/255 in the picked order", batch(0, 0) == 1.0f && batch(0, 1) == 0.4f &&
                                                            batch(1, 1) == 0.2f && batch(1, 2) == 1.0f);
    return failures;
}
