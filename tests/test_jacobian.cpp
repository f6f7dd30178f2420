// tests/test_jacobian.cpp — the input Jacobian read from one tape is the true derivative, and the FD check can fail.
// Small random networks (suite unit) and the committed trained model (suite slow); attribution is test_attribution.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include "datasets/dataset.hpp"
#include "nn/argmax.hpp"
#include "nn/gradcheck.hpp"
#include "nn/mlp.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "tests/random_images.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace {
using sensitivity::maps::Output;

double max_abs(const xt::xtensor<double, 3>& J) {
    double m = 0;
    for (double v : J) m = std::max(m, std::abs(v));
    return m;
}
}  // namespace

TEST_CASE("the tape Jacobian matches central differences in double for relu, sigmoid, tanh, leaky_relu and gelu") {
    for (nn::Activation act : {nn::Activation::Relu, nn::Activation::Sigmoid, nn::Activation::Tanh,
                               nn::Activation::LeakyRelu, nn::Activation::Gelu})
        for (Output out : {Output::Softmax, Output::Logits}) {
            CAPTURE(nn::activation_name(act));
            CAPTURE(sensitivity::maps::output_name(out));
            nn::MLP<double> model(6, 5, 3, act, 11);
            const nn::Tensor<double> x = random_images<double>(4, 6, 12);
            const auto J = sensitivity::maps::jacobian(model, x, out);
            REQUIRE(J.shape(0) == 4);
            REQUIRE(J.shape(1) == 3);
            REQUIRE(J.shape(2) == 6);
            const auto fd = sensitivity::maps::fd_jacobian(model, x, 1e-6, out);
            const auto cmp = sensitivity::maps::compare_jacobians(J, fd);
            CHECK(cmp.pairs_compared + cmp.pairs_skipped == 4 * 3 * 6);
            CHECK(cmp.pairs_compared > 0);
            CHECK(max_abs(J) > 1e-3);                      // not a trivially zero Jacobian
            CHECK(cmp.max_rel_error <= 1e-6);
        }
}

TEST_CASE("ten backward passes over the batch equal one backward per image") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 3);
    const nn::Tensor<double> x = random_images<double>(5, 784, 4);
    const auto J = sensitivity::maps::jacobian(model, x);
    const double scale = max_abs(J);
    double worst = 0;
    sensitivity::maps::InputGradient<double> grad(model);
    for (std::size_t n = 0; n < 5; ++n) {
        grad.forward(x, n, 1);                              // a tape holding this image alone
        for (std::size_t i = 0; i < 10; ++i) {
            nn::Tensor<double> seed = xt::zeros<double>({std::size_t(1), std::size_t(10)});
            seed(0, i) = 1;
            const nn::Tensor<double>& dx = grad.backward(seed);
            for (std::size_t j = 0; j < 784; ++j) worst = std::max(worst, std::abs(dx(0, j) - J(n, i, j)));
        }
    }
    CHECK(scale > 0);
    CHECK(worst <= 1e-13 * scale);
}

TEST_CASE("any seed through InputGradient equals the tape's own walk from the softmax node") {
    // InputGradient (frozen parameters, its own scope on the tape) must agree, for a dense random seed, with
    // recording softmax on the tape by hand and calling backward from there with the parameters trainable.
    nn::MLP<double> model(784, 16, 10, nn::Activation::Sigmoid, 31);
    const nn::Tensor<double> x = random_images<double>(4, 784, 32);
    nn::Tensor<double> seed = random_images<double>(4, 10, 33);
    seed -= 0.5;
    nn::Tensor<double> by_tape;
    {
        nn::Var xv = model.tape().leaf(x, true);
        nn::Var p = model.tape().softmax(model.logits(xv));
        model.tape().backward(p, seed);
        by_tape = model.tape().grad(xv);                       // [4, 784]
        model.reset();
    }
    sensitivity::maps::InputGradient<double> grad(model);
    grad.forward(x);
    const nn::Tensor<double>& dx = grad.backward(seed);
    CHECK(xt::amax(xt::abs(by_tape))() > 1e-4);
    CHECK(xt::allclose(dx, by_tape, 1e-10, 1e-15));
}

TEST_CASE("a repeated backward walk on one tape gives bit-identical gradients") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 5);
    const nn::Tensor<float> x = random_images<float>(7, 784, 6);
    sensitivity::maps::InputGradient<float> grad(model);
    grad.forward(x);
    const std::vector<int> cls = {0, 1, 2, 3, 4, 5, 6};
    const nn::Tensor<float> first = grad.backward_classes(cls);
    const nn::Tensor<float> second = grad.backward_classes(cls);   // leaf grads would double if not zeroed
    CHECK(first == second);
    CHECK(xt::amax(xt::abs(first))() > 0.f);
    // And the whole Jacobian, recorded twice on the same model, is the same to the bit.
    const auto J1 = sensitivity::maps::jacobian(model, x);
    const auto J2 = sensitivity::maps::jacobian(model, x);
    CHECK(J1 == J2);
}

