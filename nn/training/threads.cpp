// nn/training/threads.cpp — forwards to OpenBLAS's run-time thread control (one thread, no kernel, under -Dblas=false).
// <cblas.h> cannot be included next to xtensor-blas, so the two OpenBLAS extras are declared here.
#include "nn/training/threads.hpp"

#include <stdexcept>
#include <string>

#include "nn/gemm.hpp"   // NNSENSE_BLAS

#if NNSENSE_BLAS
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" int openblas_get_num_threads(void);
extern "C" char* openblas_get_corename(void);
#endif

namespace nn::training {

void set_threads(int n) {
    if (n < 1) throw std::invalid_argument("threads must be >= 1, got " + std::to_string(n));
#if NNSENSE_BLAS
    openblas_set_num_threads(n);
#endif
}

#if NNSENSE_BLAS
int threads() { return openblas_get_num_threads(); }
std::string blas_kernel() { return openblas_get_corename(); }
#else
int threads() { return 1; }                                    // the portable product (nn/gemm_portable.hpp) is serial
std::string blas_kernel() { return "none (portable C++ product, -Dblas=false)"; }
#endif

std::string blas_kernel_hint() {
#if NNSENSE_BLAS && defined(__x86_64__) && defined(__GNUC__)
    const std::string k = blas_kernel();
    const bool pre_avx2 = k == "Prescott" || k == "Core2" || k == "Penryn" || k == "Dunnington" || k == "Nehalem" ||
                          k == "Atom" || k == "Sandybridge" || k == "Barcelona" || k == "Bulldozer";
    if (!pre_avx2 || !__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return "";
    const char* better = __builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell";
    return "note: OpenBLAS chose its " + k + " kernel on a CPU with AVX2 (a virtual machine may hide the CPU model); " +
           "OPENBLAS_CORETYPE=" + better + " in the environment makes the matrix products up to 3x faster (appendix A)";
#else
    return "";
#endif
}

}  // namespace nn::training
