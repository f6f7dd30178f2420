// bench/hvp_cost.hpp — one bench section: the cost of an exact Hessian-vector product of the loss in the input
// (nn/input_hvp.hpp) over the cost of the input gradient, beside the FLOP-count prediction. Times only; asserts none.
#pragma once

#include <vector>

#include "nn/mlp.hpp"

namespace bench {

// Prints the section for the model on images X [N, D] with their labels: median seconds of the gradient (one
// forward + backward, weights frozen) and of H·v for 1 and for K directions, each over `repeats` timed runs.
void print_hvp_cost(const nn::MLP<float>& model, const nn::Tensor<float>& X, const std::vector<int>& labels,
                    int repeats, std::size_t K = 8);

}  // namespace bench
