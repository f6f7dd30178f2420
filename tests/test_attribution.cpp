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
#include "nn/linear.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/maps/attribution.hpp"
#include "sensitivity/maps/evaluation.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "tests/random_images.hpp"
#include "sensitivity/maps/occlusion.hpp"

namespace {
using sensitivity::maps::Method;
using sensitivity::maps::Output;

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
    auto& W1 = model.tape().value(model.layer(0).W);
    auto& W2 = model.tape().value(model.layer(1).W);
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
    const nn::Tensor<double> gxi = sensitivity::maps::gradient_times_input(model, x, t, Output::Logits);
    const nn::Tensor<double> ig = sensitivity::maps::integrated_gradients(model, x, t, {8, sensitivity::maps::IgRule::Midpoint},
                                                                    Output::Logits);
    const nn::Tensor<double> logits = sensitivity::maps::predict(model, x, Output::Logits);
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
    for (auto& v : smooth.tape().value(smooth.layer(0).b)) v = g(rng);
    nn::MLP<double> relu(784, 16, 10, nn::Activation::Relu, 33);
    struct Case { nn::MLP<double>* model; sensitivity::maps::IgRule rule; const char* name; };
    for (const Case& c : {Case{&smooth, sensitivity::maps::IgRule::Midpoint, "tanh, midpoint"},
                          Case{&smooth, sensitivity::maps::IgRule::Trapezoid, "tanh, trapezoid"},
                          Case{&relu, sensitivity::maps::IgRule::Midpoint, "relu, midpoint"}}) {
        CAPTURE(std::string(c.name));
        std::vector<int> t;                                  // each image's predicted class: an output that moves
        const nn::Tensor<double> p = sensitivity::maps::predict(*c.model, x);
        for (std::size_t n = 0; n < 6; ++n)
            t.push_back(static_cast<int>(xt::argmax(xt::xtensor<double, 1>(xt::view(p, n, xt::all())))()));
        const nn::Tensor<double> a = sensitivity::maps::integrated_gradients(*c.model, x, t, {64, c.rule}, Output::Softmax);
        const sensitivity::maps::Completeness k = sensitivity::maps::completeness(*c.model, x, t, a, Output::Softmax);
        for (double d : k.output_change) CHECK(std::abs(d) > 1e-3);   // the check has something to check
        CHECK(k.max_relative_gap <= 0.01);
        // The gap is a real measurement: with 2 steps the integral is visibly off.
        const nn::Tensor<double> coarse = sensitivity::maps::integrated_gradients(*c.model, x, t, {2, c.rule}, Output::Softmax);
        CHECK(sensitivity::maps::completeness(*c.model, x, t, coarse, Output::Softmax).max_relative_gap > 0.01);
    }
}

TEST_CASE("integrated gradients converge as the steps grow, even across relu kinks") {
    // With biases each hidden unit can switch on or off somewhere along αx: the integrand jumps there, and a
    // fixed-step rule converges only like 1/m. The mean gap must still shrink with every refinement.
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 33);
    std::mt19937_64 rng(34);
    std::normal_distribution<double> g(0.0, 0.5);
    for (auto& v : model.tape().value(model.layer(0).b)) v = g(rng);
    const nn::Tensor<double> x = random_images<double>(6, 784, 35);
    const std::vector<int> t = {0, 1, 2, 3, 4, 5};
    double previous = 1e9;
    for (std::size_t m : {4, 16, 64, 256}) {
        CAPTURE(m);
        const nn::Tensor<double> a = sensitivity::maps::integrated_gradients(model, x, t, {m, sensitivity::maps::IgRule::Midpoint});
        const double gap = sensitivity::maps::completeness(model, x, t, a).mean_relative_gap;
        CHECK(gap < previous);
        previous = gap;
    }
    CHECK(previous < 0.01);
}

TEST_CASE("integrated gradients in float are complete within 1% too") {
    nn::MLP<float> model(784, 32, 10, nn::Activation::Relu, 36);
    const nn::Tensor<float> x = random_images<float>(5, 784, 37);
    const std::vector<int> t = {9, 8, 7, 6, 5};
    const nn::Tensor<float> a = sensitivity::maps::integrated_gradients(model, x, t);
    CHECK(sensitivity::maps::completeness(model, x, t, a).max_relative_gap <= 0.01);
}

TEST_CASE("SmoothGrad with sigma 0 is the plain gradient, and the same seed gives the same map") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 38);
    const nn::Tensor<float> x = random_images<float>(3, 784, 39);
    const std::vector<int> t = {1, 2, 3};
    const nn::Tensor<float> g = sensitivity::maps::class_gradient(model, x, t, Output::Logits);
    const nn::Tensor<float> s0 = sensitivity::maps::smoothgrad(model, x, t, {0.0, 8, 1});   // logit target by default
    CHECK(max_abs_diff(g, s0) <= 1e-6 * xt::amax(xt::abs(g))());
    const nn::Tensor<float> a = sensitivity::maps::smoothgrad(model, x, t, {0.15, 16, 5});
    const nn::Tensor<float> b = sensitivity::maps::smoothgrad(model, x, t, {0.15, 16, 5});
    const nn::Tensor<float> c = sensitivity::maps::smoothgrad(model, x, t, {0.15, 16, 6});
    CHECK(a == b);
    CHECK(max_abs_diff(a, c) > 0);
    CHECK(max_abs_diff(a, g) > 0);                           // the noise does change the map
    // A tiny chunk (one image per recorded batch) gives the same map as one big batch.
    const nn::Tensor<float> small = sensitivity::maps::smoothgrad(model, x, t, {0.15, 16, 5}, Output::Logits, 16);
    CHECK(max_abs_diff(a, small) <= 1e-6 * xt::amax(xt::abs(a))());
}

