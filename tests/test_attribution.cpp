// tests/test_attribution.cpp — gradient×input, SmoothGrad, Integrated Gradients, occlusion, the deletion test, the sanity check.
// Synthetic and small random networks whose answer is known by construction (suite unit); the trained model in suite slow.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include "datasets/dataset.hpp"
#include "nn/model_io.hpp"
#include "sensitivity/attribution.hpp"
#include "sensitivity/evaluation.hpp"
#include "sensitivity/fd_check.hpp"
#include "tests/random_images.hpp"
#include "sensitivity/occlusion.hpp"

namespace {
using sensitivity::Method;
using sensitivity::Output;

template <class T>
double max_abs_diff(const nn::Tensor<T>& a, const nn::Tensor<T>& b) {
    double m = 0;
    for (std::size_t e = 0; e < a.size(); ++e)
        m = std::max(m, std::abs(static_cast<double>(a.data()[e]) - static_cast<double>(b.data()[e])));
    return m;
}

// A 784-H-10 relu network that reads only the pixels in `pixels`: hidden unit 0 = Σ_{j in pixels} x_j, and the
// logit of class 0 is `gain` times that unit; every other weight and bias is 0.
nn::MLP<double> reads_only(const std::vector<std::size_t>& pixels, double gain) {
    nn::MLP<double> model(784, 4, 10, nn::Activation::Relu, 1);
    auto& W1 = model.tape().value(model.layer1.W);
    auto& W2 = model.tape().value(model.layer2.W);
    W1.fill(0);
    W2.fill(0);
    for (std::size_t j : pixels) W1(j, 0) = 1;
    W2(0, 0) = gain;
    return model;
}
}  // namespace

TEST_CASE("on a bias-free relu network, gradient×input and IG both sum to the logit and agree") {
    // He init gives zero biases, so the logits are positively homogeneous: f(αx) = α f(x), the gradient is
    // constant along the ray αx, IG = x ⊙ ∇f(x), and Euler's theorem gives Σ_j x_j ∂f/∂x_j = f(x) − f(0) = f(x).
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 31);
    const nn::Tensor<double> x = random_images<double>(4, 784, 32);
    const std::vector<int> t = {0, 3, 6, 9};
    const nn::Tensor<double> gxi = sensitivity::gradient_times_input(model, x, t, Output::Logits);
    const nn::Tensor<double> ig = sensitivity::integrated_gradients(model, x, t, {8, sensitivity::IgRule::Midpoint},
                                                                    Output::Logits);
    const nn::Tensor<double> logits = sensitivity::predict(model, x, Output::Logits);
    for (std::size_t n = 0; n < 4; ++n) {
        double s = 0;
        for (std::size_t j = 0; j < 784; ++j) s += gxi(n, j);
        CHECK(s == doctest::Approx(logits(n, static_cast<std::size_t>(t[n]))).epsilon(1e-12));
    }
    CHECK(max_abs_diff(gxi, ig) <= 1e-14);
    CHECK(max_abs_diff(gxi, nn::Tensor<double>(xt::zeros<double>(gxi.shape()))) > 1e-3);
}