TEST_CASE("chunking the batch does not change the Jacobian") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Tanh, 7);
    const nn::Tensor<double> x = random_images<double>(5, 784, 8);
    const auto whole = sensitivity::maps::jacobian(model, x, Output::Softmax, 1000);
    const auto chunked = sensitivity::maps::jacobian(model, x, Output::Softmax, 2);
    CHECK(xt::allclose(whole, chunked, 1e-12, 1e-15));
}

TEST_CASE("softmax Jacobian rows sum to zero over the outputs") {
    // Σ_i p_i = 1 for every x, so Σ_i ∂p_i/∂x_j = 0.
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 9);
    const nn::Tensor<double> x = random_images<double>(6, 784, 10);
    const auto J = sensitivity::maps::jacobian(model, x);
    double worst = 0;
    for (std::size_t n = 0; n < 6; ++n)
        for (std::size_t j = 0; j < 784; ++j) {
            double s = 0;
            for (std::size_t i = 0; i < 10; ++i) s += J(n, i, j);
            worst = std::max(worst, std::abs(s));
        }
    CHECK(max_abs(J) > 1e-3);
    CHECK(worst <= 1e-12);
    // The logits have no such constraint: their columns do not sum to zero.
    const auto L = sensitivity::maps::jacobian(model, x, Output::Logits);
    double logit_sum = 0;
    for (std::size_t i = 0; i < 10; ++i) logit_sum += L(0, i, 0);
    CHECK(std::abs(logit_sum) > 1e-6);
}

TEST_CASE("the logits Jacobian of a network whose relu is always on equals W1·W2") {
    nn::MLP<double> model(20, 8, 4, nn::Activation::Relu, 13);
    auto& b1 = model.tape().value(model.layer(0).b);
    b1.fill(100.0);                                          // every pre-activation > 0: the path is linear
    const nn::Tensor<double> x = random_images<double>(3, 20, 14);
    const auto J = sensitivity::maps::jacobian(model, x, Output::Logits);
    const auto& W1 = model.tape().value(model.layer(0).W);
    const auto& W2 = model.tape().value(model.layer(1).W);
    double worst = 0;
    for (std::size_t n = 0; n < 3; ++n)
        for (std::size_t i = 0; i < 4; ++i)
            for (std::size_t j = 0; j < 20; ++j) {
                double w = 0;                                // (W1·W2)[j, i], by hand
                for (std::size_t u = 0; u < 8; ++u) w += W1(j, u) * W2(u, i);
                worst = std::max(worst, std::abs(J(n, i, j) - w));
            }
    CHECK(worst <= 1e-14);
}

TEST_CASE("class, predicted-class and difference maps are the matching slices of the Jacobian") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 15);
    const nn::Tensor<float> x = random_images<float>(6, 784, 16);
    const auto J = sensitivity::maps::jacobian(model, x);
    const std::vector<int> labels = {3, 1, 4, 1, 5, 9};
    auto slice = [&](std::size_t n, std::size_t i) { return xt::xtensor<float, 1>(xt::view(J, n, i, xt::all())); };

    const nn::Tensor<float> by_label = sensitivity::maps::class_gradient(model, x, labels);
    const nn::Tensor<float> all_seven = sensitivity::maps::class_gradient(model, x, 7);
    std::vector<int> predicted;
    const nn::Tensor<float> by_prediction = sensitivity::maps::predicted_class_gradient(model, x, Output::Softmax, &predicted);
    const nn::Tensor<float> diff = sensitivity::maps::class_difference_gradient(model, x, 2, 8);
    const nn::Tensor<float> p = sensitivity::maps::predict(model, x);
    REQUIRE(predicted.size() == 6);
    for (std::size_t n = 0; n < 6; ++n) {
        CAPTURE(n);
        const auto pn = xt::xtensor<float, 1>(xt::view(p, n, xt::all()));
        CHECK(predicted[n] == static_cast<int>(xt::argmax(pn)()));
        CHECK(xt::allclose(xt::view(by_label, n, xt::all()), slice(n, static_cast<std::size_t>(labels[n])), 1e-5, 1e-9));
        CHECK(xt::allclose(xt::view(all_seven, n, xt::all()), slice(n, 7), 1e-5, 1e-9));
        CHECK(xt::allclose(xt::view(by_prediction, n, xt::all()), slice(n, static_cast<std::size_t>(predicted[n])), 1e-5, 1e-9));
        const xt::xtensor<float, 1> d = slice(n, 2) - slice(n, 8);
        CHECK(xt::allclose(xt::view(diff, n, xt::all()), d, 1e-4, 1e-8));
    }
}