TEST_CASE("SmoothGrad of a model linear in the pixels is its gradient, whatever the noise") {
    // Logits of a relu network with all pre-activations far above 0 are linear in x: every noisy gradient is W1·W2.
    nn::MLP<double> model(784, 8, 10, nn::Activation::Relu, 40);
    model.tape().value(model.layer(0).b).fill(1000.0);
    const nn::Tensor<double> x = random_images<double>(2, 784, 41);
    const std::vector<int> t = {4, 7};
    const nn::Tensor<double> g = sensitivity::maps::class_gradient(model, x, t, Output::Logits);
    const nn::Tensor<double> s = sensitivity::maps::smoothgrad(model, x, t, {0.5, 8, 2}, Output::Logits);
    CHECK(max_abs_diff(g, s) <= 1e-13);
}

TEST_CASE("occlusion patch positions cover the image to its edge") {
    CHECK(sensitivity::maps::occlusion_positions(28, {4, 2}) ==
          std::vector<std::size_t>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24});
    CHECK(sensitivity::maps::occlusion_positions(28, {5, 2}) ==
          std::vector<std::size_t>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 23});
    CHECK(sensitivity::maps::occlusion_positions(28, {28, 3}) == std::vector<std::size_t>{0});
    CHECK_THROWS_AS(sensitivity::maps::occlusion_positions(28, {2, 3}), std::invalid_argument);   // gaps between patches
    CHECK_THROWS_WITH(sensitivity::maps::occlusion_positions(28, {29, 1}),
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
        const nn::Tensor<double> m = sensitivity::maps::occlusion(model, x, t, {1, 1});
        for (std::size_t n = 0; n < 2; ++n) {
            CHECK(m(n, q) > 0.01);
            for (std::size_t p = 0; p < 784; ++p)
                if (p != q) CHECK(m(n, p) == 0.0);
        }
    }
    SUBCASE("a 3x3 patch: the pixel is the unique maximum") {
        const nn::Tensor<double> m = sensitivity::maps::occlusion(model, x, t, {3, 1}, Output::Softmax);
        const nn::Tensor<double> ml = sensitivity::maps::occlusion(model, x, t, {3, 1});              // logit target
        for (std::size_t n = 0; n < 2; ++n) {
            const auto row = xt::xtensor<double, 1>(xt::view(m, n, xt::all()));
            CHECK(xt::argmax(row)() == q);
            CHECK(m(n, q - 1) < m(n, q));                    // its neighbours are covered by patches that miss it
            // The drop at q is exactly p_0(x) − p_0(x with pixel q black).
            nn::Tensor<double> two({2, 784});
            xt::view(two, 0, xt::all()) = xt::view(x, n, xt::all());
            xt::view(two, 1, xt::all()) = xt::view(x, n, xt::all());
            two(1, q) = 0;
            const nn::Tensor<double> p = sensitivity::maps::predict(model, two);
            CHECK(m(n, q) == doctest::Approx(p(0, 0) - p(1, 0)).epsilon(1e-12));
            const nn::Tensor<double> l = sensitivity::maps::predict(model, two, Output::Logits);   // 3 · 0.9, 3 · 0.6
            CHECK(ml(n, q) == doctest::Approx(l(0, 0) - l(1, 0)).epsilon(1e-12));
        }
    }
}

TEST_CASE("deletion in map order beats a random order on a model that reads a few pixels") {
    std::vector<std::size_t> pixels;
    for (std::size_t j = 300; j < 340; ++j) pixels.push_back(j);
    nn::MLP<double> model = reads_only(pixels, 0.25);
    const nn::Tensor<double> x = random_images<double>(4, 784, 43);
    const std::vector<int> labels(4, 0);
    sensitivity::maps::EvaluationOptions o;
    const sensitivity::maps::DeletionTable table = sensitivity::maps::deletion_test(model, x, labels, o);
    REQUIRE(table.rows.size() == 7);
    REQUIRE(table.rows[5].method == "random");
    REQUIRE(table.rows[6].method == "random, ink first");
    CHECK(table.fraction.front() == 0.0);
    CHECK(table.fraction.back() == 1.0);
    CHECK(table.fraction.size() == 21);
    const double random_auc = table.rows[5].auc;
    for (const auto& row : table.rows) {
        CAPTURE(row.method);
        CHECK(row.mean_probability.size() == 21);
        if (row.method.rfind("random", 0) != 0) CHECK(row.auc < 0.8 * random_auc);
    }
    // With everything deleted, the image is black and p_0 = 1/10 (all logits 0) for every order.
    CHECK(table.rows.front().mean_probability.back() == doctest::Approx(0.1).epsilon(1e-12));
    CHECK(table.rows[5].mean_probability.back() == doctest::Approx(0.1).epsilon(1e-12));

    std::ostringstream os;
    os << table;
    CHECK(os.str().find("integrated_gradients") != std::string::npos);
    const nlohmann::json j = table;
    CHECK(j["methods"].size() == 7);
    CHECK(j["methods"][5]["auc"].get<double>() == random_auc);
    CHECK(j["pairs"].size() == 21);                          // every pair of the 7 rows
}

