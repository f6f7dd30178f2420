// sensitivity/maps/gradient_shap.cpp — expected gradients: the draws (baseline, α) fixed by the seed, then the sample
// loop of IG and SmoothGrad (sample_gradients.hpp) with (x − x') ⊙ gradient as the combination.
#include "sensitivity/maps/gradient_shap.hpp"

#include <random>
#include <stdexcept>
#include <string>

#include "sensitivity/maps/sample_gradients.hpp"

namespace sensitivity::maps {

template <class T>
nn::Tensor<T> gradient_shap(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                            const GradientShapOptions& o, Output out, std::size_t chunk_rows) {
    check_targets(model, x, targets, "gradient_shap");
    const std::size_t N = x.shape(0), D = model.in, S = o.samples;
    if (S == 0) throw std::invalid_argument("gradient_shap: samples must be at least 1");
    if (o.references.shape(0) == 0 || o.references.shape(1) != D)
        throw std::invalid_argument("gradient_shap: the references must be [R, " + std::to_string(D) + "] with R >= 1 (got [" +
                                    std::to_string(o.references.shape(0)) + ", " +
                                    std::to_string(o.references.shape(1)) + "])");
    std::mt19937_64 rng(o.seed);                                        // all draws first: same seed, same maps
    std::uniform_int_distribution<std::size_t> pick(0, o.references.shape(0) - 1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<std::size_t> ref(N * S);
    std::vector<double> alpha(N * S);
    for (std::size_t i = 0; i < N * S; ++i) {
        ref[i] = pick(rng);
        alpha[i] = u(rng);
    }
    const double* R = o.references.data();
    return sample_gradients(
        model, x, targets, S, out, chunk_rows,
        [&](std::size_t n, std::size_t s, T* row) {                     // x' + α (x − x')
            const T* img = x.data() + n * D;
            const double* b = R + ref[n * S + s] * D;
            const double a = alpha[n * S + s];
            for (std::size_t j = 0; j < D; ++j) row[j] = static_cast<T>(b[j] + a * (static_cast<double>(img[j]) - b[j]));
        },
        [&](std::size_t n, std::size_t s, const T* g, T* acc) {         // += (x − x') ⊙ g / S
            const T* img = x.data() + n * D;
            const double* b = R + ref[n * S + s] * D;
            for (std::size_t j = 0; j < D; ++j)
                acc[j] += static_cast<T>((static_cast<double>(img[j]) - b[j]) * static_cast<double>(g[j]) /
                                         static_cast<double>(S));
        });
}

template nn::Tensor<float> gradient_shap(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                         const GradientShapOptions&, Output, std::size_t);
template nn::Tensor<double> gradient_shap(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                          const GradientShapOptions&, Output, std::size_t);

}  // namespace sensitivity::maps
