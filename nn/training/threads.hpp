// nn/training/threads.hpp — how many threads OpenBLAS uses for the matrix products of training and evaluation, and which
// of its kernels it chose for this CPU. Only BLAS settings; nnsense runs no threads of its own.
#pragma once

#include <string>

namespace nn::training {

// Same effect as OPENBLAS_NUM_THREADS=n, at run time. n must be >= 1.
void set_threads(int n);
// The number of threads OpenBLAS will use now.
int threads();

// The kernel OpenBLAS picked for this CPU at load time, e.g. "Haswell" or "SkylakeX".
std::string blas_kernel();
// One line of advice when that kernel is older than the CPU (a virtual machine that hides its CPU model can make
// OpenBLAS fall back to "Prescott", SSE3 only, with up to 3x slower products); empty when the choice is fine.
// OPENBLAS_CORETYPE is read when OpenBLAS loads, so the fix is an environment variable, not a call.
std::string blas_kernel_hint();

}  // namespace nn::training