TEST_CASE("the deletion curve starts at the model's probability and its AUC is the trapezoid area") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 44);
    const nn::Tensor<float> x = random_images<float>(3, 784, 45);
    const std::vector<int> labels = {2, 4, 6};
    const nn::Tensor<float> p = sensitivity::maps::predict(model, x);
    const sensitivity::maps::DeletionCurve c = sensitivity::maps::random_deletion_curve(model, x, labels, 3, 0.25);
    REQUIRE(c.fraction == std::vector<double>{0, 0.25, 0.5, 0.75, 1.0});
    CHECK(c.mean_probability[0] == doctest::Approx((p(0, 2) + p(1, 4) + p(2, 6)) / 3.0).epsilon(1e-6));
    double area = 0;
    for (std::size_t s = 1; s < 5; ++s) area += 0.25 * (c.mean_probability[s] + c.mean_probability[s - 1]) / 2;
    CHECK(c.auc == doctest::Approx(area).epsilon(1e-12));
    const sensitivity::maps::DeletionCurve again = sensitivity::maps::random_deletion_curve(model, x, labels, 3, 0.25);
    CHECK(again.mean_probability == c.mean_probability);
}

TEST_CASE("Spearman rank correlation on hand-worked examples") {
    const std::vector<double> a = {1, 2, 3, 4}, up = {10, 20, 30, 40}, down = {4, 3, 2, 1};
    CHECK(sensitivity::maps::spearman(a.data(), up.data(), 4) == doctest::Approx(1.0));
    CHECK(sensitivity::maps::spearman(a.data(), down.data(), 4) == doctest::Approx(-1.0));
    // Ties share their mean rank: ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4) -> 4.5 / sqrt(4.5 · 5) = 3/sqrt(10).
    const std::vector<double> tied = {1, 2, 2, 3};
    CHECK(sensitivity::maps::spearman(tied.data(), a.data(), 4) == doctest::Approx(3.0 / std::sqrt(10.0)));
    // Monotone but not linear: Spearman still 1.
    const std::vector<float> f = {0.1f, 5.f, 5.5f, 1000.f}, g = {-3.f, -2.f, 7.f, 8.f};
    CHECK(sensitivity::maps::spearman(f.data(), g.data(), 4) == doctest::Approx(1.0));
    const std::vector<double> flat = {2, 2, 2, 2};
    CHECK(sensitivity::maps::spearman(flat.data(), a.data(), 4) == 0.0);
}

TEST_CASE("importance is the signed map for every method: evidence against the class ranks last") {
    // Zeroing pixel j moves f_t by about -x_j·∂f_t/∂x_j with x_j >= 0, so for a gradient map as for x ⊙ gradient the
    // sign says whether deleting the pixel lowers the score. |map| (the old rule for the two gradient maps) would put
    // pixel 1, the strongest evidence AGAINST the class, first.
    const nn::Tensor<double> map = {{1.0, -2.0, 0.5}};                       // [1, 3]
    for (sensitivity::maps::Method m : sensitivity::maps::all_methods()) {
        CAPTURE(sensitivity::maps::method_name(m));
        const nn::Tensor<double> imp = sensitivity::maps::importance(m, map);
        CHECK(imp(0, 0) > imp(0, 2));                                        // +1 before +0.5
        CHECK(imp(0, 2) > imp(0, 1));                                        // +0.5 before -2
    }
}

TEST_CASE("sanity check: a model against itself correlates fully, against a re-randomized one far less") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 46);
    nn::MLP<float> same = model;
    const nn::Tensor<float> x = random_images<float>(4, 784, 47);
    const std::vector<int> labels = {1, 3, 5, 7};
    sensitivity::maps::EvaluationOptions o;
    o.attribution.smoothgrad.samples = 8;
    const sensitivity::maps::SanityTable self = sensitivity::maps::sanity_check(model, same, x, labels, o);
    REQUIRE(self.rows.size() == 5);
    for (const auto& r : self.rows) {
        CAPTURE(r.method);
        CHECK(r.spearman == doctest::Approx(1.0).epsilon(1e-9));
        CHECK(r.spearman_abs == doctest::Approx(1.0).epsilon(1e-9));
    }
    const sensitivity::maps::SanityTable other = sensitivity::maps::sanity_check(model, x, labels, o);
    std::ostringstream os;
    os << other;
    CHECK(os.str().find("occlusion") != std::string::npos);
    REQUIRE(other.rows.size() == 10);                        // cascading: W2 alone, then W2 and W1
    for (std::size_t k = 0; k < 10; ++k) {
        const auto& r = other.rows[k];
        CAPTURE(r.method);
        CAPTURE(r.randomized);
        CHECK(r.randomized == (k < 5 ? "W2" : "W2, W1"));
        CHECK(r.spearman < 0.5);
    }
    // Step "W2" is the trained W1, b1 under a He-initialised W2, b2; step "W2, W1" is the He-initialised model.
    nn::MLP<float> fresh(784, 16, 10, nn::Activation::Relu, o.randomized_model_seed);
    nn::MLP<float> top = fresh;
    top.tape().value(top.layer(0).W) = model.tape().value(model.layer(0).W);
    top.tape().value(top.layer(0).b) = model.tape().value(model.layer(0).b);
    const sensitivity::maps::SanityTable step1 = sensitivity::maps::sanity_check(model, top, x, labels, o);
    const sensitivity::maps::SanityTable step2 = sensitivity::maps::sanity_check(model, fresh, x, labels, o);
    for (std::size_t k = 0; k < 5; ++k) {
        CAPTURE(other.rows[k].method);
        CHECK(other.rows[k].spearman == doctest::Approx(step1.rows[k].spearman).epsilon(1e-12));
        CHECK(other.rows[k + 5].spearman == doctest::Approx(step2.rows[k].spearman).epsilon(1e-12));
        CHECK(other.rows[k].spearman_abs != doctest::Approx(other.rows[k + 5].spearman_abs).epsilon(1e-9));
    }
    const nlohmann::json j = other;
    CHECK(j["randomized_model_seed"].get<std::uint64_t>() == o.randomized_model_seed);
}

