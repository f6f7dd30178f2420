// tests/test_training.cpp — chapter 9: optimizers, schedules and the training loop do what they say.
// Small, fast checks on hand-made nets and data; real MNIST training is tests/test_training_real.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "nn/adam.hpp"
#include "nn/training/augment.hpp"
#include "nn/training/denormals.hpp"
#include "nn/training/evaluate.hpp"
#include "nn/training/metrics.hpp"
#include "nn/training/progress.hpp"
#include "nn/schedule.hpp"
#include "nn/training/cross_validate.hpp"
#include "nn/training/linear_model.hpp"
#include "nn/training/train_table.hpp"
#include "nn/sgd.hpp"
#include "nn/training/train.hpp"

namespace {

using Matrix = nn::Tensor<double>;

// ---- a reference 2-2-2 ReLU net written out by hand, one sample, softmax cross-entropy
struct Net {
    double W1[2][2], b1[2], W2[2][2], b2[2];
};

// Gradients of -log softmax(relu(x·W1 + b1)·W2 + b2)[y] with respect to every parameter.
Net hand_gradients(const Net& n, const double x[2], int y) {
    double z1[2], h[2], z2[2], p[2];
    for (int j = 0; j < 2; ++j) {
        z1[j] = x[0] * n.W1[0][j] + x[1] * n.W1[1][j] + n.b1[j];
        h[j] = z1[j] > 0 ? z1[j] : 0;
    }
    for (int k = 0; k < 2; ++k) z2[k] = h[0] * n.W2[0][k] + h[1] * n.W2[1][k] + n.b2[k];
    const double m = std::max(z2[0], z2[1]);
    const double s = std::exp(z2[0] - m) + std::exp(z2[1] - m);
    for (int k = 0; k < 2; ++k) p[k] = std::exp(z2[k] - m) / s;
    Net d{};
    double dz2[2], dz1[2];
    for (int k = 0; k < 2; ++k) dz2[k] = p[k] - (k == y ? 1.0 : 0.0);      // dL/dz2 = p - onehot
    for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 2; ++k) d.W2[j][k] = h[j] * dz2[k];
    for (int k = 0; k < 2; ++k) d.b2[k] = dz2[k];
    for (int j = 0; j < 2; ++j) dz1[j] = (z1[j] > 0 ? 1.0 : 0.0) * (n.W2[j][0] * dz2[0] + n.W2[j][1] * dz2[1]);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) d.W1[i][j] = x[i] * dz1[j];
    for (int j = 0; j < 2; ++j) d.b1[j] = dz1[j];
    return d;
}

// a + s·b, parameter by parameter.
Net plus(const Net& a, double s, const Net& b) {
    Net r = a;
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
            r.W1[i][j] += s * b.W1[i][j];
            r.W2[i][j] += s * b.W2[i][j];
        }
        r.b1[i] += s * b.b1[i];
        r.b2[i] += s * b.b2[i];
    }
    return r;
}

void load_into(nn::MLP<double>& model, const Net& n) {
    auto& t = model.tape();
    t.value(model.layer(0).W) = Matrix{{n.W1[0][0], n.W1[0][1]}, {n.W1[1][0], n.W1[1][1]}};
    t.value(model.layer(0).b) = Matrix{{n.b1[0], n.b1[1]}};
    t.value(model.layer(1).W) = Matrix{{n.W2[0][0], n.W2[0][1]}, {n.W2[1][0], n.W2[1][1]}};
    t.value(model.layer(1).b) = Matrix{{n.b2[0], n.b2[1]}};
}

// A toy dataset of 4x4 images in 3 classes: class 0 lights the top-left 2x2 block, class 1 the
// top-right block, class 2 the bottom half; every pixel also gets noise in [0, 90].
datasets::Dataset toy_dataset(std::size_t n, std::uint64_t seed) {
    datasets::Dataset d;
    d.name = "toy";
    d.class_names = {"left", "right", "bottom"};
    d.rows = d.cols = 4;
    d.images = xt::zeros<std::uint8_t>({n, std::size_t(16)});
    d.labels.resize(n);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> noise(0, 90), cls(0, 2);
    for (std::size_t i = 0; i < n; ++i) {
        const int k = cls(rng);
        d.labels[i] = static_cast<std::uint8_t>(k);
        for (std::size_t r = 0; r < 4; ++r)
            for (std::size_t c = 0; c < 4; ++c) {
                const bool lit = (k == 0 && r < 2 && c < 2) || (k == 1 && r < 2 && c >= 2) || (k == 2 && r >= 2);
                d.images(i, r * 4 + c) = static_cast<std::uint8_t>(noise(rng) + (lit ? 160 : 0));
            }
    }
    return d;
}