TEST_CASE("integrated gradients are complete within 1% at 64 steps") {
    // Σ_j a_j = f_t(x) − f_t(0) up to the quadrature error of the path integral. A smooth network (tanh, random
    // biases) and a relu network without biases (no kink inside the path, one at α = 0) are both smooth enough.
    const nn::Tensor<double> x = random_images<double>(6, 784, 35);
    nn::MLP<double> smooth(784, 16, 10, nn::Activation::Tanh, 33);
    std::mt19937_64 rng(34);
    std::normal_distribution<double> g(0.0, 0.5);
    for (auto& v : smooth.tape().value(smooth.layer1.b)) v = g(rng);
    nn::MLP<double> relu(784, 16, 10, nn::Activation::Relu, 33);
    struct Case { nn::MLP<double>* model; sensitivity::IgRule rule; const char* name; };
    for (const Case& c : {Case{&smooth, sensitivity::IgRule::Midpoint, "tanh, midpoint"},
                          Case{&smooth, sensitivity::IgRule::Trapezoid, "tanh, trapezoid"},
                          Case{&relu, sensitivity::IgRule::Midpoint, "relu, midpoint"}}) {
        CAPTURE(std::string(c.name));
        std::vector<int> t;                                  // each image's predicted class: an output that moves
        const nn::Tensor<double> p = sensitivity::predict(*c.model, x);
        for (std::size_t n = 0; n < 6; ++n)
            t.push_back(static_cast<int>(xt::argmax(xt::xtensor<double, 1>(xt::view(p, n, xt::all())))()));
        const nn::Tensor<double> a = sensitivity::integrated_gradients(*c.model, x, t, {64, c.rule});
        const sensitivity::Completeness k = sensitivity::completeness(*c.model, x, t, a);
        for (double d : k.output_change) CHECK(std::abs(d) > 1e-3);   // the check has something to check
        CHECK(k.max_relative_gap <= 0.01);
        // The gap is a real measurement: with 2 steps the integral is visibly off.
        const nn::Tensor<double> coarse = sensitivity::integrated_gradients(*c.model, x, t, {2, c.rule});
        CHECK(sensitivity::completeness(*c.model, x, t, coarse).max_relative_gap > 0.01);
    }
}

TEST_CASE("integrated gradients converge as the steps grow, even across relu kinks") {
    // With biases each hidden unit can switch on or off somewhere along αx: the integrand jumps there, and a
    // fixed-step rule converges only like 1/m. The mean gap must still shrink with every refinement.
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 33);
    std::mt19937_64 rng(34);
    std::normal_distribution<double> g(0.0, 0.5);
    for (auto& v : model.tape().value(model.layer1.b)) v = g(rng);
    const nn::Tensor<double> x = random_images<double>(6, 784, 35);
    const std::vector<int> t = {0, 1, 2, 3, 4, 5};
    double previous = 1e9;
    for (std::size_t m : {4, 16, 64, 256}) {
        CAPTURE(m);
        const nn::Tensor<double> a = sensitivity::integrated_gradients(model, x, t, {m, sensitivity::IgRule::Midpoint});
        const double gap = sensitivity::completeness(model, x, t, a).mean_relative_gap;
        CHECK(gap < previous);
        previous = gap;
    }
    CHECK(previous < 0.01);
}

TEST_CASE("integrated gradients in float are complete within 1% too") {
    nn::MLP<float> model(784, 32, 10, nn::Activation::Relu, 36);
    const nn::Tensor<float> x = random_images<float>(5, 784, 37);
    const std::vector<int> t = {9, 8, 7, 6, 5};
    const nn::Tensor<float> a = sensitivity::integrated_gradients(model, x, t);
    CHECK(sensitivity::completeness(model, x, t, a).max_relative_gap <= 0.01);
}

TEST_CASE("SmoothGrad with sigma 0 is the plain gradient, and the same seed gives the same map") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 38);
    const nn::Tensor<float> x = random_images<float>(3, 784, 39);
    const std::vector<int> t = {1, 2, 3};
    const nn::Tensor<float> g = sensitivity::class_gradient(model, x, t);
    const nn::Tensor<float> s0 = sensitivity::smoothgrad(model, x, t, {0.0, 8, 1});
    CHECK(max_abs_diff(g, s0) <= 1e-6 * xt::amax(xt::abs(g))());
    const nn::Tensor<float> a = sensitivity::smoothgrad(model, x, t, {0.15, 16, 5});
    const nn::Tensor<float> b = sensitivity::smoothgrad(model, x, t, {0.15, 16, 5});
    const nn::Tensor<float> c = sensitivity::smoothgrad(model, x, t, {0.15, 16, 6});
    CHECK(a == b);
    CHECK(max_abs_diff(a, c) > 0);
    CHECK(max_abs_diff(a, g) > 0);                           // the noise does change the map
    // A tiny chunk (one image per recorded batch) gives the same map as one big batch.
    const nn::Tensor<float> small = sensitivity::smoothgrad(model, x, t, {0.15, 16, 5}, Output::Softmax, 16);
    CHECK(max_abs_diff(a, small) <= 1e-6 * xt::amax(xt::abs(a))());
}