TEST_CASE("the cascading sanity check of a 784-16-8-10 net re-initialises W3, then W2, then W1, from the top") {
    nn::MLP<float> model(784, {16, 8}, 10, nn::Activation::Relu, 48);
    const nn::Tensor<float> x = random_images<float>(4, 784, 49);
    const std::vector<int> labels = {0, 2, 4, 6};
    sensitivity::maps::EvaluationOptions o;
    o.attribution.smoothgrad.samples = 8;
    const sensitivity::maps::SanityTable cascade = sensitivity::maps::sanity_check(model, x, labels, o);
    REQUIRE(cascade.rows.size() == 15);                      // 5 methods × 3 steps
    const char* steps[] = {"W3", "W3, W2", "W3, W2, W1"};
    for (std::size_t k = 0; k < 15; ++k) CHECK(cascade.rows[k].randomized == steps[k / 5]);
    // The last step is the He-initialised model of the same shape and seed; the trained weights are back after.
    nn::MLP<float> fresh(784, {16, 8}, 10, nn::Activation::Relu, o.randomized_model_seed);
    const sensitivity::maps::SanityTable whole = sensitivity::maps::sanity_check(model, fresh, x, labels, o);
    for (std::size_t k = 0; k < 5; ++k) {
        CAPTURE(whole.rows[k].method);
        CHECK(cascade.rows[k + 10].spearman == doctest::Approx(whole.rows[k].spearman).epsilon(1e-12));
    }
    const nn::MLP<float> again(784, {16, 8}, 10, nn::Activation::Relu, 48);
    for (std::size_t i = 0; i < 6; ++i)
        CHECK(model.tape().value(model.parameters()[i]) == again.tape().value(again.parameters()[i]));
}

// A relu network with random biases: along αx each hidden unit can switch on or off inside the path.
nn::MLP<double> kinked_relu(std::size_t hidden, std::uint64_t seed) {
    nn::MLP<double> model(784, hidden, 10, nn::Activation::Relu, seed);
    std::mt19937_64 rng(seed + 1);
    std::normal_distribution<double> g(0.0, 0.5);
    for (auto& v : model.tape().value(model.layer(0).b)) v = g(rng);
    for (auto& v : model.tape().value(model.layer(1).b)) v = g(rng);
    return model;
}

TEST_CASE("Gauss-Legendre with n nodes integrates polynomials of degree 2n - 1 exactly, and not 2n") {
    std::vector<double> xs, ws;
    for (std::size_t n : {1, 2, 5, 8, 16}) {
        CAPTURE(n);
        sensitivity::maps::gauss_legendre(n, xs, ws);
        auto integrate = [&](std::size_t k) {                // ∫_{-1}^{1} z^k dz by the rule
            double s = 0;
            for (std::size_t i = 0; i < n; ++i) s += ws[i] * std::pow(xs[i], static_cast<double>(k));
            return s;
        };
        for (std::size_t k = 0; k < 2 * n; ++k) {
            CAPTURE(k);
            CHECK(integrate(k) == doctest::Approx(k % 2 ? 0.0 : 2.0 / static_cast<double>(k + 1)).epsilon(1e-13));
        }
        CHECK(std::abs(integrate(2 * n) - 2.0 / static_cast<double>(2 * n + 1)) > 1e-12);
    }
    CHECK_THROWS(sensitivity::maps::gauss_legendre(17, xs, ws));
}

