// nn/argmax.hpp — the predicted class of each row: the index of its largest entry (the first one on ties).
// The one argmax of the project; works on logits and on probabilities alike (softmax keeps the order).
#pragma once

#include <cstddef>
#include <vector>

#include "nn/tensor.hpp"

namespace nn {

// Index of the largest entry in each row of `scores` [B, K] (the first one on ties).
template <class T>
std::vector<int> argmax_rows(const Tensor<T>& scores) {
    std::vector<int> out(scores.shape(0));
    for (std::size_t r = 0; r < scores.shape(0); ++r) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < scores.shape(1); ++c)
            if (scores(r, c) > scores(r, best)) best = c;
        out[r] = static_cast<int>(best);
    }
    return out;
}

}  // namespace nn
