// tests/test_rule_maps.cpp — the maps built on rewritten backward passes (lrp, deeplift, guided_backprop) and
// GradientSHAP, on small random relu MLPs: their defining properties through the maps' own API.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "nn/mlp.hpp"
#include "sensitivity/maps/attribution.hpp"
#include "tests/random_images.hpp"

namespace {
using sensitivity::maps::Method;
using sensitivity::maps::Output;
namespace maps = sensitivity::maps;

template <class T>
double max_abs_diff(const nn::Tensor<T>& a, const nn::Tensor<T>& b) {
    double m = 0;
    for (std::size_t e = 0; e < a.size(); ++e)
        m = std::max(m, std::abs(static_cast<double>(a.data()[e]) - static_cast<double>(b.data()[e])));
    return m;
}

// A 784-16-10 relu MLP with random non-zero biases (He init leaves them 0, which would hide the bias terms).
template <class T>
nn::MLP<T> relu_mlp(std::uint64_t seed) {
    nn::MLP<T> m(784, 16, 10, nn::Activation::Relu, seed);
    std::mt19937_64 rng(seed + 1);
    std::uniform_real_distribution<double> u(-0.3, 0.3);
    for (auto& v : m.tape().value(m.layer(0).b)) v = static_cast<T>(u(rng));
    for (auto& v : m.tape().value(m.layer(1).b)) v = static_cast<T>(u(rng));
    return m;
}

double row_sum(const nn::Tensor<double>& a, std::size_t n) {
    double s = 0;
    for (std::size_t j = 0; j < a.shape(1); ++j) s += a(n, j);
    return s;
}
}  // namespace

TEST_CASE("LRP with epsilon 0 is gradient x input on a relu MLP; epsilon > 0 absorbs relevance") {
    nn::MLP<double> model = relu_mlp<double>(3);
    const nn::Tensor<double> x = random_images<double>(5, 784, 4);
    const std::vector<int> t = {0, 1, 2, 3, 4};
    const nn::Tensor<double> gxi = maps::gradient_times_input(model, x, t, Output::Logits);
    CHECK(max_abs_diff(maps::lrp(model, x, t, maps::LrpRule::Epsilon, {0.0}), gxi) < 1e-12);
    const nn::Tensor<double> r = maps::lrp(model, x, t, maps::LrpRule::Epsilon, {1.0});
    CHECK(max_abs_diff(r, gxi) > 1e-3);
}

TEST_CASE("DeepLIFT from the black and the blurred image sums exactly to the change of the logit") {
    nn::MLP<double> model = relu_mlp<double>(5);
    const nn::Tensor<double> x = random_images<double>(6, 784, 6);
    const std::vector<int> t = {0, 3, 6, 9, 1, 2};
    const nn::Tensor<double> l = maps::predict(model, x, Output::Logits);
    const nn::Tensor<double> blur = maps::blurred(x, 3.0);
    const nn::Tensor<double> lb = maps::predict(model, blur, Output::Logits);
    const nn::Tensor<double> l0 = maps::predict(model, nn::Tensor<double>(xt::zeros<double>({std::size_t(1), std::size_t(784)})),
                                                Output::Logits);
    const nn::Tensor<double> a0 = maps::attribution(model, x, t, Method::DeepLiftZero);
    const nn::Tensor<double> ab = maps::attribution(model, x, t, Method::DeepLiftBlur);
    const nn::Tensor<double> g = maps::gradient_times_input(model, x, t, Output::Logits);
    double worst_gxi = 0;
    for (std::size_t n = 0; n < x.shape(0); ++n) {
        const auto c = static_cast<std::size_t>(t[n]);
        CHECK(std::abs(row_sum(a0, n) - (l(n, c) - l0(0, c))) < 1e-9);
        CHECK(std::abs(row_sum(ab, n) - (l(n, c) - lb(n, c))) < 1e-9);
        worst_gxi = std::max(worst_gxi, std::abs(row_sum(g, n) - (l(n, c) - l0(0, c))));
    }
    CHECK(worst_gxi > 1e-3);   // gradient × input is not complete here (biases): the check can tell them apart
}

