// nn/training/denormals.hpp — a scope in which float math on this thread treats subnormal numbers (|x| < 1.2e-38) as zero.
// Training turns it on: a subnormal operand costs some x86 CPUs ~100 cycles per instruction (see appendix A).
#pragma once

namespace nn::training {

// While it lives, SSE/AVX arithmetic on the calling thread flushes subnormal results to zero (FTZ) and reads
// subnormal inputs as zero (DAZ); the destructor restores the previous mode. Like torch.set_flush_denormal(True),
// but scoped. Values that small carry no information for a network (softmax outputs below 1e-38, their gradients),
// and the default training run's weights come out bitwise the same with and without it. A no-op off x86.
class FlushDenormals {
public:
    FlushDenormals();
    ~FlushDenormals();
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
    unsigned saved_ = 0;  // the thread's MXCSR before the scope
};

}  // namespace nn::training