TEST_CASE("kink-aware integrated gradients are complete to 1e-6 and are the limit of the Riemann sums") {
    nn::MLP<double> model = kinked_relu(24, 50);
    const nn::Tensor<double> x = random_images<double>(5, 784, 51);
    const std::vector<int> t = {0, 2, 4, 6, 8};
    for (Output out : {Output::Softmax, Output::Logits}) {
        CAPTURE(std::string(sensitivity::maps::output_name(out)));
        sensitivity::maps::ExactIgStats stats;
        const nn::Tensor<double> exact = sensitivity::maps::integrated_gradients_exact(model, x, t, out, {}, &stats);
        CHECK(stats.kinks > 5);                              // the paths do cross kinks: the test tests them
        const sensitivity::maps::Completeness c = sensitivity::maps::completeness(model, x, t, exact, out);
        for (double d : c.output_change) CHECK(std::abs(d) > 1e-3);
        CHECK(c.max_relative_gap <= 1e-6);
        // The midpoint rule converges to it: the distance falls with every refinement and ends small.
        double previous = 1e9;
        const double scale = xt::amax(xt::abs(exact))();
        for (std::size_t m : {16, 256, 4096}) {
            CAPTURE(m);
            const nn::Tensor<double> riemann =
                sensitivity::maps::integrated_gradients(model, x, t, {m, sensitivity::maps::IgRule::Midpoint}, out);
            const double d = max_abs_diff(exact, riemann) / scale;
            CHECK(d < previous);
            previous = d;
        }
        CHECK(previous < 1e-3);
        // The rule is the one IgRule::KinkAware selects.
        CHECK(max_abs_diff(exact, sensitivity::maps::integrated_gradients(model, x, t, {1, sensitivity::maps::IgRule::KinkAware},
                                                                    out)) == 0.0);
    }
}

TEST_CASE("kink-aware integrated gradients from another baseline, in float, and refusing a tanh network") {
    nn::MLP<double> model = kinked_relu(16, 52);
    const nn::Tensor<double> x = random_images<double>(3, 784, 53);
    const nn::Tensor<double> base = random_images<double>(3, 784, 54);        // one baseline per image
    const std::vector<int> t = {1, 5, 9};
    const nn::Tensor<double> a = sensitivity::maps::integrated_gradients_exact(model, x, t, base, Output::Softmax);
    CHECK(sensitivity::maps::completeness(model, x, t, a, Output::Softmax, &base).max_relative_gap <= 1e-6);
    // One baseline [1, D] shared by every image is the same as that row repeated [N, D].
    const nn::Tensor<double> one = xt::view(base, xt::range(0, 1), xt::all());               // [1, 784]
    nn::Tensor<double> repeated = base;
    for (std::size_t n = 1; n < 3; ++n) xt::view(repeated, n, xt::all()) = xt::view(base, 0, xt::all());
    const nn::Tensor<double> shared = sensitivity::maps::integrated_gradients_exact(model, x, t, one, Output::Softmax);
    CHECK(max_abs_diff(shared, sensitivity::maps::integrated_gradients_exact(model, x, t, repeated, Output::Softmax)) <=
          1e-14 * xt::amax(xt::abs(shared))());
    CHECK(sensitivity::maps::completeness(model, x, t, shared, Output::Softmax, &one).max_relative_gap <= 1e-6);
    CHECK_THROWS(sensitivity::maps::integrated_gradients_exact(model, x, t, nn::Tensor<double>(xt::zeros<double>({2, 784}))));
    // Float model and images: the same arithmetic in double inside, so the float map is the double one rounded.
    nn::MLP<float> model_f(model);
    const nn::Tensor<float> x_f = xt::cast<float>(x);
    const nn::Tensor<float> a_f = sensitivity::maps::integrated_gradients_exact(model_f, x_f, t, Output::Softmax);
    nn::MLP<double> back(model_f);
    const nn::Tensor<double> a_d =
        sensitivity::maps::integrated_gradients_exact(back, nn::Tensor<double>(xt::cast<double>(x_f)), t, Output::Softmax);
    CHECK(max_abs_diff(nn::Tensor<double>(xt::cast<double>(a_f)), a_d) <= 1e-7 * xt::amax(xt::abs(a_d))());
    nn::MLP<double> smooth(784, 8, 10, nn::Activation::Tanh, 55);
    CHECK_THROWS_WITH(sensitivity::maps::integrated_gradients_exact(smooth, x, t),
                      "integrated_gradients_exact: needs a relu network, this one uses tanh (use integrated_gradients)");
}