TEST_CASE("SmoothGrad of a model linear in the pixels is its gradient, whatever the noise") {
    // Logits of a relu network with all pre-activations far above 0 are linear in x: every noisy gradient is W1·W2.
    nn::MLP<double> model(784, 8, 10, nn::Activation::Relu, 40);
    model.tape().value(model.layer1.b).fill(1000.0);
    const nn::Tensor<double> x = random_images<double>(2, 784, 41);
    const std::vector<int> t = {4, 7};
    const nn::Tensor<double> g = sensitivity::class_gradient(model, x, t, Output::Logits);
    const nn::Tensor<double> s = sensitivity::smoothgrad(model, x, t, {0.5, 8, 2}, Output::Logits);
    CHECK(max_abs_diff(g, s) <= 1e-13);
}

TEST_CASE("occlusion patch positions cover the image to its edge") {
    CHECK(sensitivity::occlusion_positions(28, {4, 2}) ==
          std::vector<std::size_t>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24});
    CHECK(sensitivity::occlusion_positions(28, {5, 2}) ==
          std::vector<std::size_t>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 23});
    CHECK(sensitivity::occlusion_positions(28, {28, 3}) == std::vector<std::size_t>{0});
    CHECK_THROWS_WITH(sensitivity::occlusion_positions(28, {29, 1}),
                      "occlusion: patch side 29 is larger than the 28-pixel image");
}

TEST_CASE("occlusion of a model that reads one pixel peaks at that pixel") {
    const std::size_t q = 14 * 28 + 9;
    nn::MLP<double> model = reads_only({q}, 3.0);
    nn::Tensor<double> x = random_images<double>(2, 784, 42);
    x(0, q) = 0.9;
    x(1, q) = 0.6;
    const std::vector<int> t = {0, 0};                       // class 0 rises with the pixel: occluding it drops p_0
    SUBCASE("a single-pixel patch: only that pixel moves the output") {
        const nn::Tensor<double> m = sensitivity::occlusion(model, x, t, {1, 1});
        for (std::size_t n = 0; n < 2; ++n) {
            CHECK(m(n, q) > 0.01);
            for (std::size_t p = 0; p < 784; ++p)
                if (p != q) CHECK(m(n, p) == 0.0);
        }
    }
    SUBCASE("a 3x3 patch: the pixel is the unique maximum") {
        const nn::Tensor<double> m = sensitivity::occlusion(model, x, t, {3, 1});
        for (std::size_t n = 0; n < 2; ++n) {
            const auto row = xt::xtensor<double, 1>(xt::view(m, n, xt::all()));
            CHECK(xt::argmax(row)() == q);
            CHECK(m(n, q - 1) < m(n, q));                    // its neighbours are covered by patches that miss it
            // The drop at q is exactly p_0(x) − p_0(x with pixel q black).
            nn::Tensor<double> two({2, 784});
            xt::view(two, 0, xt::all()) = xt::view(x, n, xt::all());
            xt::view(two, 1, xt::all()) = xt::view(x, n, xt::all());
            two(1, q) = 0;
            const nn::Tensor<double> p = sensitivity::predict(model, two);
            CHECK(m(n, q) == doctest::Approx(p(0, 0) - p(1, 0)).epsilon(1e-12));
        }
    }
}