TEST_CASE("the dataset summary is the mean |∂p_label/∂x| per true class") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 17);
    const nn::Tensor<double> x = random_images<double>(8, 784, 18);
    const std::vector<int> labels = {0, 2, 2, 5, 0, 2, 9, 9};
    const auto J = sensitivity::maps::jacobian(model, x);
    const auto s = sensitivity::maps::summarize(model, x, labels);
    REQUIRE(s.per_class.shape(0) == 10);
    CHECK(s.counts[0] == 2);
    CHECK(s.counts[2] == 3);
    CHECK(s.counts[1] == 0);
    double worst = 0;
    for (std::size_t c = 0; c < 10; ++c)
        for (std::size_t j = 0; j < 784; ++j) {
            double sum = 0, all = 0;
            std::size_t k = 0;
            for (std::size_t n = 0; n < 8; ++n) {
                const double a = std::abs(J(n, static_cast<std::size_t>(labels[n]), j));
                if (c == 0) all += a / 8;
                if (labels[n] == static_cast<int>(c)) sum += a, ++k;
            }
            const double expect = k ? sum / static_cast<double>(k) : 0.0;
            worst = std::max(worst, std::abs(s.per_class(c, j) - expect));
            if (c == 0) worst = std::max(worst, std::abs(s.overall(j) - all));
        }
    CHECK(worst <= 1e-14);
}

TEST_CASE("the summary over chunks from a row source equals the summary over the whole tensor") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Relu, 17);
    const nn::Tensor<double> x = random_images<double>(8, 784, 18);
    const std::vector<int> labels = {0, 2, 2, 5, 0, 2, 9, 9};
    const auto whole = sensitivity::maps::summarize(model, x, labels);
    std::vector<std::pair<std::size_t, std::size_t>> asked;
    const sensitivity::maps::RowSource<double>::type rows = [&](std::size_t begin, std::size_t count, nn::Tensor<double>& xc) {
        asked.emplace_back(begin, count);
        xc = xt::view(x, xt::range(begin, begin + count), xt::all());
    };
    const auto chunked = sensitivity::maps::summarize(model, rows, labels, sensitivity::maps::Output::Softmax, 3);
    CHECK(asked == std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}, {3, 3}, {6, 2}});  // at most 3 rows a time
    CHECK(chunked.counts == whole.counts);
    CHECK(xt::allclose(chunked.per_class, whole.per_class, 1e-12, 1e-15));
    CHECK(xt::allclose(chunked.overall, whole.overall, 1e-12, 1e-15));

    const sensitivity::maps::RowSource<double>::type short_rows = [&](std::size_t, std::size_t count, nn::Tensor<double>& xc) {
        xc = xt::zeros<double>({count - 1, std::size_t(784)});
    };
    CHECK_THROWS_WITH_AS(sensitivity::maps::summarize(model, short_rows, labels), "summarize: asked for 8 images, got 7",
                         std::invalid_argument);
}

TEST_CASE("taking a Jacobian leaves the model trainable and its tape rewound") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 19);
    const std::size_t params_only = model.tape().size();
    (void)sensitivity::maps::jacobian(model, random_images<float>(2, 784, 20));
    CHECK(model.tape().size() == params_only);
    CHECK(model.tape().node(model.layer(0).W).requires_grad);
    CHECK(model.tape().node(model.layer(1).b).requires_grad);
    model.set_trainable(false);
    (void)sensitivity::maps::jacobian(model, random_images<float>(2, 784, 20));
    CHECK_FALSE(model.tape().node(model.layer(0).W).requires_grad);
}

TEST_CASE("a wrong input width or class is refused with a message naming it") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 21);
    CHECK_THROWS_WITH(sensitivity::maps::jacobian(model, random_images<float>(2, 700, 1)),
                      "jacobian: input has 700 columns, the model expects 784");
    CHECK_THROWS_WITH(sensitivity::maps::class_gradient(model, random_images<float>(2, 784, 1), 10),
                      "InputGradient::backward_classes: class 10 is outside 0..9");
}

