// nn/training/denormals.cpp — FlushDenormals: sets and restores the FTZ and DAZ bits of the x86 MXCSR register.
// MXCSR is per thread; OpenBLAS's worker threads are not touched (on the machine of appendix A that was enough).
#include "nn/training/denormals.hpp"

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace nn::training {

#if defined(__SSE2__)
namespace {
constexpr unsigned kFlushToZero = 0x8000;      // MXCSR bit 15: subnormal results become 0
constexpr unsigned kDenormalsAreZero = 0x0040; // MXCSR bit 6: subnormal inputs are read as 0
}  // namespace

FlushDenormals::FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
FlushDenormals::~FlushDenormals() { _mm_setcsr(saved_); }
#else
FlushDenormals::FlushDenormals() = default;
FlushDenormals::~FlushDenormals() = default;
#endif

}  // namespace nn::training
