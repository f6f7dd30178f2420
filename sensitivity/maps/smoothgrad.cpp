// sensitivity/maps/smoothgrad.cpp — SmoothGrad as one big batch on the tape: noisy copies in, mean gradient out.
// The batching loop is weighted_sample_gradients (sample_gradients.hpp), shared with Integrated Gradients.
#include "sensitivity/maps/smoothgrad.hpp"

#include <random>
#include <stdexcept>

#include "sensitivity/maps/sample_gradients.hpp"

namespace sensitivity::maps {

template <class T>
nn::Tensor<T> smoothgrad(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                         const SmoothGradOptions& o, Output out, std::size_t chunk_rows) {
    check_targets(model, x, targets, "smoothgrad");
    if (o.samples == 0) throw std::invalid_argument("smoothgrad: samples must be at least 1");
    if (!(o.sigma >= 0)) throw std::invalid_argument("smoothgrad: sigma must be >= 0");
    const std::size_t D = model.in;
    std::mt19937_64 rng(o.seed);
    std::normal_distribution<double> noise(0.0, o.sigma);
    const std::vector<double> weight(o.samples, 1.0 / static_cast<double>(o.samples));
    return weighted_sample_gradients(model, x, targets, o.samples, weight, out, chunk_rows,
                                     [&](std::size_t n, std::size_t, T* row) {
                                         const T* img = x.data() + n * D;
                                         for (std::size_t j = 0; j < D; ++j)
                                             row[j] = img[j] + static_cast<T>(noise(rng));   // x + ε
                                     });
}

template nn::Tensor<float> smoothgrad(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                      const SmoothGradOptions&, Output, std::size_t);
template nn::Tensor<double> smoothgrad(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                       const SmoothGradOptions&, Output, std::size_t);

}  // namespace sensitivity::maps