TEST_CASE("deletion in map order beats a random order on a model that reads a few pixels") {
    std::vector<std::size_t> pixels;
    for (std::size_t j = 300; j < 340; ++j) pixels.push_back(j);
    nn::MLP<double> model = reads_only(pixels, 0.25);
    const nn::Tensor<double> x = random_images<double>(4, 784, 43);
    const std::vector<int> labels(4, 0);
    sensitivity::EvaluationOptions o;
    const sensitivity::DeletionTable table = sensitivity::deletion_test(model, x, labels, o);
    REQUIRE(table.rows.size() == 6);
    REQUIRE(table.rows.back().method == "random");
    CHECK(table.fraction.front() == 0.0);
    CHECK(table.fraction.back() == 1.0);
    CHECK(table.fraction.size() == 21);
    const double random_auc = table.rows.back().auc;
    for (const auto& row : table.rows) {
        CAPTURE(row.method);
        CHECK(row.mean_probability.size() == 21);
        if (row.method != "random") CHECK(row.auc < 0.8 * random_auc);
    }
    // With everything deleted, the image is black and p_0 = 1/10 (all logits 0) for every order.
    CHECK(table.rows.front().mean_probability.back() == doctest::Approx(0.1).epsilon(1e-12));
    CHECK(table.rows.back().mean_probability.back() == doctest::Approx(0.1).epsilon(1e-12));

    std::ostringstream os;
    os << table;
    CHECK(os.str().find("integrated_gradients") != std::string::npos);
    const nlohmann::json j = table;
    CHECK(j["methods"].size() == 6);
    CHECK(j["methods"][5]["auc"].get<double>() == random_auc);
}

TEST_CASE("the deletion curve starts at the model's probability and its AUC is the trapezoid area") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 44);
    const nn::Tensor<float> x = random_images<float>(3, 784, 45);
    const std::vector<int> labels = {2, 4, 6};
    const nn::Tensor<float> p = sensitivity::predict(model, x);
    const sensitivity::DeletionCurve c = sensitivity::random_deletion_curve(model, x, labels, 3, 0.25);
    REQUIRE(c.fraction == std::vector<double>{0, 0.25, 0.5, 0.75, 1.0});
    CHECK(c.mean_probability[0] == doctest::Approx((p(0, 2) + p(1, 4) + p(2, 6)) / 3.0).epsilon(1e-6));
    double area = 0;
    for (std::size_t s = 1; s < 5; ++s) area += 0.25 * (c.mean_probability[s] + c.mean_probability[s - 1]) / 2;
    CHECK(c.auc == doctest::Approx(area).epsilon(1e-12));
    const sensitivity::DeletionCurve again = sensitivity::random_deletion_curve(model, x, labels, 3, 0.25);
    CHECK(again.mean_probability == c.mean_probability);
}

TEST_CASE("Spearman rank correlation on hand-worked examples") {
    const std::vector<double> a = {1, 2, 3, 4}, up = {10, 20, 30, 40}, down = {4, 3, 2, 1};
    CHECK(sensitivity::spearman(a.data(), up.data(), 4) == doctest::Approx(1.0));
    CHECK(sensitivity::spearman(a.data(), down.data(), 4) == doctest::Approx(-1.0));
    // Ties share their mean rank: ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4) -> 4.5 / sqrt(4.5 · 5) = 3/sqrt(10).
    const std::vector<double> tied = {1, 2, 2, 3};
    CHECK(sensitivity::spearman(tied.data(), a.data(), 4) == doctest::Approx(3.0 / std::sqrt(10.0)));
    // Monotone but not linear: Spearman still 1.
    const std::vector<float> f = {0.1f, 5.f, 5.5f, 1000.f}, g = {-3.f, -2.f, 7.f, 8.f};
    CHECK(sensitivity::spearman(f.data(), g.data(), 4) == doctest::Approx(1.0));
    const std::vector<double> flat = {2, 2, 2, 2};
    CHECK(sensitivity::spearman(flat.data(), a.data(), 4) == 0.0);
}

TEST_CASE("sanity check: a model against itself correlates fully, against a re-randomized one far less") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 46);
    nn::MLP<float> same = model;
    const nn::Tensor<float> x = random_images<float>(4, 784, 47);
    const std::vector<int> labels = {1, 3, 5, 7};
    sensitivity::EvaluationOptions o;
    o.attribution.smoothgrad.samples = 8;
    const sensitivity::SanityTable self = sensitivity::sanity_check(model, same, x, labels, o);
    REQUIRE(self.rows.size() == 5);
    for (const auto& r : self.rows) {
        CAPTURE(r.method);
        CHECK(r.spearman == doctest::Approx(1.0).epsilon(1e-9));
        CHECK(r.spearman_abs == doctest::Approx(1.0).epsilon(1e-9));
    }
    const sensitivity::SanityTable other = sensitivity::sanity_check(model, x, labels, o);
    std::ostringstream os;
    os << other;
    CHECK(os.str().find("occlusion") != std::string::npos);
    for (const auto& r : other.rows) {
        CAPTURE(r.method);
        CHECK(r.spearman < 0.5);
    }
    const nlohmann::json j = other;
    CHECK(j["randomized_model_seed"].get<std::uint64_t>() == o.randomized_model_seed);
}

