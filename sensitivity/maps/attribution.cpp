// sensitivity/maps/attribution.cpp — the method names and the one switch that sends each method to its own file.
// No method is computed here.
#include "sensitivity/maps/attribution.hpp"

#include <stdexcept>

#include <xtensor/xmath.hpp>

#include "names/names.hpp"
#include "sensitivity/maps/sample_gradients.hpp"

namespace sensitivity::maps {

namespace {
const names::NameTable<Method, 5> kMethodNames = {{{Method::Gradient, "gradient"},
                                                {Method::GradientTimesInput, "gradient_x_input"},
                                                {Method::SmoothGrad, "smoothgrad"},
                                                {Method::IntegratedGradients, "integrated_gradients"},
                                                {Method::Occlusion, "occlusion"}}};
}  // namespace

const char* method_name(Method m) { return names::name_of(kMethodNames, m); }
Method parse_method(const std::string& name) { return names::parse_name(kMethodNames, name, "attribution method"); }
const std::vector<Method>& all_methods() {
    static const std::vector<Method> all = [] {
        std::vector<Method> v;
        for (const auto& row : kMethodNames) v.push_back(row.first);
        return v;
    }();
    return all;
}

template <class T>
nn::Tensor<T> attribution(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                          Method method, const AttributionOptions& o) {
    switch (method) {
        case Method::Gradient:
            check_targets(model, x, targets, "attribution");
            return class_gradient(model, x, targets, o.out);
        case Method::GradientTimesInput: return gradient_times_input(model, x, targets, o.out);
        case Method::SmoothGrad: return smoothgrad(model, x, targets, o.smoothgrad, o.out, o.chunk_rows);
        case Method::IntegratedGradients: {
            IgOptions ig = o.ig;                                        // kink-aware needs relu; else the reference
            if (ig.rule == IgRule::KinkAware && !has_exact_ig(model)) ig.rule = IgRule::Midpoint;
            return integrated_gradients(model, x, targets, ig, o.out, o.chunk_rows);
        }
        case Method::Occlusion: return occlusion(model, x, targets, o.occlusion, o.out, o.chunk_rows);
    }
    throw std::invalid_argument("attribution: unknown method");
}

template <class T>
nn::Tensor<T> importance(Method, const nn::Tensor<T>& map) {
    return map;                                                         // one rule: the signed map (attribution.hpp)
}

template nn::Tensor<float> attribution(Model<float>, const nn::Tensor<float>&, const std::vector<int>&, Method,
                                       const AttributionOptions&);
template nn::Tensor<double> attribution(Model<double>, const nn::Tensor<double>&, const std::vector<int>&, Method,
                                        const AttributionOptions&);
template nn::Tensor<float> importance(Method, const nn::Tensor<float>&);
template nn::Tensor<double> importance(Method, const nn::Tensor<double>&);

}  // namespace sensitivity::maps
