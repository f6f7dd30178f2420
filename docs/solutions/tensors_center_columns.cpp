// docs/solutions/tensors_center_columns.cpp — chapter 4, exercise 2: subtract each column's mean, avoiding trap 2.
// The [1, N] mean is evaluated into a container first, then broadcast over the rows; every column then sums to 0.
#include <cmath>
#include <cstdio>

#include <xtensor/xreducer.hpp>

#include "nn/ops.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    const Matrix x = {{1, 10, 100}, {2, 20, 300}, {6, 30, 200}, {3, 40, 400}};   // [4, 3]
    const Matrix mean = xt::mean(x, {0}, xt::keep_dims);      // [1, 3], evaluated here
    const Matrix centred = x - mean;                          // [4, 3]: the row broadcast over the 4 rows
    double worst = 0;
    for (std::size_t c = 0; c < 3; ++c) {
        double s = 0;
        for (std::size_t r = 0; r < 4; ++r) s += centred(r, c);
        worst = std::fmax(worst, std::fabs(s));
    }
    std::printf("column means %g %g %g; largest |column sum| after centring %g\n", mean(0, 0), mean(0, 1), mean(0, 2),
                worst);
    return mean.shape(0) == 1 && mean(0, 0) == 3 && mean(0, 1) == 25 && mean(0, 2) == 250 && worst < 1e-12 ? 0 : 1;
}