TEST_CASE("fd_check passes on a random float model, double within 1e-6 and float within 1e-3") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 23);
    const nn::Tensor<float> x = random_images<float>(4, 784, 24);
    const sensitivity::maps::FdReport r = sensitivity::maps::fd_check(model, x, 3, 1e-6);
    CHECK(r.images == 3);
    CHECK(r.pairs_compared + r.pairs_skipped == 3 * 10 * 784);
    CHECK(r.pairs_compared > 3 * 10 * 700);
    CHECK(r.max_rel_error <= 1e-6);
    CHECK(r.float_max_rel_error <= 1e-3);
    CHECK(r.float_max_rel_error > r.max_rel_error);          // float really is the coarser one
    CHECK(r.passed);
}

TEST_CASE("a confident prediction (1 - p between 1e-12 and 1e-5) keeps its Jacobian precise, in float and in the FD check") {
    // Every ∂p/∂x of a saturated softmax is O(1 − p_max). Forming 1 − p by subtraction would leave float with
    // ~eps/(1 − p) ≈ 1 relative error and the double difference quotient with eps/(h(1 − p)) ≈ 1e-4.
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 29);
    const nn::Tensor<float> x = random_images<float>(2, 784, 30);
    auto& W2 = model.tape().value(model.layer(1).W);
    W2 *= 40.f;                                              // large logit gaps
    nn::MLP<double> model64(model);
    const nn::Tensor<double> l = sensitivity::maps::predict(model64, nn::Tensor<double>(xt::cast<double>(x)), Output::Logits);
    for (std::size_t n = 0; n < 2; ++n) {
        const double lmax = xt::amax(xt::view(l, n, xt::all()))();
        double rest = 0, all = 0;                            // 1 − p_max = Σ_{k ≠ max} e^{l_k − lmax} / Σ_k e^{l_k − lmax}
        for (std::size_t k = 0; k < 10; ++k) {
            all += std::exp(l(n, k) - lmax);
            if (l(n, k) != lmax) rest += std::exp(l(n, k) - lmax);
        }
        CHECK(rest / all < 1e-5);
        CHECK(rest / all > 1e-12);
    }
    const sensitivity::maps::FdReport r = sensitivity::maps::fd_check(model, x, 2);
    CHECK(r.pairs_compared > 2 * 10 * 700);                  // the check compared almost everything, it skipped little
    CHECK(r.float_pairs_compared > 0);                       // and the float network's maps were compared too
    CHECK(r.max_rel_error <= 1e-6);
    CHECK(r.float_max_rel_error <= 1e-3);
    CHECK(r.passed);
}

TEST_CASE("the finite-difference comparison fails for a corrupted Jacobian") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Sigmoid, 25);
    const nn::Tensor<double> x = random_images<double>(2, 784, 26);
    const auto J = sensitivity::maps::jacobian(model, x);
    const auto fd = sensitivity::maps::fd_jacobian(model, x, 1e-6);
    REQUIRE(sensitivity::maps::compare_jacobians(J, fd).max_rel_error <= 1e-6);
    const double scale = max_abs(J);

    SUBCASE("one entry off by 1e-5 of the image's largest sensitivity") {
        auto bad = J;
        bad(1, 4, 300) += 1e-5 * scale;
        CHECK(sensitivity::maps::compare_jacobians(bad, fd).max_rel_error > 1e-6);
    }
    SUBCASE("two classes swapped") {
        auto bad = J;
        xt::view(bad, 0, 3, xt::all()) = xt::view(J, 0, 5, xt::all());
        xt::view(bad, 0, 5, xt::all()) = xt::view(J, 0, 3, xt::all());
        CHECK(sensitivity::maps::compare_jacobians(bad, fd).max_rel_error > 1e-3);
    }
    SUBCASE("the sign of one small entry flipped") {
        auto bad = J;
        std::size_t jmin = 0;                                  // the pixel with the smallest nonzero |J(0, 0, j)|
        for (std::size_t j = 1; j < 784; ++j)
            if (std::abs(J(0, 0, j)) > 1e-3 * scale && std::abs(J(0, 0, j)) < std::abs(J(0, 0, jmin))) jmin = j;
        bad(0, 0, jmin) = -bad(0, 0, jmin);
        CHECK(sensitivity::maps::compare_jacobians(bad, fd).max_rel_error > 1e-6);
    }
    SUBCASE("a NaN") {
        auto bad = J;
        bad(0, 9, 0) = std::nan("");
        CHECK_FALSE(sensitivity::maps::compare_jacobians(bad, fd).max_rel_error <= 1e-6);
    }
}