TEST_CASE("the blurred baseline keeps a constant image and the image's total ink") {
    nn::Tensor<double> flat = xt::ones<double>({std::size_t(1), std::size_t(784)}) * 0.4;
    CHECK(max_abs_diff(maps::blurred(flat, 3.0), flat) < 1e-12);
    nn::Tensor<double> dot = xt::zeros<double>({std::size_t(1), std::size_t(784)});
    dot(0, 14 * 28 + 14) = 1;                               // a centred dot: far from the edges, no ink is lost
    const nn::Tensor<double> b = maps::blurred(dot, 2.0);
    CHECK(row_sum(b, 0) == doctest::Approx(1.0).epsilon(1e-9));
    CHECK(b(0, 14 * 28 + 14) < 0.05);
    CHECK_THROWS_WITH(maps::blurred(nn::Tensor<double>(xt::zeros<double>({std::size_t(1), std::size_t(10)})), 1.0),
                      doctest::Contains("not square"));
}

TEST_CASE("guided backprop and deconvnet differ from the gradient, and refuse a network that is not relu") {
    nn::MLP<double> model = relu_mlp<double>(7);
    const nn::Tensor<double> x = random_images<double>(3, 784, 8);
    const std::vector<int> t = {1, 5, 7};
    const nn::Tensor<double> g = maps::attribution(model, x, t, Method::Gradient);
    const nn::Tensor<double> gb = maps::attribution(model, x, t, Method::GuidedBackprop);
    const nn::Tensor<double> dc = maps::attribution(model, x, t, Method::Deconvnet);
    CHECK(max_abs_diff(g, gb) > 1e-3);
    CHECK(max_abs_diff(g, dc) > 1e-3);
    CHECK(max_abs_diff(gb, dc) > 1e-3);
    nn::MLP<double> tanh_net(784, 8, 10, nn::Activation::Tanh, 1);
    for (Method m : {Method::GuidedBackprop, Method::LrpEpsilon, Method::DeepLiftZero})
        CHECK_THROWS_WITH(maps::attribution(tanh_net, x, t, m), doctest::Contains("its activation is not relu"));
    maps::AttributionOptions o;
    o.out = Output::Softmax;
    CHECK_THROWS_WITH(maps::attribution(model, x, t, Method::LrpZPlus, o), doctest::Contains("explains the logit only"));
}

TEST_CASE("the rule maps in float match their double reference") {
    nn::MLP<double> md = relu_mlp<double>(9);
    nn::MLP<float> mf(784, 16, 10, nn::Activation::Relu, 9);
    for (const nn::Var p : md.parameters()) {
        const auto& src = md.tape().value(p);
        auto& dst = mf.tape().value(p);
        for (std::size_t e = 0; e < src.size(); ++e) dst.data()[e] = static_cast<float>(src.data()[e]);
    }
    const nn::Tensor<double> xd = random_images<double>(4, 784, 10);
    const nn::Tensor<float> xf = random_images<float>(4, 784, 10);
    const std::vector<int> t = {2, 4, 6, 8};
    for (Method m : {Method::LrpEpsilon, Method::LrpZPlus, Method::DeepLiftZero, Method::DeepLiftBlur,
                     Method::GuidedBackprop, Method::Deconvnet}) {
        CAPTURE(maps::method_name(m));
        const nn::Tensor<double> ad = maps::attribution(md, xd, t, m);
        const nn::Tensor<float> af = maps::attribution(mf, xf, t, m);
        double scale = 0;
        for (double v : ad) scale = std::max(scale, std::abs(v));
        nn::Tensor<double> afd = xt::cast<double>(af);
        CHECK(max_abs_diff(afd, ad) < 1e-4 * std::max(scale, 1.0));
    }
}

