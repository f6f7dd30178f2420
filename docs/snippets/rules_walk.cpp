// docs/snippets/rules_walk.cpp — chapter 12: one recorded forward, three backward walks; two of them under rules.
// A random 16-8-3 relu net in double precision with non-zero biases; the baseline's pass is on the same tape.
#include <cstdio>
#include <random>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/maps/attribution.hpp"

int main() {
    nn::MLP<double> model(16, 8, 3, nn::Activation::Relu, 3);
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> u(0.0, 1.0), bias(-0.3, 0.3);
    for (const nn::Linear& layer : model.layers())                   // He init leaves biases at 0
        for (double& b : model.tape().value(layer.b)) b = bias(rng);
    nn::Tensor<double> x({2, 16});                                   // [2, 16] two random "images"
    for (double& v : x) v = u(rng);
    const std::vector<int> targets = {0, 2};
    namespace maps = sensitivity::maps;
    const nn::Tensor<double> logit = maps::predict(model, x, maps::Output::Logits);
    const nn::Tensor<double> black = xt::zeros<double>({std::size_t(1), std::size_t(16)});
    const nn::Tensor<double> logit0 = maps::predict(model, black, maps::Output::Logits);

    // Σ_j a_j of each map against what it should add up to
    const nn::Tensor<double> gxi = maps::gradient_times_input(model, x, targets, maps::Output::Logits);
    const nn::Tensor<double> lrp = maps::lrp(model, x, targets, maps::LrpRule::Epsilon, {0.1});
    const nn::Tensor<double> dl = maps::deeplift(model, x, targets, black);
    bool exact = true, gxi_misses = false;
    std::printf("image  l_t(x)   l_t(x)-l_t(0)  sum x*grad  sum LRP-eps  sum DeepLIFT\n");
    for (std::size_t n = 0; n < 2; ++n) {
        const auto t = static_cast<std::size_t>(targets[n]);
        double s_g = 0, s_l = 0, s_d = 0;
        for (std::size_t j = 0; j < 16; ++j) s_g += gxi(n, j), s_l += lrp(n, j), s_d += dl(n, j);
        const double change = logit(n, t) - logit0(0, t);
        std::printf("%5zu  %7.4f  %13.4f  %10.4f  %11.4f  %12.4f\n", n, logit(n, t), change, s_g, s_l, s_d);
        exact = exact && std::abs(s_d - change) < 1e-12;
        gxi_misses = gxi_misses || std::abs(s_g - change) > 1e-3;
    }
    const bool ok = exact && gxi_misses;
    std::printf("%s\n", ok ? "DeepLIFT sums to the change of the logit; x*grad does where no unit switches between 0 and x"
                           : "UNEXPECTED");
    return ok ? 0 : 1;
}