TEST_CASE("every method name parses back, and a wrong one is refused") {
    for (Method m : sensitivity::all_methods()) CHECK(sensitivity::parse_method(sensitivity::method_name(m)) == m);
    CHECK_THROWS_WITH(sensitivity::parse_method("lime"),
                      "unknown attribution method 'lime' (expected gradient, gradient_x_input, smoothgrad, "
                      "integrated_gradients or occlusion)");
}

// ---------------------------------------------------------------- suite slow: the trained MNIST model
namespace {
// NNSENSE_MODEL (set by meson to the committed trained model in tests/fixtures/) and NNSENSE_DATA.
std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}
bool trained_model_missing() {
    return !std::filesystem::exists(env_or("NNSENSE_MODEL", "out/model") + "/model.json") ||
           !std::filesystem::exists(env_or("NNSENSE_DATA", "data") + "/mnist");
}
}  // namespace

TEST_SUITE("slow") {
TEST_CASE("on the trained MNIST model the Jacobian checks out and the maps are meaningful") {
    REQUIRE_MESSAGE(!trained_model_missing(), "needs NNSENSE_MODEL (a trained model) and NNSENSE_DATA/mnist");
    nn::MLP<float> model = nn::load_model(env_or("NNSENSE_MODEL", "out/model"));
    const datasets::Split mnist = datasets::load_mnist(env_or("NNSENSE_DATA", "data") + "/mnist");
    const nn::Tensor<float> x = mnist.test.to_float<float>(0, 200);
    const std::vector<int> labels(mnist.test.labels.begin(), mnist.test.labels.begin() + 200);

    const sensitivity::FdReport fd = sensitivity::fd_check(model, x, 10);
    MESSAGE("fd_check, 10 images: double rel " << fd.max_rel_error << ", float rel " << fd.float_max_rel_error
                                              << ", skipped " << fd.pairs_skipped << " of "
                                              << fd.pairs_skipped + fd.pairs_compared);
    CHECK(fd.passed);

    const nn::Tensor<float> ig = sensitivity::integrated_gradients(model, x, labels);
    const sensitivity::Completeness c = sensitivity::completeness(model, x, labels, ig);
    std::size_t over = 0;
    for (double g : c.relative_gap) over += g > 0.01;
    MESSAGE("IG completeness at 64 steps, 200 images: mean relative gap " << c.mean_relative_gap << ", max "
                                                                         << c.max_relative_gap << ", "
                                                                         << over << " above 1%");
    CHECK(c.mean_relative_gap <= 0.01);
    // Relu kinks on the path make the 64-step midpoint rule converge slowly for a few images (max gap ~2% on
    // the fixture model); at most 5% of the images may miss 1%. Splitting the path at the kinks would fix it.
    CHECK(over <= x.shape(0) / 20);

    sensitivity::EvaluationOptions o;
    const sensitivity::DeletionTable del = sensitivity::deletion_test(model, x, labels, o);
    std::ostringstream os;
    os << del;
    const nn::Tensor<float> few = mnist.test.to_float<float>(0, 50);
    const sensitivity::SanityTable san =
        sensitivity::sanity_check(model, few, std::vector<int>(labels.begin(), labels.begin() + 50), o);
    os << san;
    MESSAGE(os.str());
    for (const auto& row : del.rows)
        if (row.method != "random") CHECK(row.auc < del.rows.back().auc);
    for (const auto& row : san.rows) CHECK(std::abs(row.spearman) < 0.5);
}
}