TEST_CASE("GradientSHAP is complete on average over the reference set, and not against the black image") {
    nn::MLP<double> model = relu_mlp<double>(11);
    const nn::Tensor<double> x = random_images<double>(3, 784, 12);
    const std::vector<int> t = {0, 4, 8};
    maps::GradientShapOptions o;
    o.samples = 64;
    o.references = random_images<double>(20, 784, 13) * 0.5;           // 20 "training images"
    const nn::Tensor<double> l = maps::predict(model, x, Output::Logits);
    const nn::Tensor<double> lr = maps::predict(model, nn::Tensor<double>(o.references), Output::Logits);
    const nn::Tensor<double> l0 = maps::predict(model, nn::Tensor<double>(xt::zeros<double>({std::size_t(1), std::size_t(784)})),
                                                Output::Logits);
    // K independent estimates (seeds); the gap Σ_j a_j − (f(x) − mean_r f(x_r)) has mean 0, its SE from the K
    const std::size_t K = 16;
    for (std::size_t n = 0; n < x.shape(0); ++n) {
        const auto c = static_cast<std::size_t>(t[n]);
        double expected = l(n, c), black = l(n, c) - l0(0, c);
        double mean_ref = 0;
        for (std::size_t r = 0; r < lr.shape(0); ++r) mean_ref += lr(r, c) / static_cast<double>(lr.shape(0));
        expected -= mean_ref;
        std::vector<double> gaps, black_gaps;
        for (std::size_t k = 0; k < K; ++k) {
            o.seed = 100 + k;
            const nn::Tensor<double> a = maps::gradient_shap(model, x, t, o);
            gaps.push_back(row_sum(a, n) - expected);
            black_gaps.push_back(row_sum(a, n) - black);
        }
        const auto mean_se = [K](const std::vector<double>& v) {
            double m = 0, s = 0;
            for (double g : v) m += g / static_cast<double>(K);
            for (double g : v) s += (g - m) * (g - m) / static_cast<double>(K - 1);
            return std::pair<double, double>{m, std::sqrt(s / static_cast<double>(K))};
        };
        const auto [m, se] = mean_se(gaps);
        const auto [mb, seb] = mean_se(black_gaps);
        MESSAGE("image " << n << ": expected change " << expected << ", mean gap " << m << " ± " << se
                         << "; against black " << mb << " ± " << seb);
        CHECK(std::abs(m) < 4 * se + 1e-9);
        CHECK(std::abs(mb) > 4 * seb);
    }
    o.references = xt::xtensor<double, 2>({0, 784});
    CHECK_THROWS_WITH(maps::gradient_shap(model, x, t, o), doctest::Contains("references must be [R, 784]"));
}

TEST_CASE("with one hidden layer DeepLIFT-Rescale is exactly the kink-aware Integrated Gradients, from any baseline") {
    // Along x0 + α (x − x0) each hidden pre-activation is linear in α, so the share of the path on which unit k is
    // open, IG's weight, is (relu(z1) − relu(z0)) / (z1 − z0): Rescale's secant. Two independent codes, one answer.
    nn::MLP<double> model = relu_mlp<double>(13);
    const nn::Tensor<double> x = random_images<double>(4, 784, 14);
    const std::vector<int> t = {3, 1, 4, 1};
    const nn::Tensor<double> blur = maps::blurred(x, 3.0);
    CHECK(max_abs_diff(maps::deeplift(model, x, t, maps::DeepLiftBaseline::Zero),
                       maps::integrated_gradients_exact(model, x, t, Output::Logits)) < 1e-10);
    CHECK(max_abs_diff(maps::deeplift(model, x, t, maps::DeepLiftBaseline::Blurred),
                       maps::integrated_gradients_exact(model, x, t, blur, Output::Logits)) < 1e-10);
}