nn::training::TrainConfig toy_config() {
    nn::training::TrainConfig c;
    c.hidden = {8};
    c.epochs = 4;
    c.batch = 16;
    c.lr = 0.1;
    c.validation = 100;
    c.progress = nn::training::ProgressMode::Quiet;
    return c;
}

// Three steps of `opt` on a 2x3 parameter with loss_t = sum(w * c_t), so grad_t = c_t, at rates 0.1, 0.05, 0.02.
Matrix three_steps(nn::Optimizer<double>& opt) {
    const std::vector<Matrix> cs = {{{1.0, -2.0, 0.5}, {0.1, 3.0, -1.0}},
                                    {{-0.5, 1.0, 0.25}, {2.0, -0.3, 0.0}},
                                    {{0.3, 0.3, -2.0}, {-1.0, 0.5, 0.7}}};
    const double lrs[] = {0.1, 0.05, 0.02};
    nn::Tape<double> tape;
    nn::Var w = tape.leaf(Matrix{{0.5, -1.0, 2.0}, {0.25, 0.0, -0.75}});
    const std::size_t mark = tape.mark();
    for (std::size_t t = 0; t < 3; ++t) {
        tape.rewind(mark);
        nn::Var c = tape.leaf(cs[t], false);
        nn::Var loss = tape.sum(tape.mul(w, c));
        tape.zero_grad(w);
        tape.backward(loss);
        opt.step(tape, {w}, lrs[t]);
    }
    return tape.value(w);
}

std::vector<float> weights_of(const nn::MLP<float>& m) {
    std::vector<float> all;
    for (nn::Var p : m.parameters()) all.insert(all.end(), m.tape().value(p).begin(), m.tape().value(p).end());
    return all;
}

}  // namespace

TEST_CASE("two SGD-momentum steps on a 2-2-2 net match the update computed by hand") {
    Net n{{{0.5, -0.3}, {0.2, 0.8}}, {0.1, -0.2}, {{1.0, -1.0}, {0.5, 0.3}}, {0.0, 0.1}};
    const double x[2] = {1.0, 0.5};               // hidden unit 1 is inactive: z1 = (0.7, -0.1)
    const int y = 1;
    const double lr = 0.1, mu = 0.9;

    nn::MLP<double> model(2, 2, 2, nn::Activation::Relu, 7);
    load_into(model, n);
    nn::SGD<double> sgd(mu, false, 0.0);
    for (int step = 0; step < 2; ++step) {
        model.reset();
        nn::Var xv = model.input(1);
        model.tape().value(xv) = Matrix{{x[0], x[1]}};
        nn::training::train_step(model, xv, {y}, sgd, lr);
    }

    // By hand: v1 = g(w0), w1 = w0 - lr·v1;  v2 = μ·v1 + g(w1), w2 = w1 - lr·v2.
    const Net g0 = hand_gradients(n, x, y);
    const Net v1 = g0;
    const Net w1 = plus(n, -lr, v1);
    const Net g1 = hand_gradients(w1, x, y);
    const Net v2 = plus(g1, mu, v1);
    const Net w2 = plus(w1, -lr, v2);
    CHECK(g0.W1[0][1] == 0.0);                     // the inactive unit gets no gradient...
    CHECK(g0.W2[0][0] != 0.0);                     // ...the active one does

    const auto& t = model.tape();
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
            CHECK(t.value(model.layer(0).W)(i, j) == doctest::Approx(w2.W1[i][j]).epsilon(1e-12));
            CHECK(t.value(model.layer(1).W)(i, j) == doctest::Approx(w2.W2[i][j]).epsilon(1e-12));
        }
    for (int j = 0; j < 2; ++j) {
        CHECK(t.value(model.layer(0).b)(0, j) == doctest::Approx(w2.b1[j]).epsilon(1e-12));
        CHECK(t.value(model.layer(1).b)(0, j) == doctest::Approx(w2.b2[j]).epsilon(1e-12));
    }
}