TEST_CASE("occlusion's probability drop has no cancellation on confident images (double reference)") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 56);
    const nn::Tensor<double> x = random_images<double>(4, 784, 57);
    // Make class t win by a wide margin: its column of W2 gets a large positive weight on every unit.
    auto& W2 = model.tape().value(model.layer(1).W);
    for (std::size_t h = 0; h < 16; ++h) W2(h, 3) = std::abs(W2(h, 3)) + 1.0;
    model.tape().value(model.layer(1).b)(0, 3) = 8.0;
    const std::vector<int> t(4, 3);
    const nn::Tensor<double> p = sensitivity::maps::predict(model, x);
    for (std::size_t n = 0; n < 4; ++n) {
        CAPTURE(n);
        REQUIRE(1 - p(n, 3) < 1e-5);                          // the regime where p_t − p'_t cancels
    }
    const sensitivity::maps::OcclusionOptions o{4, 4};              // 49 patches, every pixel in exactly one
    const nn::Tensor<double> ref = sensitivity::maps::occlusion(model, x, t, o, Output::Softmax);   // [4, 784] double
    nn::MLP<float> model_f(model);
    const nn::Tensor<float> x_f = xt::cast<float>(x);
    const nn::Tensor<float> map = sensitivity::maps::occlusion(model_f, x_f, t, o, Output::Softmax);
    const double top = xt::amax(xt::abs(ref))();
    REQUIRE(top > 0);
    const double err = max_abs_diff(nn::Tensor<double>(xt::cast<double>(map)), ref) / top;
    MESSAGE("occlusion, probability target, float vs double: " << err << " of the map's maximum " << top);
    CHECK(err <= 1e-4);
    // The naive float difference of two probabilities near 1 fails the same bar: the test can fail.
    nn::Tensor<float> naive({4, 784});
    nn::Tensor<float> two({std::size_t(2), std::size_t(784)});
    for (std::size_t n = 0; n < 4; ++n)
        for (std::size_t py = 0; py < 28; py += 4)
            for (std::size_t px = 0; px < 28; px += 4) {
                xt::view(two, 0, xt::all()) = xt::view(x_f, n, xt::all());
                xt::view(two, 1, xt::all()) = xt::view(x_f, n, xt::all());
                for (std::size_t r = py; r < py + 4; ++r)
                    for (std::size_t c = px; c < px + 4; ++c) two(1, r * 28 + c) = 0;
                const nn::Tensor<float> pf = sensitivity::maps::predict(model_f, two);
                for (std::size_t r = py; r < py + 4; ++r)
                    for (std::size_t c = px; c < px + 4; ++c) naive(n, r * 28 + c) = pf(0, 3) - pf(1, 3);
            }
    const double naive_err = max_abs_diff(nn::Tensor<double>(xt::cast<double>(naive)), ref) / top;
    MESSAGE("naive float p - p': " << naive_err << " of the map's maximum");
    CHECK(naive_err > 1e-4);
    // The drop formula itself on hand-made logits: p_t − p'_t to full double precision, not a difference near 1.
    const std::vector<double> l = {20, 0, 0}, lo = {20, 1e-3, 0};   // p_0 ≈ 1 − 2e-9
    const double exact = 1 / (1 + 2 * std::exp(-20.0)) - 1 / (1 + std::exp(-20.0) + std::exp(1e-3 - 20.0));
    CHECK(sensitivity::maps::score_drop(l.data(), lo.data(), 3, 0, Output::Softmax) == doctest::Approx(exact).epsilon(1e-6));
}

TEST_CASE("the logit target: float gradient, SmoothGrad and occlusion match their double reference") {
    nn::MLP<double> model = kinked_relu(16, 58);
    const nn::Tensor<double> x = random_images<double>(3, 784, 59);
    const std::vector<int> t = {2, 7, 9};
    nn::MLP<float> model_f(model);
    const nn::Tensor<float> x_f = xt::cast<float>(x);
    sensitivity::maps::AttributionOptions o;
    o.smoothgrad.samples = 4;
    CHECK(o.out == Output::Logits);                           // the papers' default
    for (Method m : {Method::Gradient, Method::SmoothGrad, Method::Occlusion}) {
        CAPTURE(sensitivity::maps::method_name(m));
        const nn::Tensor<double> ref = sensitivity::maps::attribution(model, x, t, m, o);
        const nn::Tensor<float> f = sensitivity::maps::attribution(model_f, x_f, t, m, o);
        const double top = xt::amax(xt::abs(ref))();
        CHECK(max_abs_diff(nn::Tensor<double>(xt::cast<double>(f)), ref) <= 1e-4 * top);
        // It is the logit's map: for the gradient, exactly class_gradient of the logits.
        if (m == Method::Gradient) CHECK(max_abs_diff(ref, sensitivity::maps::class_gradient(model, x, t, Output::Logits)) == 0.0);
    }
}

TEST_CASE("insertion curves and paired standard errors, worked by hand") {
    std::vector<std::size_t> pixels;
    for (std::size_t j = 300; j < 340; ++j) pixels.push_back(j);
    nn::MLP<double> model = reads_only(pixels, 0.25);
    const nn::Tensor<double> x = random_images<double>(5, 784, 60);
    const std::vector<int> labels(5, 0);
    nn::Tensor<double> good = xt::zeros<double>({std::size_t(5), std::size_t(784)});
    for (std::size_t n = 0; n < 5; ++n)
        for (std::size_t j : pixels) good(n, j) = x(n, j);   // the pixels the model reads, by value
    const nn::Tensor<double> bad = -good;
    sensitivity::maps::EvaluationOptions o;
    const sensitivity::maps::DeletionTable ins = sensitivity::maps::pixel_test<double>(
        model, x, labels, {{"good", good}, {"bad", bad}}, sensitivity::maps::PixelTest::Insertion, o);
    REQUIRE(ins.rows.size() == 4);
    // Insertion starts at the black image (all logits 0: p = 0.1) and ends at the image itself.
    const nn::Tensor<double> p = sensitivity::maps::predict(model, x);
    double mean_p = 0;
    for (std::size_t n = 0; n < 5; ++n) mean_p += p(n, 0) / 5;
    for (const auto& r : ins.rows) {
        CAPTURE(r.method);
        CHECK(r.mean_probability.front() == doctest::Approx(0.1).epsilon(1e-12));
        CHECK(r.mean_probability.back() == doctest::Approx(mean_p).epsilon(1e-12));
        double m = 0;
        for (double a : r.image_auc) m += a / 5;
        CHECK(m == doctest::Approx(r.auc).epsilon(1e-12));  // the mean curve's AUC is the mean per-image AUC
    }
    CHECK(ins.rows[0].auc > ins.rows[2].auc);                // reading pixels first beats a random order ...
    CHECK(ins.rows[1].auc < ins.rows[2].auc);                // ... and last loses to it
    // The paired standard error: sd of the per-image differences / √N.
    const auto& pair = ins.pairs[0];
    REQUIRE((pair.a == "good" && pair.b == "bad"));
    std::vector<double> d;
    for (std::size_t n = 0; n < 5; ++n) d.push_back(ins.rows[0].image_auc[n] - ins.rows[1].image_auc[n]);
    double mean = 0, ss = 0;
    for (double e : d) mean += e / 5;
    for (double e : d) ss += (e - mean) * (e - mean);
    CHECK(pair.difference == doctest::Approx(mean).epsilon(1e-12));
    CHECK(pair.se == doctest::Approx(std::sqrt(ss / 4 / 5)).epsilon(1e-12));
    // A map against itself: difference and paired s.e. exactly 0, though each AUC has its own spread.
    const sensitivity::maps::DeletionTable self = sensitivity::maps::pixel_test<double>(
        model, x, labels, {{"a", good}, {"b", good}}, sensitivity::maps::PixelTest::Deletion, o);
    CHECK(self.pairs[0].difference == 0.0);
    CHECK(self.pairs[0].se == 0.0);
    CHECK(self.rows[0].auc_se > 0);
}