namespace {
// The reverse sweep of a relu stack written out by hand (no tape): at each relu the gradient passes where z > 0,
// guided backprop where z > 0 and the incoming gradient > 0, deconvnet where the incoming gradient > 0.
enum class HandRule { Chain, Guided, Deconv };
std::vector<double> hand_sweep(const nn::MLP<double>& m, const nn::Tensor<double>& x, std::size_t n, int t, HandRule r) {
    const std::vector<nn::Linear>& layers = m.layers();
    std::vector<std::vector<double>> z;                                   // pre-activations of the hidden layers
    std::vector<double> a(x.shape(1));
    for (std::size_t j = 0; j < a.size(); ++j) a[j] = x(n, j);
    for (std::size_t k = 0; k + 1 < layers.size(); ++k) {
        const nn::Tensor<double>& W = m.tape().value(layers[k].W);        // [in, out]
        const nn::Tensor<double>& b = m.tape().value(layers[k].b);        // [1, out]
        std::vector<double> zk(W.shape(1));
        for (std::size_t o = 0; o < zk.size(); ++o) {
            zk[o] = b(0, o);
            for (std::size_t i = 0; i < a.size(); ++i) zk[o] += a[i] * W(i, o);
        }
        a.assign(zk.size(), 0.0);
        for (std::size_t o = 0; o < zk.size(); ++o) a[o] = std::max(zk[o], 0.0);
        z.push_back(zk);
    }
    std::vector<double> g(m.out(), 0.0);
    g[static_cast<std::size_t>(t)] = 1.0;
    for (std::size_t k = layers.size(); k-- > 0;) {
        const nn::Tensor<double>& W = m.tape().value(layers[k].W);
        std::vector<double> gi(W.shape(0), 0.0);
        for (std::size_t i = 0; i < gi.size(); ++i)
            for (std::size_t o = 0; o < g.size(); ++o) gi[i] += W(i, o) * g[o];
        if (k > 0)
            for (std::size_t i = 0; i < gi.size(); ++i) {
                const bool on = z[k - 1][i] > 0, up = gi[i] > 0;
                const bool pass = r == HandRule::Chain ? on : r == HandRule::Guided ? on && up : up;
                if (!pass) gi[i] = 0;
            }
        g = gi;
    }
    return g;
}
}  // namespace

TEST_CASE("the rule maps work through a stack of any depth: hand-written sweeps, DeepLIFT's sum, LRP-0 = x * grad") {
    for (const std::vector<std::size_t>& hidden : {std::vector<std::size_t>{16, 8}, std::vector<std::size_t>{12, 8, 6}}) {
        CAPTURE(hidden.size());
        nn::MLP<double> model(784, hidden, 10, nn::Activation::Relu, 9);
        std::mt19937_64 rng(10);
        std::uniform_real_distribution<double> u(-0.3, 0.3);
        for (const nn::Linear& layer : model.layers())
            for (auto& v : model.tape().value(layer.b)) v = u(rng);
        const nn::Tensor<double> x = random_images<double>(4, 784, 11);
        const std::vector<int> t = {2, 4, 6, 8};
        const nn::Tensor<double> g = maps::attribution(model, x, t, Method::Gradient);
        const nn::Tensor<double> gb = maps::attribution(model, x, t, Method::GuidedBackprop);
        const nn::Tensor<double> dc = maps::attribution(model, x, t, Method::Deconvnet);
        double worst = 0;
        for (std::size_t n = 0; n < x.shape(0); ++n) {
            const std::vector<double> hg = hand_sweep(model, x, n, t[n], HandRule::Chain);
            const std::vector<double> hgb = hand_sweep(model, x, n, t[n], HandRule::Guided);
            const std::vector<double> hdc = hand_sweep(model, x, n, t[n], HandRule::Deconv);
            for (std::size_t j = 0; j < 784; ++j)
                worst = std::max({worst, std::abs(g(n, j) - hg[j]), std::abs(gb(n, j) - hgb[j]), std::abs(dc(n, j) - hdc[j])});
        }
        CHECK(worst < 1e-9);
        CHECK(max_abs_diff(g, gb) > 1e-3);                               // the rules did change the walk
        const nn::Tensor<double> gxi = maps::gradient_times_input(model, x, t, Output::Logits);
        CHECK(max_abs_diff(maps::lrp(model, x, t, maps::LrpRule::Epsilon, {0.0}), gxi) < 1e-12);
        const nn::Tensor<double> l = maps::predict(model, x, Output::Logits);
        const nn::Tensor<double> l0 = maps::predict(model, nn::Tensor<double>(xt::zeros<double>({std::size_t(1), std::size_t(784)})),
                                                    Output::Logits);
        const nn::Tensor<double> a0 = maps::attribution(model, x, t, Method::DeepLiftZero);
        for (std::size_t n = 0; n < x.shape(0); ++n) {
            const auto c = static_cast<std::size_t>(t[n]);
            CHECK(std::abs(row_sum(a0, n) - (l(n, c) - l0(0, c))) < 1e-9);
        }
        const nn::Tensor<double> zp = maps::attribution(model, x, t, Method::LrpZPlus);
        CHECK(zp.shape(1) == 784);
    }
}