TEST_CASE("optimizers match torch.optim over three steps with changing learning rates") {
    // Reference values printed by tests/fixtures/optimizer_reference.py (torch 1.13, float64).
    SUBCASE("SGD, momentum 0.9") {
        nn::SGD<double> opt(0.9, false, 0.0);
        const Matrix expected = {{0.3668, -0.7516, 1.9424000000000001}, {0.11787999999999998, -0.4732000000000001, -0.6028}};
        CHECK(xt::allclose(three_steps(opt), expected, 1e-12, 1e-14));
    }
    SUBCASE("SGD, Nesterov momentum 0.9, weight decay 0.01") {
        nn::SGD<double> opt(0.9, true, 0.01);
        const Matrix expected = {{0.29743102591705, -0.6290620518340999, 1.9179395237332},
                                 {0.040209217394525, -0.7199944257700001, -0.5288642131705749}};
        CHECK(xt::allclose(three_steps(opt), expected, 1e-12, 1e-14));
    }
    SUBCASE("Adam, betas (0.9, 0.999), eps 1e-8, weight decay 0.1") {
        nn::Adam<double> opt(0.9, 0.999, 1e-8, 0.1);
        const Matrix expected = {{0.3759614216157835, -0.8803316375629766, 1.8572896381814037},
                                 {0.10552733614919114, -0.14054213476998206, -0.6113430987598751}};
        CHECK(xt::allclose(three_steps(opt), expected, 1e-12, 1e-14));
        CHECK(opt.steps() == 3);
    }
}

TEST_CASE("the first Adam step moves every weight by about lr against the sign of its gradient") {
    // m̂ = g and v̂ = g² after one step, so the update is lr·g/(|g| + ε) ≈ lr·sign(g).
    nn::Adam<double> opt;
    nn::Tape<double> tape;
    nn::Var w = tape.leaf(Matrix{{1.0, 1.0, 1.0}});
    nn::Var c = tape.leaf(Matrix{{3.0, -0.01, 200.0}}, false);
    tape.backward(tape.sum(tape.mul(w, c)));
    opt.step(tape, {w}, 0.5);
    CHECK(tape.value(w)(0, 0) == doctest::Approx(0.5).epsilon(1e-6));
    CHECK(tape.value(w)(0, 1) == doctest::Approx(1.5).epsilon(1e-5));
    CHECK(tape.value(w)(0, 2) == doctest::Approx(0.5).epsilon(1e-6));
}

TEST_CASE("make_optimizer builds the named optimizer and rejects unknown names") {
    nn::OptimizerConfig c;
    c.kind = nn::parse_optimizer("adam");
    CHECK(std::string(nn::make_optimizer<float>(c)->name()) == "adam");
    c.kind = nn::parse_optimizer("sgd");
    c.nesterov = true;
    CHECK(std::string(nn::make_optimizer<float>(c)->name()) == "sgd-nesterov");
    CHECK(std::string(nn::optimizer_name(nn::OptimizerKind::Adam)) == "adam");
    CHECK_THROWS_WITH(nn::parse_optimizer("rmsprop"), "unknown optimizer 'rmsprop' (expected sgd or adam)");
}