TEST_CASE("fd_check skips the pixels whose step crosses a relu kink, and needs to") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 27);
    const nn::Tensor<float> x = random_images<float>(2, 784, 28);
    const double h = 1e-6;
    const sensitivity::maps::FdReport generic = sensitivity::maps::fd_check(model, x, 2, h);

    // Put hidden unit 3's pre-activation right at 0 for image 0: b1[3] = −x_0·W1[:, 3]. Image 1 stays generic.
    const auto& W1 = model.tape().value(model.layer(0).W);
    double z = 0;
    for (std::size_t j = 0; j < 784; ++j) z += static_cast<double>(x(0, j)) * static_cast<double>(W1(j, 3));
    model.tape().value(model.layer(0).b)(0, 3) = static_cast<float>(-z);
    const sensitivity::maps::FdReport kink = sensitivity::maps::fd_check(model, x, 2, h);
    CHECK(kink.pairs_skipped > generic.pairs_skipped);
    CHECK(kink.pairs_skipped % 10 == 0);                     // a skipped pixel skips all 10 outputs
    CHECK(kink.max_rel_error <= 1e-6);
    CHECK(kink.passed);

    // Without the skip the same comparison fails: the difference quotient straddles the kink.
    nn::MLP<double> model64(model);
    nn::Tensor<double> x64 = xt::cast<double>(x);
    auto fd = sensitivity::maps::fd_jacobian(model64, x64, h);
    const auto J = sensitivity::maps::jacobian(model64, x64);
    fd.skip.fill(false);
    CHECK(sensitivity::maps::compare_jacobians(J, fd).max_rel_error > 1e-4);
}

// ---------------------------------------------------------------- forward mode: the same Jacobian, other way round
namespace {
template <class T>
double max_rel_diff(const xt::xtensor<T, 3>& a, const xt::xtensor<T, 3>& b) {
    double diff = 0, ref = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, std::abs(double(a.data()[i]) - double(b.data()[i])));
        ref = std::max(ref, std::abs(double(b.data()[i])));
    }
    return diff / ref;
}
}  // namespace

TEST_CASE("the full 10x784 Jacobian by forward mode equals reverse mode: 1e-12 in double, 1e-5 of max|J| in float") {
    for (nn::Activation act : {nn::Activation::Relu, nn::Activation::Sigmoid, nn::Activation::Tanh})
        for (Output out : {Output::Softmax, Output::Logits}) {
            CAPTURE(nn::activation_name(act));
            CAPTURE(sensitivity::maps::output_name(out));
            nn::MLP<double> m64(784, 32, 10, act, 41);
            const nn::Tensor<double> x64 = random_images<double>(5, 784, 42);
            const auto R64 = sensitivity::maps::jacobian(m64, x64, out);
            const auto F64 = sensitivity::maps::jacobian_forward(m64, x64, out, 3, 8);   // chunks of 3 rows: 3 + 2
            CHECK(max_abs(R64) > 1e-3);
            CHECK(max_rel_diff(F64, R64) <= 1e-12);

            nn::MLP<float> m32(784, 32, 10, act, 41);
            const nn::Tensor<float> x32 = random_images<float>(5, 784, 42);
            const auto R32 = sensitivity::maps::jacobian(m32, x32, out);
            const auto F32 = sensitivity::maps::jacobian_forward(m32, x32, out, 1000, 5);  // 784 = 156·5 + 4: a short block
            CHECK(max_rel_diff(F32, R32) <= 1e-5);
        }
}

TEST_CASE("the forward-mode check can fail: a Jacobian with two pixels swapped is far from reverse mode") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Tanh, 43);
    const nn::Tensor<double> x = random_images<double>(2, 784, 44);
    const auto R = sensitivity::maps::jacobian(model, x);
    auto F = sensitivity::maps::jacobian_forward(model, x);
    REQUIRE(max_rel_diff(F, R) <= 1e-12);
    for (std::size_t i = 0; i < 10; ++i) std::swap(F(1, i, 100), F(1, i, 101));
    CHECK(max_rel_diff(F, R) > 1e-6);
}