TEST_CASE("every method name parses back, and a wrong one is refused") {
    for (Method m : sensitivity::maps::all_methods()) CHECK(sensitivity::maps::parse_method(sensitivity::maps::method_name(m)) == m);
    CHECK_THROWS_WITH(sensitivity::maps::parse_method("lime"),
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
    nn::MLP<float> model = nn::training::load_model(env_or("NNSENSE_MODEL", "out/model"));
    const datasets::Split mnist = datasets::load_mnist(env_or("NNSENSE_DATA", "data") + "/mnist");
    const nn::Tensor<float> x = mnist.test.to_float<float>(0, 200);
    const std::vector<int> labels(mnist.test.labels.begin(), mnist.test.labels.begin() + 200);

    const sensitivity::maps::FdReport fd = sensitivity::maps::fd_check(model, x, 10);
    MESSAGE("fd_check, 10 images: double rel " << fd.max_rel_error << ", float rel " << fd.float_max_rel_error
                                              << ", skipped " << fd.pairs_skipped << " of "
                                              << fd.pairs_skipped + fd.pairs_compared);
    CHECK(fd.passed);

    // The reference: 64 midpoint steps on the probability target (relu kinks cost it accuracy on a few images).
    const nn::Tensor<float> ig =
        sensitivity::maps::integrated_gradients(model, x, labels, {64, sensitivity::maps::IgRule::Midpoint}, Output::Softmax);
    const sensitivity::maps::Completeness c = sensitivity::maps::completeness(model, x, labels, ig, Output::Softmax);
    std::size_t over = 0;
    for (double g : c.relative_gap) over += g > 0.01;
    MESSAGE("IG completeness at 64 steps, 200 images: mean relative gap " << c.mean_relative_gap << ", max "
                                                                         << c.max_relative_gap << ", "
                                                                         << over << " above 1%");
    CHECK(c.mean_relative_gap <= 0.01);
    CHECK(over <= x.shape(0) / 20);
    // Kink-aware IG: complete to 1e-6 on every image, for both targets (in double: the same weights and pixels).
    nn::MLP<double> model_d(model);
    const nn::Tensor<double> x_d = xt::cast<double>(x);
    for (Output out : {Output::Softmax, Output::Logits}) {
        CAPTURE(std::string(sensitivity::maps::output_name(out)));
        const nn::Tensor<double> exact = sensitivity::maps::integrated_gradients_exact(model_d, x_d, labels, out);
        const sensitivity::maps::Completeness e = sensitivity::maps::completeness(model_d, x_d, labels, exact, out);
        MESSAGE("kink-aware IG, " << std::string(sensitivity::maps::output_name(out)) << ": max relative gap " << e.max_relative_gap);
        CHECK(e.max_relative_gap <= 1e-6);
    }
    // Occlusion on the real, often very confident images: float against double, probability and logit targets.
    for (Output out : {Output::Softmax, Output::Logits}) {
        CAPTURE(std::string(sensitivity::maps::output_name(out)));
        const nn::Tensor<float> few_x = mnist.test.to_float<float>(0, 50);
        const std::vector<int> few_t(labels.begin(), labels.begin() + 50);
        const nn::Tensor<double> ref = sensitivity::maps::occlusion(model_d, nn::Tensor<double>(xt::cast<double>(few_x)),
                                                              few_t, {4, 2}, out);
        const nn::Tensor<float> map = sensitivity::maps::occlusion(model, few_x, few_t, {4, 2}, out);
        double worst = 0;                                     // per image, relative to that image's map maximum
        for (std::size_t n = 0; n < 50; ++n) {
            double top = 0, err = 0;
            for (std::size_t j = 0; j < 784; ++j) {
                top = std::max(top, std::abs(ref(n, j)));
                err = std::max(err, std::abs(static_cast<double>(map(n, j)) - ref(n, j)));
            }
            if (top > 0) worst = std::max(worst, err / top);
        }
        MESSAGE("occlusion float vs double, " << std::string(sensitivity::maps::output_name(out)) << ": worst image " << worst
                                              << " of its map's maximum");
        CHECK(worst <= 1e-4);
    }

    sensitivity::maps::EvaluationOptions o;
    const sensitivity::maps::DeletionTable del = sensitivity::maps::deletion_test(model, x, labels, o);
    std::ostringstream os;
    os << del;
    const nn::Tensor<float> few = mnist.test.to_float<float>(0, 50);
    const sensitivity::maps::SanityTable san =
        sensitivity::maps::sanity_check(model, few, std::vector<int>(labels.begin(), labels.begin() + 50), o);
    os << san;
    const sensitivity::maps::DeletionTable ins = sensitivity::maps::insertion_test(model, x, labels, o);
    os << ins;
    MESSAGE(os.str());
    REQUIRE(del.rows[5].method == "random");
    for (const auto& row : del.rows)
        if (row.method.rfind("random", 0) != 0) CHECK(row.auc < del.rows[5].auc);
    for (const auto& row : ins.rows)
        if (row.method.rfind("random", 0) != 0) CHECK(row.auc > ins.rows[5].auc);
    for (const auto& row : san.rows) CHECK(std::abs(row.spearman) < 0.5);
    CHECK(san.rows.size() == 2 * o.methods.size());
}
}

