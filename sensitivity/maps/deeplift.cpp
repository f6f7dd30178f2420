// sensitivity/maps/deeplift.cpp — DeepLIFT-Rescale: the baseline (black or blurred), one walk with the Rescale rule
// against the baseline's pass (rule_gradient.cpp), times x − x₀.
#include "sensitivity/maps/deeplift.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/ops/relu_rules.hpp"
#include "sensitivity/maps/rule_gradient.hpp"

namespace sensitivity::maps {

template <class T>
nn::Tensor<T> blurred(const nn::Tensor<T>& x, double sigma) {
    const std::size_t N = x.shape(0), D = x.shape(1);
    const auto side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(D))));
    if (side * side != D)
        throw std::invalid_argument("blurred: rows of " + std::to_string(D) + " pixels are not square images");
    if (!(sigma > 0)) throw std::invalid_argument("blurred: sigma must be positive");
    const int r = static_cast<int>(std::ceil(3 * sigma));
    std::vector<double> k(static_cast<std::size_t>(2 * r + 1));
    double total = 0;
    for (int i = -r; i <= r; ++i) total += k[static_cast<std::size_t>(i + r)] = std::exp(-0.5 * i * i / (sigma * sigma));
    for (double& v : k) v /= total;
    const int S = static_cast<int>(side);
    const auto clamp = [S](int i) { return i < 0 ? 0 : i >= S ? S - 1 : i; };
    nn::Tensor<T> out({N, D});
    std::vector<double> tmp(D);
    for (std::size_t n = 0; n < N; ++n) {
        const T* img = x.data() + n * D;
        for (int row = 0; row < S; ++row)                                // along rows
            for (int c = 0; c < S; ++c) {
                double s = 0;
                for (int i = -r; i <= r; ++i) s += k[static_cast<std::size_t>(i + r)] * img[row * S + clamp(c + i)];
                tmp[static_cast<std::size_t>(row * S + c)] = s;
            }
        for (int row = 0; row < S; ++row)                                // then along columns
            for (int c = 0; c < S; ++c) {
                double s = 0;
                for (int i = -r; i <= r; ++i) s += k[static_cast<std::size_t>(i + r)] * tmp[static_cast<std::size_t>(clamp(row + i) * S + c)];
                out(n, static_cast<std::size_t>(row * S + c)) = static_cast<T>(s);
            }
    }
    return out;
}

template <class T>
nn::Tensor<T> deeplift(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                       const nn::Tensor<T>& baseline, Output out) {
    require_relu_stack(model, "deeplift");
    const nn::RuleSet<T> rules = nn::RuleSet<T>().set(nn::Op::Relu, nn::rules::rescale<T>());
    nn::Tensor<T> m = rule_gradient(model, x, targets, rules, "deeplift", out, &baseline);   // [N, D]
    const std::size_t N = x.shape(0), D = x.shape(1);
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < D; ++j) m(n, j) *= x(n, j) - baseline(baseline.shape(0) == 1 ? 0 : n, j);
    return m;
}

template <class T>
nn::Tensor<T> deeplift(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                       DeepLiftBaseline baseline, const DeepLiftOptions& o, Output out) {
    if (baseline == DeepLiftBaseline::Zero) {
        const nn::Tensor<T> zero = xt::zeros<T>({std::size_t(1), x.shape(1)});
        return deeplift(model, x, targets, zero, out);
    }
    return deeplift(model, x, targets, blurred(x, o.blur_sigma), out);
}

template nn::Tensor<float> blurred(const nn::Tensor<float>&, double);
template nn::Tensor<double> blurred(const nn::Tensor<double>&, double);
template nn::Tensor<float> deeplift(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                    const nn::Tensor<float>&, Output);
template nn::Tensor<double> deeplift(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                     const nn::Tensor<double>&, Output);
template nn::Tensor<float> deeplift(Model<float>, const nn::Tensor<float>&, const std::vector<int>&, DeepLiftBaseline,
                                    const DeepLiftOptions&, Output);
template nn::Tensor<double> deeplift(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                     DeepLiftBaseline, const DeepLiftOptions&, Output);

}  // namespace sensitivity::maps