TEST_CASE("schedules: constant stays, cosine falls from lr to final_lr along a half cosine, step decays by gamma") {
    nn::Schedule s;
    s.lr = 0.2;
    s.kind = nn::ScheduleKind::Constant;
    CHECK(nn::learning_rate(s, 0) == 0.2);
    CHECK(nn::learning_rate(s, 12345) == 0.2);

    s.kind = nn::ScheduleKind::Cosine;
    s.total_steps = 100;
    s.final_lr = 0.0;
    CHECK(nn::learning_rate(s, 0) == doctest::Approx(0.2));
    CHECK(nn::learning_rate(s, 25) == doctest::Approx(0.2 * (1 + std::sqrt(0.5)) / 2));   // cos(π/4) = √½
    CHECK(nn::learning_rate(s, 50) == doctest::Approx(0.1));
    CHECK(nn::learning_rate(s, 100) == doctest::Approx(0.0));
    CHECK(nn::learning_rate(s, 500) == doctest::Approx(0.0));                         // clamped after the end
    for (std::size_t t = 1; t <= 100; ++t) CHECK(nn::learning_rate(s, t) <= nn::learning_rate(s, t - 1));
    s.final_lr = 0.02;
    CHECK(nn::learning_rate(s, 50) == doctest::Approx(0.11));

    s.kind = nn::ScheduleKind::Step;
    s.step_every = 10;
    s.gamma = 0.5;
    CHECK(nn::learning_rate(s, 9) == doctest::Approx(0.2));
    CHECK(nn::learning_rate(s, 10) == doctest::Approx(0.1));
    CHECK(nn::learning_rate(s, 29) == doctest::Approx(0.05));
    CHECK(nn::learning_rate(s, 30) == doctest::Approx(0.025));

    CHECK(nn::parse_schedule("step") == nn::ScheduleKind::Step);
    CHECK_THROWS_WITH(nn::parse_schedule("linear"), "unknown schedule 'linear' (expected constant, cosine or step)");
}

TEST_CASE("make_schedule turns epochs into steps") {
    nn::training::TrainConfig c;
    c.epochs = 3;
    c.lr = 0.3;
    c.schedule = "step";
    c.step_epochs = 2;
    c.step_gamma = 0.1;
    const nn::Schedule s = nn::training::make_schedule(c, 50);
    CHECK(s.total_steps == 150);
    CHECK(nn::learning_rate(s, 99) == doctest::Approx(0.3));
    CHECK(nn::learning_rate(s, 100) == doctest::Approx(0.03));
}

TEST_CASE("training on a separable toy problem learns it, and validates on the held-out tail") {
    const datasets::Dataset data = toy_dataset(700, 11);
    const datasets::Dataset test = toy_dataset(300, 12);
    nn::training::TrainConfig c = toy_config();
    nn::MLP<float> model = nn::training::make_mlp(c, 16, 3);
    const nn::training::Evaluation before = nn::training::evaluate(model, test);
    const nn::training::TrainResult r = nn::training::train(model, data, c);

    CHECK(r.train_size == 600);
    CHECK(r.validation_size == 100);
    CHECK(r.steps == 4 * (600 / 16));                       // the incomplete batch is skipped
    REQUIRE(r.epochs.size() == 4);
    CHECK(r.epochs.back().train_loss < r.epochs.front().train_loss);
    CHECK(r.epochs.back().validation_accuracy >= 0.95);
    CHECK(r.epochs.back().lr < 0.01 * c.lr);                 // the cosine ends near 0
    CHECK(r.seconds > 0);
    const nn::training::Evaluation after = nn::training::evaluate(model, test);
    CHECK(before.accuracy < 0.8);
    CHECK(after.accuracy >= 0.95);
    CHECK(after.loss < before.loss);
}

// A product whose exact value (1e-40) is below the smallest normal float: subnormal normally, 0 when flushed.
float subnormal_product() {
    volatile float a = 1e-20f, b = 1e-20f;   // volatile: computed at run time, under the thread's MXCSR
    return a * b;
}

TEST_CASE("FlushDenormals makes subnormal results 0 inside its scope and restores the mode after it") {
    REQUIRE(std::fpclassify(subnormal_product()) == FP_SUBNORMAL);
    {
        const nn::training::FlushDenormals flush;
#if defined(__SSE2__)
        CHECK(subnormal_product() == 0.0f);
        volatile float tiny = std::numeric_limits<float>::denorm_min(), one = 1.0f;
        CHECK(tiny * one == 0.0f);                          // DAZ: a subnormal input reads as 0
#endif
        {
            const nn::training::FlushDenormals nested;                  // nesting restores to the outer scope's mode
        }
#if defined(__SSE2__)
        CHECK(subnormal_product() == 0.0f);
#endif
    }
    CHECK(std::fpclassify(subnormal_product()) == FP_SUBNORMAL);

    // nn::training::train flushes while it trains and leaves the caller's mode as it was
    const datasets::Dataset data = toy_dataset(300, 11);
    nn::training::TrainConfig c = toy_config();
    c.epochs = 1;
    nn::MLP<float> model = nn::training::make_mlp(c, 16, 3);
    nn::training::train(model, data, c);
    CHECK(std::fpclassify(subnormal_product()) == FP_SUBNORMAL);
}

