// docs/solutions/tensors_gemm_abt.cpp — chapter 4, exercise 1: a·bᵀ with a transpose flag, checked against a loop.
// The backward of matmul needs dy·bᵀ exactly like this; no transposed copy of b is made.
#include <cmath>
#include <cstdio>

#include <xtensor-blas/xblas.hpp>

#include "nn/ops.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    const Matrix a = {{1, 2, 3}, {4, 5, 6}};                  // [2, 3]
    const Matrix b = {{1, 0, -1}, {2, 1, 0}, {0, 3, 1}, {1, 1, 1}};   // [4, 3]
    Matrix c({2, 4});                                         // [2, 4] = [2, 3]·[4, 3]ᵀ
    xt::blas::gemm(a, b, c, false, true);
    double worst = 0;
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 4; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < 3; ++k) s += a(i, k) * b(j, k);
            worst = std::fmax(worst, std::fabs(s - c(i, j)));
        }
    std::printf("a.bT = [[%g %g %g %g] [%g %g %g %g]], max difference from the loop %g\n", c(0, 0), c(0, 1),
                c(0, 2), c(0, 3), c(1, 0), c(1, 1), c(1, 2), c(1, 3), worst);
    return worst == 0 && c(1, 3) == 15 ? 0 : 1;
}
