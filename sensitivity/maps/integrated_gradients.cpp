// sensitivity/maps/integrated_gradients.cpp — Integrated Gradients as one big batch on the tape: the points on the path
// of a chunk of images are rows of one forward, one backward gives all their gradients; and the completeness check.
#include "sensitivity/maps/integrated_gradients.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <xtensor/xnoalias.hpp>

#include "sensitivity/maps/exact_ig.hpp"
#include "sensitivity/maps/sample_gradients.hpp"

namespace sensitivity::maps {

template <class T>
nn::Tensor<T> integrated_gradients(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                   const IgOptions& o, Output out, std::size_t chunk_rows) {
    check_targets(model, x, targets, "integrated_gradients");
    if (o.rule == IgRule::KinkAware) return integrated_gradients_exact(model, x, targets, out);
    if (o.steps == 0) throw std::invalid_argument("integrated_gradients: steps must be at least 1");
    const std::size_t D = model.in, m = o.steps;
    std::vector<double> alpha, weight;                                  // the quadrature rule on [0, 1]
    if (o.rule == IgRule::Midpoint) {
        for (std::size_t k = 0; k < m; ++k) {
            alpha.push_back((static_cast<double>(k) + 0.5) / static_cast<double>(m));
            weight.push_back(1.0 / static_cast<double>(m));
        }
    } else {
        for (std::size_t k = 0; k <= m; ++k) {
            alpha.push_back(static_cast<double>(k) / static_cast<double>(m));
            weight.push_back((k == 0 || k == m ? 0.5 : 1.0) / static_cast<double>(m));
        }
    }
    nn::Tensor<T> a = weighted_sample_gradients(model, x, targets, alpha.size(), weight, out, chunk_rows,
                                                [&](std::size_t n, std::size_t k, T* row) {
                                                    const T* img = x.data() + n * D;
                                                    const T s = static_cast<T>(alpha[k]);
                                                    for (std::size_t j = 0; j < D; ++j) row[j] = s * img[j];  // α x
                                                });
    xt::noalias(a) = a * x;                                             // (x − 0) ⊙ ∫ gradient
    return a;
}

template <class T>
Completeness completeness(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          const nn::Tensor<T>& attributions, Output out, const nn::Tensor<T>* baseline) {
    check_targets(model, x, targets, "completeness");
    if (attributions.shape() != x.shape())
        throw std::invalid_argument("completeness: attributions and images differ in shape");
    const std::size_t N = x.shape(0), D = model.in;
    if (baseline && (baseline->dimension() != 2 || baseline->shape(1) != D ||
                     (baseline->shape(0) != 1 && baseline->shape(0) != N)))
        throw std::invalid_argument("completeness: the baseline must be [1, D] or [N, D]");
    const nn::Tensor<T> fx = predict(model, x, out);                   // [N, C]
    const nn::Tensor<T> f0 = baseline ? predict(model, *baseline, out)  // [1 or N, C]
                                      : predict(model, nn::Tensor<T>(xt::zeros<T>({std::size_t(1), D})), out);
    Completeness c;
    for (std::size_t n = 0; n < N; ++n) {
        const auto t = static_cast<std::size_t>(targets[n]);
        double sum = 0;
        for (std::size_t j = 0; j < D; ++j) sum += static_cast<double>(attributions(n, j));
        const double change = static_cast<double>(fx(n, t)) - static_cast<double>(f0(f0.shape(0) == 1 ? 0 : n, t));
        const double gap = std::abs(sum - change) / std::max(std::abs(change), 1e-6);
        c.attribution_sum.push_back(sum);
        c.output_change.push_back(change);
        c.relative_gap.push_back(gap);
        c.max_relative_gap = std::max(c.max_relative_gap, gap);
        c.mean_relative_gap += gap / static_cast<double>(N);
    }
    return c;
}

template nn::Tensor<float> integrated_gradients(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                                const IgOptions&, Output, std::size_t);
template nn::Tensor<double> integrated_gradients(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                                 const IgOptions&, Output, std::size_t);
template Completeness completeness(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                   const nn::Tensor<float>&, Output, const nn::Tensor<float>*);
template Completeness completeness(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                   const nn::Tensor<double>&, Output, const nn::Tensor<double>*);

}  // namespace sensitivity::maps