TEST_CASE("dot-product identity on the MLP: <u, J v> = <J^T u, v> within 1e-12, inputs and parameters as directions") {
    nn::MLP<double> model(784, 24, 10, nn::Activation::Tanh, 45);
    nn::Tape<double>& tape = model.tape();
    const nn::Tensor<double> x = random_images<double>(6, 784, 46);
    std::mt19937_64 rng(47);
    std::normal_distribution<double> normal(0.0, 1.0);
    auto random_like = [&](const nn::Tensor<double>& m) {
        nn::Tensor<double> r(m.shape());
        for (double& v : r) v = normal(rng);
        return r;
    };
    auto dot = [](const nn::Tensor<double>& a, const nn::Tensor<double>& b) {
        double s = 0;
        for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
        return s;
    };
    for (int trial = 0; trial < 5; ++trial) {
        model.reset();
        const nn::Var xv = tape.leaf(x, true);                            // [6, 784]
        const nn::Var p = tape.softmax(model.logits(xv));                  // [6, 10]
        std::vector<nn::Var> leaves = model.parameters();
        leaves.insert(leaves.begin(), xv);
        std::vector<nn::Tensor<double>> v;                                 // one direction per leaf
        tape.clear_tangents();
        for (nn::Var leaf : leaves) {
            v.push_back(random_like(tape.value(leaf)));
            tape.seed_tangent(leaf, 1) = v.back();                         // K = 1: the tangent has the leaf's shape
        }
        tape.forward_tangents(p);
        const nn::Tensor<double> u = random_like(tape.value(p));
        const double uJv = dot(u, tape.tangent(p));
        tape.zero_grad();
        tape.backward(p, u);
        double JTuv = 0;
        for (std::size_t k = 0; k < leaves.size(); ++k) JTuv += dot(tape.grad(leaves[k]), v[k]);
        CAPTURE(trial);
        CHECK(std::abs(uJv) > 1e-6);
        CHECK(std::abs(uJv - JTuv) <= 1e-12 * std::max(std::abs(uJv), std::abs(JTuv)));
    }
    model.reset();
    tape.clear_tangents();
}

// ---------------------------------------------------------------- freezing, scopes and the const prediction
TEST_CASE("FrozenLeaves gives every leaf its own previous flag back, and rewinds nothing") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 51);
    nn::Tape<float>& tape = model.tape();
    tape.set_requires_grad(model.layer(1).b, false);                        // a mixed state: three on, one off
    const nn::Var x = model.input(2);
    const nn::Var before = model.logits(x);                                // recorded before the freeze
    const std::size_t size = tape.size();
    {
        auto frozen = model.freeze();
        for (nn::Var p : model.parameters()) CHECK_FALSE(tape.node(p).requires_grad);
        CHECK(tape.size() == size);                                        // nothing forgotten
        CHECK_FALSE(tape.node(model.logits(x)).requires_grad);             // recorded while frozen: no gradient
        CHECK(tape.node(before).requires_grad);                            // recorded before: keeps its flag
    }
    CHECK(tape.node(model.layer(0).W).requires_grad);
    CHECK(tape.node(model.layer(0).b).requires_grad);
    CHECK(tape.node(model.layer(1).W).requires_grad);
    CHECK_FALSE(tape.node(model.layer(1).b).requires_grad);                  // restored exactly, not "all on"
    CHECK(tape.size() > size);                                             // the guard rewound nothing
}

TEST_CASE("a Jacobian keeps the nodes its caller recorded before it, and forgets only its own") {
    nn::MLP<float> model(784, 16, 10, nn::Activation::Relu, 53);
    nn::Tape<float>& tape = model.tape();
    const nn::Tensor<float> x = random_images<float>(3, 784, 54);
    const nn::Var mine = tape.leaf(x, false);
    const nn::Var logits = model.logits(mine);
    const nn::Tensor<float> kept = tape.value(logits);
    const std::size_t size = tape.size();
    (void)sensitivity::maps::jacobian(model, x);
    (void)sensitivity::maps::jacobian_forward(model, x);
    (void)sensitivity::maps::class_gradient(model, x, 3);
    CHECK(tape.size() == size);
    CHECK(tape.value(logits) == kept);
    CHECK(tape.node(model.layer(0).W).requires_grad);
}

TEST_CASE("nn::predict and predict_logits take a const model, leave its tape alone, and equal the recorded softmax in any chunking") {
    nn::MLP<double> model(784, 16, 10, nn::Activation::Sigmoid, 55);
    const nn::Tensor<double> x = random_images<double>(7, 784, 56);
    const nn::MLP<double>& cmodel = model;
    const std::size_t size = model.tape().size();
    const nn::Tensor<double> p = nn::predict(cmodel, x);
    const nn::Tensor<double> p3 = nn::predict(cmodel, x, 3);
    const nn::Tensor<double> l = nn::predict_logits(cmodel, x, 1);
    CHECK(model.tape().size() == size);
    const nn::Var xv = model.tape().leaf(x, false);
    const nn::Var lv = model.logits(xv);
    const nn::Tensor<double> by_tape = model.tape().value(model.tape().softmax(lv));
    CHECK(p == by_tape);                                                  // the same kernels, the same bits
    CHECK(xt::allclose(p3, by_tape, 1e-14, 0.0));                         // other chunks: BLAS may block differently
    CHECK(xt::allclose(l, model.tape().value(lv), 1e-14, 1e-15));
    CHECK(nn::argmax_rows(p) == nn::argmax_rows(l));
    CHECK_THROWS_WITH(nn::predict(cmodel, x, 0), "predict: chunk must be at least 1 row");
    CHECK_THROWS_WITH(nn::predict(cmodel, random_images<double>(2, 700, 1)),
                      "predict: input has 700 columns, the model expects 784");
}

