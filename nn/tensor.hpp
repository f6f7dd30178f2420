// nn/tensor.hpp — the one value type of the engine: a row-major 2-D xtensor matrix, and a resize that keeps buffers.
// Only the typedef and its resize; the math of each op is nn/ops/, the graph of them nn/tape.hpp.
#pragma once

#include <cstddef>

#include <xtensor/xtensor.hpp>

namespace nn {

// Every value on the tape is a row-major matrix: a batch is [B, N], a bias is [1, N], a scalar is [1, 1].
template <class T>
using Tensor = xt::xtensor<T, 2>;

// Resize y to [rows, cols]; keeps the buffer when the size is unchanged (buffers are reused step to step).
template <class T>
void reshape_to(Tensor<T>& y, std::size_t rows, std::size_t cols) {
    if (y.shape(0) != rows || y.shape(1) != cols) y.resize({rows, cols});
}

}  // namespace nn