// ---------------------------------------------------------------- any model, not only the MLP
namespace {
// A three-layer network 5-4-4-3 (linear, tanh, linear, tanh, linear) built from nn::Linear by hand: not an nn::MLP,
// and without layers()/activation, so the maps see only what model.hpp asks of every model.
struct ThreeLayerTanh {
    nn::Tape<double> tape_;
    nn::Linear l1, l2, l3;
    explicit ThreeLayerTanh(std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        l1 = nn::make_linear(tape_, 5, 4, rng);
        l2 = nn::make_linear(tape_, 4, 4, rng);
        l3 = nn::make_linear(tape_, 4, 3, rng);
        for (nn::Var b : {l1.b, l2.b, l3.b})                             // non-zero biases: a less symmetric net
            for (double& v : tape_.value(b)) v = std::normal_distribution<double>(0.0, 0.5)(rng);
    }
    nn::Tape<double>& tape() { return tape_; }
    std::vector<nn::Var> parameters() const { return {l1.W, l1.b, l2.W, l2.b, l3.W, l3.b}; }
    nn::Var logits(nn::Var x) {
        nn::Var h1 = tape_.tanh(nn::forward(tape_, l1, x));              // [B, 4]
        nn::Var h2 = tape_.tanh(nn::forward(tape_, l2, h1));             // [B, 4]
        return nn::forward(tape_, l3, h2);                               // [B, 3]
    }
    std::size_t in() const { return 5; }
    std::size_t out() const { return 3; }
};
}  // namespace

TEST_CASE("the maps take any model: a hand-built three-layer tanh net's Jacobian and gradient x input match FD in double") {
    ThreeLayerTanh model(21);
    const nn::Tensor<double> x = random_images<double>(4, 5, 22);        // [4, 5]
    const std::size_t size = model.tape().size();
    for (Output out : {Output::Softmax, Output::Logits}) {
        CAPTURE(std::string(sensitivity::maps::output_name(out)));
        const xt::xtensor<double, 3> J = sensitivity::maps::jacobian(model, x, out);    // [4, 3, 5]
        const auto fd = sensitivity::maps::fd_jacobian(model, x, 1e-6, out);
        const auto cmp = sensitivity::maps::compare_jacobians(J, fd);
        CHECK(cmp.pairs_skipped == 0);                                   // no layers listed: nothing skipped
        CHECK(cmp.pairs_compared == 4 * 3 * 5);
        CHECK(xt::amax(xt::abs(J))() > 1e-2);                            // not a trivially zero Jacobian
        CHECK(cmp.max_rel_error <= 1e-7);
        // gradient × input for target class n % 3 equals x ⊙ (that row of the FD Jacobian).
        const std::vector<int> t = {0, 1, 2, 0};
        const nn::Tensor<double> a = sensitivity::maps::gradient_times_input(model, x, t, out);   // [4, 5]
        double worst = 0, scale = 0;
        for (std::size_t n = 0; n < 4; ++n)
            for (std::size_t j = 0; j < 5; ++j) {
                const double expect = x(n, j) * fd.J(n, static_cast<std::size_t>(t[n]), j);
                worst = std::max(worst, std::abs(a(n, j) - expect));
                scale = std::max(scale, std::abs(expect));
            }
        CHECK(scale > 1e-3);
        CHECK(worst <= 1e-7 * scale);
    }
    // Integrated Gradients through the dispatch: no dense layers listed, so the midpoint rule, and complete.
    sensitivity::maps::AttributionOptions o;                              // asks for KinkAware by default
    o.ig.steps = 256;
    const std::vector<int> t = {2, 1, 0, 2};
    const nn::Tensor<double> ig = sensitivity::maps::attribution(model, x, t, Method::IntegratedGradients, o);
    CHECK(sensitivity::maps::completeness(model, x, t, ig).max_relative_gap <= 1e-4);
    CHECK_THROWS_WITH(sensitivity::maps::integrated_gradients_exact(model, x, t),
                      "integrated_gradients_exact: needs a network of two dense layers with relu between them, this "
                      "one has 0 dense layers (use integrated_gradients)");
    CHECK(model.tape().size() == size);                                  // every map rewound what it recorded
    for (nn::Var p : model.parameters()) CHECK(model.tape().node(p).requires_grad);   // and gave the flags back
}