TEST_CASE("Adam and the step schedule train the toy problem too") {
    const datasets::Dataset data = toy_dataset(700, 11);
    nn::training::TrainConfig c = toy_config();
    c.optimizer = nn::OptimizerKind::Adam;
    c.lr = 0.01;
    c.schedule = "step";
    c.step_epochs = 2;
    nn::MLP<float> model = nn::training::make_mlp(c, 16, 3);
    const nn::training::TrainResult r = nn::training::train(model, data, c);
    CHECK(r.epochs.back().validation_accuracy >= 0.95);
    CHECK(r.epochs.back().lr == doctest::Approx(0.001));
}

TEST_CASE("same seed gives bitwise identical weights; another seed does not") {
    const datasets::Dataset data = toy_dataset(500, 3);
    nn::training::TrainConfig c = toy_config();
    c.epochs = 2;
    c.augment = nn::training::random_rotate_shift(10, 1);              // the augmentation draws must repeat too
    nn::MLP<float> a = nn::training::make_mlp(c, 16, 3), b = nn::training::make_mlp(c, 16, 3);
    const nn::training::TrainResult ra = nn::training::train(a, data, c);
    const nn::training::TrainResult rb = nn::training::train(b, data, c);
    CHECK(weights_of(a) == weights_of(b));
    CHECK(ra.epochs.back().validation_accuracy == rb.epochs.back().validation_accuracy);
    CHECK(ra.epochs.back().train_loss == rb.epochs.back().train_loss);

    nn::training::TrainConfig other = c;
    other.seed = 2;
    nn::MLP<float> d = nn::training::make_mlp(other, 16, 3);
    nn::training::train(d, data, other);
    CHECK(weights_of(a) != weights_of(d));
}

