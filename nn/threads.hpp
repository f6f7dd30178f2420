// nn/threads.hpp — how many threads OpenBLAS uses for the matrix products of training and evaluation.
// Only the BLAS thread count; nnsense runs no threads of its own.
#pragma once

namespace nn {

// Same effect as OPENBLAS_NUM_THREADS=n, at run time. n must be >= 1.
void set_threads(int n);
// The number of threads OpenBLAS will use now.
int threads();

}  // namespace nn
