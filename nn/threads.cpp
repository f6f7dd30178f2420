// nn/threads.cpp — forwards to OpenBLAS's run-time thread control.
// <cblas.h> cannot be included next to xtensor-blas, so the two OpenBLAS extras are declared here.
#include "nn/threads.hpp"

#include <stdexcept>
#include <string>

extern "C" void openblas_set_num_threads(int num_threads);
extern "C" int openblas_get_num_threads(void);

namespace nn {

void set_threads(int n) {
    if (n < 1) throw std::invalid_argument("threads must be >= 1, got " + std::to_string(n));
    openblas_set_num_threads(n);
}

int threads() { return openblas_get_num_threads(); }

}  // namespace nn
