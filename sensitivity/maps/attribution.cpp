// sensitivity/maps/attribution.cpp — gradient×input, SmoothGrad and Integrated Gradients, each as one big batch on the tape.
// The samples of a chunk of images (noisy copies, points on the path) are rows of one forward; one backward gives all.
#include "sensitivity/maps/attribution.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "nn/chunks.hpp"

namespace sensitivity::maps {

namespace {
template <class T>
void check_targets(const nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                   const char* who) {
    if (x.shape(1) != model.in())
        throw std::invalid_argument(std::string(who) + ": input has " + std::to_string(x.shape(1)) +
                                    " columns, the model expects " + std::to_string(model.in()));
    if (targets.size() != x.shape(0))
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(targets.size()) + " targets for " +
                                    std::to_string(x.shape(0)) + " images");
}

// The common loop of SmoothGrad and IG: for each image, S sample rows built by make_row(n, s, row); one forward
// and one backward per chunk; the gradient rows are combined as Σ_s weight[s]·grad(n, s) into sums [N, D].
template <class T, class MakeRow>
nn::Tensor<T> weighted_sample_gradients(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                        std::size_t S, const std::vector<double>& weight, Output out,
                                        std::size_t chunk_rows, MakeRow make_row) {
    const std::size_t N = x.shape(0), D = model.in();
    nn::Tensor<T> sums = xt::zeros<T>({N, D});                          // [N, D]
    if (N == 0) return sums;
    const std::size_t per_chunk = std::max<std::size_t>(1, chunk_rows / S);
    InputGradient<T> grad(model, out);
    nn::Tensor<T> batch;                                                // [b·S, D]
    std::vector<int> cls;
    nn::for_each_chunk(N, per_chunk, "weighted_sample_gradients", [&](std::size_t n0, std::size_t b) {
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
            for (std::size_t s = 0; s < S; ++s) {
                const T w = static_cast<T>(weight[s]);
                const T* g = dx.data() + (n * S + s) * D;
                T* acc = sums.data() + (n0 + n) * D;
                for (std::size_t j = 0; j < D; ++j) acc[j] += w * g[j];
            }
    });
    return sums;
}
}  // namespace

// ---------------------------------------------------------------- gradient × input
template <class T>
nn::Tensor<T> gradient_times_input(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                   Output out) {
    check_targets(model, x, targets, "gradient_times_input");
    nn::Tensor<T> g = class_gradient(model, x, targets, out);           // [N, D]
    xt::noalias(g) = g * x;
    return g;
}

// ---------------------------------------------------------------- SmoothGrad
template <class T>
nn::Tensor<T> smoothgrad(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                         const SmoothGradOptions& o, Output out, std::size_t chunk_rows) {
    check_targets(model, x, targets, "smoothgrad");
    if (o.samples == 0) throw std::invalid_argument("smoothgrad: samples must be at least 1");
    if (!(o.sigma >= 0)) throw std::invalid_argument("smoothgrad: sigma must be >= 0");
    const std::size_t D = model.in();
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

// ---------------------------------------------------------------- Integrated Gradients
template <class T>
nn::Tensor<T> integrated_gradients(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                   const IgOptions& o, Output out, std::size_t chunk_rows) {
    check_targets(model, x, targets, "integrated_gradients");
    if (o.rule == IgRule::KinkAware) return integrated_gradients_exact(model, x, targets, out);
    if (o.steps == 0) throw std::invalid_argument("integrated_gradients: steps must be at least 1");
    const std::size_t D = model.in(), m = o.steps;
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
Completeness completeness(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          const nn::Tensor<T>& attributions, Output out, const nn::Tensor<T>* baseline) {
    check_targets(model, x, targets, "completeness");
    if (attributions.shape() != x.shape())
        throw std::invalid_argument("completeness: attributions and images differ in shape");
    const std::size_t N = x.shape(0), D = model.in();
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

// ---------------------------------------------------------------- one entry point for every method
const char* method_name(Method m) {
    switch (m) {
        case Method::Gradient: return "gradient";
        case Method::GradientTimesInput: return "gradient_x_input";
        case Method::SmoothGrad: return "smoothgrad";
        case Method::IntegratedGradients: return "integrated_gradients";
        case Method::Occlusion: return "occlusion";
    }
    return "?";
}

const std::vector<Method>& all_methods() {
    static const std::vector<Method> all = {Method::Gradient, Method::GradientTimesInput, Method::SmoothGrad,
                                            Method::IntegratedGradients, Method::Occlusion};
    return all;
}

Method parse_method(const std::string& name) {
    for (Method m : all_methods())
        if (name == method_name(m)) return m;
    throw std::invalid_argument("unknown attribution method '" + name +
                                "' (expected gradient, gradient_x_input, smoothgrad, integrated_gradients or occlusion)");
}

template <class T>
nn::Tensor<T> attribution(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          Method method, const AttributionOptions& o) {
    switch (method) {
        case Method::Gradient:
            check_targets(model, x, targets, "attribution");
            return class_gradient(model, x, targets, o.out);
        case Method::GradientTimesInput: return gradient_times_input(model, x, targets, o.out);
        case Method::SmoothGrad: return smoothgrad(model, x, targets, o.smoothgrad, o.out, o.chunk_rows);
        case Method::IntegratedGradients: {
            IgOptions ig = o.ig;                                        // kink-aware needs relu; else the reference
            if (ig.rule == IgRule::KinkAware && model.activation != nn::Activation::Relu) ig.rule = IgRule::Midpoint;
            return integrated_gradients(model, x, targets, ig, o.out, o.chunk_rows);
        }
        case Method::Occlusion: return occlusion(model, x, targets, o.occlusion, o.out, o.chunk_rows);
    }
    throw std::invalid_argument("attribution: unknown method");
}

template <class T>
nn::Tensor<T> importance(Method method, const nn::Tensor<T>& map) {
    if (method == Method::Gradient || method == Method::SmoothGrad) {
        nn::Tensor<T> a = xt::abs(map);
        return a;
    }
    return map;
}

#define SENSITIVITY_ATTRIBUTION(T)                                                                               \
    template nn::Tensor<T> gradient_times_input(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&,     \
                                                Output);                                                         \
    template nn::Tensor<T> smoothgrad(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&,               \
                                      const SmoothGradOptions&, Output, std::size_t);                           \
    template nn::Tensor<T> integrated_gradients(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&,     \
                                                const IgOptions&, Output, std::size_t);                         \
    template Completeness completeness(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&,              \
                                       const nn::Tensor<T>&, Output, const nn::Tensor<T>*);                      \
    template nn::Tensor<T> attribution(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&, Method,      \
                                       const AttributionOptions&);                                               \
    template nn::Tensor<T> importance(Method, const nn::Tensor<T>&);
SENSITIVITY_ATTRIBUTION(float)
SENSITIVITY_ATTRIBUTION(double)
#undef SENSITIVITY_ATTRIBUTION

}  // namespace sensitivity::maps