TEST_CASE("an absurd learning rate stops training with an error naming epoch, batch and rate") {
    const datasets::Dataset data = toy_dataset(700, 5);
    nn::training::TrainConfig c = toy_config();
    c.lr = 1e12;
    c.schedule = "constant";
    c.momentum = 0;
    nn::MLP<float> model = nn::training::make_mlp(c, 16, 3);
    std::string message;
    try {
        nn::training::train(model, data, c);
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    INFO(message);
    CHECK(message.rfind("training diverged at epoch ", 0) == 0);
    CHECK(message.find(", batch ") != std::string::npos);
    CHECK(message.find("(lr 1e+12): ") != std::string::npos);
    CHECK((message.find("loss is nan") != std::string::npos || message.find("loss is inf") != std::string::npos ||
           message.find("a weight in ") != std::string::npos));
    CHECK(message.size() > 12);
    CHECK(message.substr(message.size() - 12) == "; lower --lr");
}

TEST_CASE("train rejects configurations and data that cannot work, naming the problem") {
    const datasets::Dataset data = toy_dataset(200, 1);
    nn::training::TrainConfig c = toy_config();
    nn::MLP<float> model = nn::training::make_mlp(c, 16, 3);
    SUBCASE("validation split as large as the data") {
        c.validation = 200;
        CHECK_THROWS_WITH(nn::training::train(model, data, c),
                          "train: validation = 200 leaves no training examples in 'toy' (200 examples)");
    }
    SUBCASE("batch larger than the training part") {
        c.batch = 101;
        CHECK_THROWS_WITH(nn::training::train(model, data, c), "train: batch 101 is larger than the 100 training examples of 'toy'");
    }
    SUBCASE("model and configuration disagree on the hidden size") {
        c.hidden = {9};
        CHECK_THROWS_WITH(nn::training::train(model, data, c),
                          "train: the model has hidden = 8 but the configuration says hidden = 9");
    }
    SUBCASE("image size does not fit the model") {
        nn::MLP<float> wide(20, 8, 3, nn::Activation::Relu, 1);
        CHECK_THROWS_WITH(nn::training::train(wide, data, c), "train: 'toy' has 16 pixels per image, the model expects 20");
    }
    SUBCASE("bad fields") {
        c.lr = -1;
        CHECK_THROWS_AS(nn::training::train(model, data, c), std::invalid_argument);
        c = toy_config();
        c.schedule = "warm";
        CHECK_THROWS_AS(nn::training::check_config(c), std::invalid_argument);
        c = toy_config();
        c.momentum = 1.0;
        CHECK_THROWS_AS(nn::training::check_config(c), std::invalid_argument);
    }
}

TEST_CASE("evaluate counts a confusion matrix by hand-checkable predictions") {
    // logits = relu(x·I)·[I | 0] = (x0, x1, 0): the brighter pixel wins; class 2 is never a true label.
    datasets::Dataset d;
    d.name = "pairs";
    d.rows = 1;
    d.cols = 2;
    d.images = xt::xtensor<std::uint8_t, 2>{{255, 0}, {0, 255}, {200, 100}, {10, 20}, {50, 40}};
    d.labels = {0, 1, 1, 0, 0};
    nn::MLP<float> m(2, 2, 3, nn::Activation::Relu, 1);
    m.tape().value(m.layer(0).W) = nn::Tensor<float>{{1, 0}, {0, 1}};
    m.tape().value(m.layer(0).b) = nn::Tensor<float>{{0, 0}};
    m.tape().value(m.layer(1).W) = nn::Tensor<float>{{1, 0, 0}, {0, 1, 0}};
    m.tape().value(m.layer(1).b) = nn::Tensor<float>{{0, 0, 0}};
    const nn::training::Evaluation e = nn::training::evaluate(m, d, 2);          // batches of 2, 2 and 1
    CHECK(e.count == 5);
    CHECK(e.accuracy == doctest::Approx(3.0 / 5));
    CHECK(e.confusion == std::vector<std::vector<std::size_t>>{{2, 1, 0}, {1, 1, 0}, {0, 0, 0}});
    CHECK(e.per_class_accuracy[0] == doctest::Approx(2.0 / 3));
    CHECK(e.per_class_accuracy[1] == doctest::Approx(0.5));
    CHECK(std::isnan(e.per_class_accuracy[2]));
    // The mean over the 5 images of -log softmax(x0, x1, 0)[label], pixels as byte / 255: the uneven batches
    // (2, 2, 1) must be weighted by their sizes to give it.
    double expected = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        const double z[3] = {d.images(i, 0) / 255.0, d.images(i, 1) / 255.0, 0.0};
        expected += std::log(std::exp(z[0]) + std::exp(z[1]) + std::exp(z[2])) - z[d.labels[i]];
    }
    CHECK(e.loss == doctest::Approx(expected / 5).epsilon(1e-5));
    CHECK(m.tape().size() == 4);                             // the tape is left reset to the parameters

    d.labels[2] = 3;
    CHECK_THROWS_WITH(nn::training::evaluate(m, d), "evaluate: dataset 'pairs': label 3 at index 2 is >= the model's 3 outputs");
}

TEST_CASE("rotate_shift: identity at zero, moves a pixel by a shift, turns counter-clockwise") {
    std::vector<std::uint8_t> src(25, 0), dst(25, 7);
    src[2 * 5 + 3] = 200;                                    // row 2, col 3: right of the centre (2, 2)
    nn::training::rotate_shift(src.data(), dst.data(), 5, 5, 0, 0, 0);
    CHECK(dst == src);
    nn::training::rotate_shift(src.data(), dst.data(), 5, 5, 0, 1, 0);  // one pixel right
    CHECK(dst[2 * 5 + 4] == 200);
    CHECK(dst[2 * 5 + 3] == 0);
    nn::training::rotate_shift(src.data(), dst.data(), 5, 5, 0, 0, 1);  // one pixel down
    CHECK(dst[3 * 5 + 3] == 200);
    nn::training::rotate_shift(src.data(), dst.data(), 5, 5, 90, 0, 0); // right of centre -> above it
    CHECK(dst[1 * 5 + 2] == 200);
    CHECK(dst[2 * 5 + 3] == 0);
    nn::training::rotate_shift(src.data(), dst.data(), 5, 5, 0, 0.5, 0);  // half a pixel: bilinear split
    CHECK(dst[2 * 5 + 3] == 100);
    CHECK(dst[2 * 5 + 4] == 100);
}