// ---------------------------------------------------------------- suite slow: the trained MNIST model
namespace {
std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}
}  // namespace

TEST_SUITE("slow") {
TEST_CASE("the float Jacobian of the 100 most confident test images is within 1e-3 of double finite differences") {
    const std::string model_dir = env_or("NNSENSE_MODEL", "tests/fixtures/trained_mlp_784_64_10");
    const std::string data = env_or("NNSENSE_DATA", "data") + "/mnist";
    REQUIRE_MESSAGE(std::filesystem::exists(data + "/t10k-images-idx3-ubyte"), "needs NNSENSE_DATA/mnist");
    nn::MLP<float> model = nn::training::load_model(model_dir);
    std::vector<std::string> digits;
    for (int d = 0; d < 10; ++d) digits.push_back(std::to_string(d));
    const datasets::Dataset test = datasets::load_idx_pair(data + "/t10k-images-idx3-ubyte",
                                                           data + "/t10k-labels-idx1-ubyte", "mnist-test", digits);
    const nn::Tensor<float> all = test.to_float<float>(0, test.size());   // [10000, 784]
    const nn::Tensor<double> l = nn::predict_logits(nn::MLP<double>(model),
                                                    nn::Tensor<double>(xt::cast<double>(all)));   // [10000, 10], margins in double
    // Confidence as 1 − p_max = Σ_{k≠max} e^{l_k − l_max} / Σ_k e^{l_k − l_max}, computed without cancellation.
    std::vector<std::pair<double, std::size_t>> doubt(test.size());
    for (std::size_t n = 0; n < test.size(); ++n) {
        const double lmax = xt::amax(xt::view(l, n, xt::all()))();
        double rest = 0, total = 0;
        bool seen_max = false;
        for (std::size_t k = 0; k < 10; ++k) {
            const double e = std::exp(l(n, k) - lmax);
            total += e;
            if (l(n, k) == lmax && !seen_max) seen_max = true;
            else rest += e;
        }
        doubt[n] = {rest / total, n};
    }
    std::partial_sort(doubt.begin(), doubt.begin() + 100, doubt.end());
    nn::Tensor<float> x({100, 784});
    for (std::size_t k = 0; k < 100; ++k)
        std::copy(&all(doubt[k].second, 0), &all(doubt[k].second, 0) + 784, &x(k, 0));
    MESSAGE("1 - p_max of the 100 most confident: from " << doubt[0].first << " to " << doubt[99].first);
    CHECK(doubt[99].first < 1e-4);                                          // really confident: 1 − p is tiny

    const sensitivity::maps::FdReport r = sensitivity::maps::fd_check(model, x, 100);
    MESSAGE("float J vs double FD: max rel " << r.float_max_rel_error << " over " << r.float_pairs_compared
                                            << " pairs; double J: " << r.max_rel_error);
    CHECK(r.float_pairs_compared > 100 * 10 * 700);
    CHECK(r.float_max_rel_error <= 1e-3);
    CHECK(r.max_rel_error <= 1e-6);

    // The check can fail: the textbook backward p ⊙ (seed − Σ seed ⊙ p), walked from the logits, misses 1e-3.
    nn::MLP<double> model64(model);
    const sensitivity::maps::FdJacobian fd = sensitivity::maps::fd_jacobian(model64, nn::Tensor<double>(xt::cast<double>(x)), 1e-5);
    const nn::Tensor<float> p = nn::predict(model, x);                     // [100, 10]
    sensitivity::maps::InputGradient<float> grad(model, Output::Logits);
    grad.forward(x);
    xt::xtensor<double, 3> textbook({100, 10, 784});
    nn::Tensor<float> dl({100, 10});
    for (std::size_t i = 0; i < 10; ++i) {
        for (std::size_t n = 0; n < 100; ++n)
            for (std::size_t c = 0; c < 10; ++c) dl(n, c) = p(n, c) * ((c == i ? 1.f : 0.f) - p(n, i));
        const nn::Tensor<float>& dx = grad.backward(dl);
        for (std::size_t n = 0; n < 100; ++n)
            for (std::size_t j = 0; j < 784; ++j) textbook(n, i, j) = dx(n, j);
    }
    const double textbook_error = sensitivity::maps::compare_jacobians(textbook, fd).max_rel_error;
    MESSAGE("the textbook form on the same images: max rel " << textbook_error);
    CHECK(textbook_error > 1e-3);
}
}

