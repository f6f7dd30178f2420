// sensitivity/maps/sample_gradients.hpp — what the attribution methods share: the argument check, and the batched loop
// of SmoothGrad, Integrated Gradients and GradientSHAP (many sample rows per image, one forward and one backward per chunk).
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/chunks.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace sensitivity::maps {

// x must have model.in columns and one target per row.
template <class T>
void check_targets(const ModelView<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                   const char* who) {
    if (x.shape(1) != model.in)
        throw std::invalid_argument(std::string(who) + ": input has " + std::to_string(x.shape(1)) +
                                    " columns, the model expects " + std::to_string(model.in));
    if (targets.size() != x.shape(0))
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(targets.size()) + " targets for " +
                                    std::to_string(x.shape(0)) + " images");
}

// The common loop of SmoothGrad, IG and GradientSHAP: for each image, S sample rows built by make_row(n, s, row); one
// forward and one backward per chunk; each gradient row g (D values) is folded into row n of sums [N, D] by
// combine(n, s, g, sums_row).
template <class T, class MakeRow, class Combine>
nn::Tensor<T> sample_gradients(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets, std::size_t S,
                               Output out, std::size_t chunk_rows, MakeRow make_row, Combine combine) {
    const std::size_t N = x.shape(0), D = model.in;
    nn::Tensor<T> sums = xt::zeros<T>({N, D});                          // [N, D]
    if (N == 0) return sums;
    const std::size_t per_chunk = std::max<std::size_t>(1, chunk_rows / S);
    InputGradient<T> grad(model, out);
    nn::Tensor<T> batch;                                                // [b·S, D]
    std::vector<int> cls;
    nn::for_each_chunk(N, per_chunk, "sample_gradients", [&](std::size_t n0, std::size_t b) {
        nn::reshape_to(batch, b * S, D);
        cls.assign(b * S, 0);
        for (std::size_t n = 0; n < b; ++n)
            for (std::size_t s = 0; s < S; ++s) {
                make_row(n0 + n, s, batch.data() + (n * S + s) * D);
                cls[n * S + s] = targets[n0 + n];
            }
        grad.forward(batch);                                            // one forward of b·S rows
        const nn::Tensor<T>& dx = grad.backward_classes(cls);           // [b·S, D]
        for (std::size_t n = 0; n < b; ++n)
            for (std::size_t s = 0; s < S; ++s)
                combine(n0 + n, s, dx.data() + (n * S + s) * D, sums.data() + (n0 + n) * D);
    });
    return sums;
}

// SmoothGrad's and IG's combination: sums = Σ_s weight[s]·grad(n, s).
template <class T, class MakeRow>
nn::Tensor<T> weighted_sample_gradients(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                        std::size_t S, const std::vector<double>& weight, Output out,
                                        std::size_t chunk_rows, MakeRow make_row) {
    const std::size_t D = model.in;
    return sample_gradients(model, x, targets, S, out, chunk_rows, make_row,
                            [&](std::size_t, std::size_t s, const T* g, T* acc) {
                                const T w = static_cast<T>(weight[s]);
                                for (std::size_t j = 0; j < D; ++j) acc[j] += w * g[j];
                            });
}

}  // namespace sensitivity::maps