TEST_CASE("random_rotate_shift repeats with the same RNG state and changes the image otherwise") {
    std::vector<std::uint8_t> img(28 * 28, 0);
    for (std::size_t r = 8; r < 20; ++r) img[r * 28 + 14] = 255;    // a vertical stroke
    nn::training::Augment aug = nn::training::random_rotate_shift(15, 2);
    CHECK(bool(aug));
    CHECK(aug.name.find("rotate") != std::string::npos);
    std::vector<std::uint8_t> a = img, b = img;
    std::mt19937_64 r1(5), r2(5);
    aug.apply(a.data(), 28, 28, r1);
    aug.apply(b.data(), 28, 28, r2);
    CHECK(a == b);
    CHECK(a != img);
    nn::training::Augment none = nn::training::random_rotate_shift(0, 0);
    std::vector<std::uint8_t> c = img;
    none.apply(c.data(), 28, 28, r1);
    CHECK(c == img);
    CHECK_FALSE(bool(nn::training::Augment{}));
}

TEST_CASE("progress: plain lines per epoch off a terminal, a \\r bar on one, nothing when quiet") {
    std::ostringstream lines, bar, quiet;
    nn::training::Progress pl(nn::training::ProgressMode::Lines, 2, 3, 10, &lines);
    nn::training::Progress pb(nn::training::ProgressMode::Bar, 2, 3, 10, &bar);
    nn::training::Progress pq(nn::training::ProgressMode::Quiet, 2, 3, 10, &quiet);
    for (nn::training::Progress* p : {&pl, &pb, &pq}) {
        for (std::size_t e = 1; e <= 2; ++e) {
            for (std::size_t b = 1; b <= 3; ++b) p->batch_done(e, b, 0.5, 0.1);
            p->epoch_done(e, 0.25, 0.9, 1.5);
        }
    }
    CHECK(lines.str().find('\r') == std::string::npos);
    CHECK(lines.str().find("epoch 1/2  train loss 0.2500  validation accuracy 90.00%") == 0);
    const std::string text = lines.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
    CHECK(bar.str().find("\repoch 1/2 [") != std::string::npos);
    CHECK(bar.str().find("3/3") != std::string::npos);
    CHECK(quiet.str().empty());
}

TEST_CASE("metrics.json holds the test accuracy as a fraction, per-epoch seconds and the config") {
    const datasets::Dataset data = toy_dataset(300, 4);
    nn::training::TrainConfig c = toy_config();
    c.epochs = 2;
    nn::MLP<float> model = nn::training::make_mlp(c, 16, 3);
    const nn::training::TrainResult r = nn::training::train(model, data, c);
    const nn::training::Evaluation test = nn::training::evaluate(model, toy_dataset(100, 9));

    const auto dir = std::filesystem::temp_directory_path() / ("nnsense_metrics_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "metrics.json").string();
    nn::training::write_metrics_json(path, c, r, test);
    std::ifstream in(path);
    const nlohmann::json j = nlohmann::json::parse(in);
    CHECK(j["test_accuracy"].get<double>() == test.accuracy);
    CHECK(j["test_accuracy"].get<double>() <= 1.0);
    REQUIRE(j["epoch_seconds"].is_array());
    CHECK(j["epoch_seconds"].size() == 2);
    CHECK(j["epoch_seconds"][1].get<double>() == r.epochs[1].seconds);
    CHECK(j["validation_accuracy"].size() == 2);
    CHECK(j["confusion"].size() == 3);
    CHECK(j["class_names"][2] == "bottom");
    CHECK(j["config"]["hidden"] == 8);
    CHECK(j["config"]["optimizer"] == "sgd");
    CHECK(j["config"]["augment"] == "none");
    CHECK(j["dataset"] == "toy");
    std::size_t files = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) files += f.is_regular_file();
    CHECK(files == 1);                                       // no temporary left behind
    std::filesystem::remove_all(dir);
}