// ---------------------------------------------------------------- deeper networks: the same loop, more layers
TEST_CASE("a 3-hidden-layer net: its parameter gradients and input Jacobian match central differences in double") {
    for (nn::Activation act : {nn::Activation::Relu, nn::Activation::Tanh, nn::Activation::Gelu}) {
        CAPTURE(nn::activation_name(act));
        const nn::MLP<double> model(6, {5, 4, 3}, 3, act, 21);
        REQUIRE(model.parameters().size() == 8);
        const nn::Tensor<double> x = random_images<double>(4, 6, 22);
        const std::vector<int> labels = {0, 2, 1, 2};
        // The loss of MLP::logits's own recording (record_logits), as a function of x, W1, b1, ..., W4, b4.
        const nn::Recorder<double> loss = [&](nn::Tape<double>& tape, const std::vector<nn::Var>& leaves) {
            std::vector<nn::Linear> layers;
            for (std::size_t k = 0; k < 4; ++k)
                layers.push_back({leaves[1 + 2 * k], leaves[2 + 2 * k], model.layer(k).in, model.layer(k).out});
            return tape.softmax_cross_entropy(nn::record_logits(tape, layers, act, leaves[0]), labels);   // [1, 1]
        };
        std::vector<nn::Tensor<double>> inputs = {x};
        for (nn::Var p : model.parameters()) inputs.push_back(model.tape().value(p));
        for (std::size_t k = 0; k < 4; ++k)                              // b starts at 0: give the biases a gradient to show
            for (auto& v : inputs[2 + 2 * k]) v = 0.1 * static_cast<double>(k + 1);
        const std::vector<nn::GradCheckResult> r = nn::gradcheck(loss, inputs, nn::Tensor<double>{{1.0}}, 1e-6);
        REQUIRE(r.size() == 9);
        for (std::size_t i = 0; i < r.size(); ++i) {
            CAPTURE(i);                                                  // 0: x, then W1, b1, W2, b2, W3, b3, W4, b4
            CAPTURE(r[i]);
            CHECK(r[i].ok(1e-6));
        }
        for (Output out : {Output::Softmax, Output::Logits}) {
            nn::MLP<double> m(model);
            const auto J = sensitivity::maps::jacobian(m, x, out);
            const auto cmp = sensitivity::maps::compare_jacobians(J, sensitivity::maps::fd_jacobian(m, x, 1e-6, out));
            CHECK(cmp.pairs_compared > 0);
            CHECK(max_abs(J) > 1e-4);
            CHECK(cmp.max_rel_error <= 1e-6);
        }
    }
}

TEST_CASE("fd_check skips the pixels whose step crosses a relu kink in a deeper layer, and needs to") {
    for (nn::Activation act : {nn::Activation::Relu, nn::Activation::LeakyRelu}) {
        CAPTURE(nn::activation_name(act));
        nn::MLP<float> model(784, {16, 12}, 10, act, 31);
        const nn::Tensor<float> x = random_images<float>(2, 784, 32);
        const double h = 1e-6;
        const sensitivity::maps::FdReport generic = sensitivity::maps::fd_check(model, x, 2, h);
        CHECK(generic.passed);

        // Put unit 5 of the SECOND hidden layer at its kink for image 0: b2[5] −= z2[0, 5] (z2 computed in double).
        nn::MLP<double> probe(model);
        nn::Tape<double>& t = probe.tape();
        const nn::Var z1 = nn::forward(t, probe.layer(0), t.leaf(nn::Tensor<double>(xt::cast<double>(x)), false));
        const nn::Var z2 = nn::forward(t, probe.layer(1), nn::activate(t, act, z1));
        const double z = t.value(z2)(0, 5);
        model.tape().value(model.layer(1).b)(0, 5) -= static_cast<float>(z);
        const sensitivity::maps::FdReport kink = sensitivity::maps::fd_check(model, x, 2, h);
        CHECK(kink.pairs_skipped > generic.pairs_skipped);
        CHECK(kink.max_rel_error <= 1e-6);
        CHECK(kink.passed);

        // Without the skip the same comparison fails: the difference quotient straddles the deeper kink.
        nn::MLP<double> model64(model);
        nn::Tensor<double> x64 = xt::cast<double>(x);
        auto fd = sensitivity::maps::fd_jacobian(model64, x64, h);
        const auto J = sensitivity::maps::jacobian(model64, x64);
        fd.skip.fill(false);
        CHECK(sensitivity::maps::compare_jacobians(J, fd).max_rel_error > 1e-4);
    }
}