namespace {
// y = 1 + 2·z0 − 3·z1 + 0.5·noise on standardized-looking rows: a regression table with a known line.
nn::training::TableData line_table(std::size_t n, std::uint64_t seed, double noise = 0.5) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0, 1);
    nn::training::TableData d;
    d.x = xt::zeros<float>({n, std::size_t(2)});
    d.y = xt::zeros<float>({n, std::size_t(1)});
    for (std::size_t r = 0; r < n; ++r) {
        d.x(r, 0) = static_cast<float>(normal(rng));
        d.x(r, 1) = static_cast<float>(normal(rng));
        d.y(r, 0) = static_cast<float>(1 + 2 * d.x(r, 0) - 3 * d.x(r, 1) + noise * normal(rng));
    }
    return d;
}
}  // namespace

TEST_CASE("ridge with lambda 0 is least squares: the normal equations' solution, and a wrong one fails the same check") {
    const nn::training::TableData d = line_table(200, 3);
    const nn::training::LinearModel m = nn::training::fit_ridge(d, 0);
    // The normal equations of [1, z0, z1] solved here by Cramer's rule on the 3x3 system.
    double A[3][3] = {}, b[3] = {};
    for (std::size_t r = 0; r < d.size(); ++r) {
        const double x[3] = {1, d.x(r, 0), d.x(r, 1)};
        for (int i = 0; i < 3; ++i) {
            for (int j = 0; j < 3; ++j) A[i][j] += x[i] * x[j];
            b[i] += x[i] * d.y(r, 0);
        }
    }
    const auto det = [](double M[3][3]) {
        return M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
               M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
    };
    double w[3];
    for (int c = 0; c < 3; ++c) {
        double M[3][3];
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) M[i][j] = j == c ? b[i] : A[i][j];
        w[c] = det(M) / det(A);
    }
    CHECK(m.b(0, 0) == doctest::Approx(w[0]).epsilon(1e-4));
    CHECK(m.W(0, 0) == doctest::Approx(w[1]).epsilon(1e-4));
    CHECK(m.W(1, 0) == doctest::Approx(w[2]).epsilon(1e-4));
    CHECK(m.W(0, 0) == doctest::Approx(2).epsilon(0.05));
    CHECK(m.W(1, 0) == doctest::Approx(-3).epsilon(0.05));
    // A penalty shrinks the slopes towards 0, so the same check against the least-squares solution fails.
    const nn::training::LinearModel shrunk = nn::training::fit_ridge(d, 1.0);
    CHECK(std::abs(shrunk.W(0, 0)) < std::abs(w[1]) - 0.1);
}

TEST_CASE("early stopping puts back the weights of the lowest validation loss and says which epoch that was") {
    const nn::training::TableData train = line_table(80, 5, 2.0), validation = line_table(40, 6, 2.0);
    nn::training::TrainConfig config;
    config.hidden = {32};
    config.activation = nn::Activation::Tanh;
    config.epochs = 300;
    config.batch = 8;
    config.optimizer = nn::OptimizerKind::Adam;
    config.lr = 0.03;
    config.seed = 2;
    nn::MLP<float> model = nn::training::make_mlp(config, 2, 1);
    const nn::training::TableCurve curve = nn::training::train_table(model, train, validation, config, {10});
    REQUIRE(curve.best_epoch >= 1);
    REQUIRE(curve.best_epoch <= curve.epochs.size());
    double lowest = std::numeric_limits<double>::infinity();
    for (const auto& e : curve.epochs) lowest = std::min(lowest, e.validation_loss);
    CHECK(curve.epochs[curve.best_epoch - 1].validation_loss == doctest::Approx(lowest));
    CHECK(curve.epochs.size() <= curve.best_epoch + 10);       // stopped within `patience` epochs of the best
    CHECK(curve.stopped_early);                                 // noisy rows: the net overfits long before 300 epochs
    CHECK(curve.stopped_early == (curve.epochs.size() < config.epochs));
    // The model holds the best epoch's weights: its validation loss is that epoch's, not the last one's.
    CHECK(nn::training::table_loss(model, validation) == doctest::Approx(lowest).epsilon(1e-4));
}
