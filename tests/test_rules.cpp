// tests/test_rules.cpp — backward rules as data (nn/rules.hpp): each rule of nn/ops/relu_rules.hpp and
// nn/ops/dense_rules.hpp against its closed form for a two-layer relu net written out in loops, and its defining property.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "nn/ops/dense_rules.hpp"
#include "nn/ops/relu_rules.hpp"
#include "nn/tape.hpp"

namespace {
using M = nn::Tensor<double>;

M random_matrix(std::size_t r, std::size_t c, std::mt19937& rng, double lo, double hi) {
    std::uniform_real_distribution<double> u(lo, hi);
    M m({r, c});
    for (auto& v : m) v = u(rng);
    return m;
}

// The two-layer relu net z2 = relu(x·W1 + b1)·W2 + b2, its weights, an input and a baseline; D=6, H=5, C=3.
struct Net {
    std::size_t D = 6, H = 5, C = 3;
    M W1, b1, W2, b2, x, x0;
    bool hidden = true;                       // false: the linear net z2 = x·W2 + b2 (W2 is [D, C])
    explicit Net(unsigned seed, bool hidden_layer = true) : hidden(hidden_layer) {
        std::mt19937 rng(seed);
        W1 = random_matrix(D, H, rng, -1, 1);
        b1 = random_matrix(1, H, rng, -0.5, 0.5);
        W2 = random_matrix(hidden ? H : D, C, rng, -1, 1);
        b2 = random_matrix(1, C, rng, -0.5, 0.5);
        x = random_matrix(2, D, rng, 0, 1);   // two images, pixels in [0, 1]
        x0 = random_matrix(2, D, rng, 0, 0.5);
    }
    // Records the net on `tape` for input leaf xv; returns z2.
    nn::Var record(nn::Tape<double>& tape, nn::Var xv) const {
        const nn::Var w2 = tape.leaf(W2, false), c2 = tape.leaf(b2, false);
        if (!hidden) return tape.add_bias(tape.matmul(xv, w2), c2);
        const nn::Var w1 = tape.leaf(W1, false), c1 = tape.leaf(b1, false);
        const nn::Var h = tape.relu(tape.add_bias(tape.matmul(xv, w1), c1));            // [B, H]
        return tape.add_bias(tape.matmul(h, w2), c2);                                    // [B, C]
    }
};

// What the engine's walk gives at the input for class t: x ⊙ g (times_input) or g; with a reference pass for DeepLIFT,
// recorded first on the same tape, then (x − x0) ⊙ g.
M engine(const Net& net, const nn::RuleSet<double>& rules_in, int t, bool times_input, bool reference = false) {
    nn::Tape<double> tape;
    nn::RuleSet<double> rules = rules_in;
    std::size_t first = 0;
    if (reference) {
        net.record(tape, tape.leaf(net.x0, false));
        first = tape.size();
        rules.with_reference(first);
    }
    const nn::Var xv = tape.leaf(net.x, true);
    const nn::Var z = net.record(tape, xv);
    M seed = M(xt::zeros<double>(tape.value(z).shape()));
    for (std::size_t n = 0; n < seed.shape(0); ++n) seed(n, t) = 1;
    tape.backward(z, seed, rules);
    M g = tape.grad(xv);
    if (reference) g = g * (net.x - net.x0);
    else if (times_input) g = g * net.x;
    return g;
}

double max_diff(const M& a, const M& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
    return m;
}
double sign1(double z) { return z >= 0 ? 1.0 : -1.0; }

// ---- the closed forms, in loops, for image n and class t of the two-layer net
struct Forward {
    std::vector<double> z1, h;
    double zt = 0;
};
Forward forward(const Net& net, const M& x, std::size_t n, int t) {
    Forward f;
    f.z1.assign(net.H, 0);
    f.h.assign(net.H, 0);
    for (std::size_t k = 0; k < net.H; ++k) {
        f.z1[k] = net.b1(0, k);
        for (std::size_t i = 0; i < net.D; ++i) f.z1[k] += x(n, i) * net.W1(i, k);
        f.h[k] = std::max(f.z1[k], 0.0);
    }
    f.zt = net.b2(0, t);
    for (std::size_t k = 0; k < net.H; ++k) f.zt += f.h[k] * net.W2(k, t);
    return f;
}

// LRP-ε: R_h = h_k w2_kt / (z_t + ε s) · z_t; R_x = Σ_k x_i w1_ik / (z1_k + ε s) · R_h_k.
M lrp_epsilon_closed(const Net& net, int t, double eps) {
    M R({net.x.shape(0), net.D});
    for (std::size_t n = 0; n < net.x.shape(0); ++n) {
        const Forward f = forward(net, net.x, n, t);
        std::vector<double> Rh(net.H);
        for (std::size_t k = 0; k < net.H; ++k)
            Rh[k] = f.h[k] * net.W2(k, t) / (f.zt + eps * sign1(f.zt)) * f.zt;
        for (std::size_t i = 0; i < net.D; ++i) {
            R(n, i) = 0;
            for (std::size_t k = 0; k < net.H; ++k)
                R(n, i) += net.x(n, i) * net.W1(i, k) / (f.z1[k] + eps * sign1(f.z1[k])) * Rh[k];
        }
    }
    return R;
}

// LRP-z⁺: R_h = h_k w2⁺_kt / Σ_k h_k w2⁺_kt · z_t; R_x = Σ_k x_i w1⁺_ik / Σ_i x_i w1⁺_ik · R_h_k.
M lrp_zplus_closed(const Net& net, int t) {
    M R({net.x.shape(0), net.D});
    const auto pos = [](double w) { return std::max(w, 0.0); };
    for (std::size_t n = 0; n < net.x.shape(0); ++n) {
        const Forward f = forward(net, net.x, n, t);
        double zp = 0;
        for (std::size_t k = 0; k < net.H; ++k) zp += f.h[k] * pos(net.W2(k, t));
        std::vector<double> Rh(net.H, 0.0), zp1(net.H, 0.0);
        for (std::size_t k = 0; k < net.H; ++k) {
            if (zp > 0) Rh[k] = f.h[k] * pos(net.W2(k, t)) / zp * f.zt;
            for (std::size_t i = 0; i < net.D; ++i) zp1[k] += net.x(n, i) * pos(net.W1(i, k));
        }
        for (std::size_t i = 0; i < net.D; ++i) {
            R(n, i) = 0;
            for (std::size_t k = 0; k < net.H; ++k)
                if (zp1[k] > 0) R(n, i) += net.x(n, i) * pos(net.W1(i, k)) / zp1[k] * Rh[k];
        }
    }
    return R;
}

// DeepLIFT Rescale: m_h = w2_kt; m_z1 = m_h (h − h0)/(z1 − z10); attributions (x − x0) ⊙ W1·m_z1.
M deeplift_closed(const Net& net, int t) {
    M A({net.x.shape(0), net.D});
    for (std::size_t n = 0; n < net.x.shape(0); ++n) {
        const Forward f = forward(net, net.x, n, t), f0 = forward(net, net.x0, n, t);
        for (std::size_t i = 0; i < net.D; ++i) {
            double m = 0;
            for (std::size_t k = 0; k < net.H; ++k) {
                const double dz = f.z1[k] - f0.z1[k];
                const double slope = dz != 0 ? (f.h[k] - f0.h[k]) / dz : (f.z1[k] > 0 ? 1.0 : 0.0);
                m += net.W1(i, k) * net.W2(k, t) * slope;
            }
            A(n, i) = m * (net.x(n, i) - net.x0(n, i));
        }
    }
    return A;
}

// Guided backprop (guided = true) and deconvnet: g_h = w2_·t; g_z1 = g_h [z1 > 0][g_h > 0] or max(g_h, 0); g_x = W1·g_z1.
M relu_rule_closed(const Net& net, int t, bool guided) {
    M G({net.x.shape(0), net.D});
    for (std::size_t n = 0; n < net.x.shape(0); ++n) {
        const Forward f = forward(net, net.x, n, t);
        for (std::size_t i = 0; i < net.D; ++i) {
            G(n, i) = 0;
            for (std::size_t k = 0; k < net.H; ++k) {
                const double gh = net.W2(k, t);
                const bool open = gh > 0 && (!guided || f.z1[k] > 0);
                if (open) G(n, i) += net.W1(i, k) * gh;
            }
        }
    }
    return G;
}

nn::RuleSet<double> epsilon_rules(double eps) {
    return nn::RuleSet<double>().set(nn::Op::AddBias, nn::rules::lrp_epsilon<double>(eps));
}
nn::RuleSet<double> zplus_rules() {
    return nn::RuleSet<double>()
        .set(nn::Op::AddBias, nn::rules::lrp_zplus_bias<double>())
        .set(nn::Op::MatMul, nn::rules::lrp_zplus_product<double>());
}
nn::RuleSet<double> rescale_rules() { return nn::RuleSet<double>().set(nn::Op::Relu, nn::rules::rescale<double>()); }
nn::RuleSet<double> guided_rules() { return nn::RuleSet<double>().set(nn::Op::Relu, nn::rules::guided_backprop<double>()); }
nn::RuleSet<double> deconv_rules() { return nn::RuleSet<double>().set(nn::Op::Relu, nn::rules::deconvnet<double>()); }

// A deliberately wrong Rescale: the gradient [a > 0] instead of the secant (the chain rule under another name).
void wrong_rescale(const nn::RuleArgs<double>& r, const M& dy, M* da, M*) {
    for (std::size_t i = 0; i < dy.size(); ++i) da->data()[i] += r.in.a.data()[i] > 0 ? dy.data()[i] : 0.0;
}
}  // namespace

TEST_CASE("the empty rule set is the chain rule: the same gradient as backward(output, seed)") {
    const Net net(1);
    const M plain = engine(net, nn::RuleSet<double>(), 1, false);
    // the gradient in loops: W1 · ([z1 > 0] ⊙ w2_·t)
    M g({net.x.shape(0), net.D});
    for (std::size_t n = 0; n < net.x.shape(0); ++n) {
        const Forward f = forward(net, net.x, n, 1);
        for (std::size_t i = 0; i < net.D; ++i) {
            g(n, i) = 0;
            for (std::size_t k = 0; k < net.H; ++k)
                if (f.z1[k] > 0) g(n, i) += net.W1(i, k) * net.W2(k, 1);
        }
    }
    CHECK(max_diff(plain, g) < 1e-12);
}

TEST_CASE("each rule of the two-layer relu net matches its closed form to 1e-6 in double") {
    for (unsigned seed : {1u, 2u, 3u, 4u})
        for (int t = 0; t < 3; ++t) {
            const Net net(seed);
            CAPTURE(seed);
            CAPTURE(t);
            CHECK(max_diff(engine(net, epsilon_rules(0.25), t, true), lrp_epsilon_closed(net, t, 0.25)) < 1e-6);
            CHECK(max_diff(engine(net, zplus_rules(), t, true), lrp_zplus_closed(net, t)) < 1e-6);
            CHECK(max_diff(engine(net, rescale_rules(), t, false, true), deeplift_closed(net, t)) < 1e-6);
            CHECK(max_diff(engine(net, guided_rules(), t, false), relu_rule_closed(net, t, true)) < 1e-6);
            CHECK(max_diff(engine(net, deconv_rules(), t, false), relu_rule_closed(net, t, false)) < 1e-6);
        }
}

TEST_CASE("LRP-epsilon's relevance sums to the logit minus what the biases and epsilon absorb") {
    const Net net(5);
    const int t = 2;
    const double eps = 0.25;
    const M R = engine(net, epsilon_rules(eps), t, true);
    for (std::size_t n = 0; n < net.x.shape(0); ++n) {
        const Forward f = forward(net, net.x, n, t);
        // absorbed at the top: R_t (b2_t + ε s)/(z_t + ε s); at layer 1: Σ_k R_h_k (b1_k + ε s_k)/(z1_k + ε s_k)
        const double top = f.zt * (net.b2(0, t) + eps * sign1(f.zt)) / (f.zt + eps * sign1(f.zt));
        double first = 0;
        for (std::size_t k = 0; k < net.H; ++k) {
            const double Rh = f.h[k] * net.W2(k, t) / (f.zt + eps * sign1(f.zt)) * f.zt;
            first += Rh * (net.b1(0, k) + eps * sign1(f.z1[k])) / (f.z1[k] + eps * sign1(f.z1[k]));
        }
        double sum = 0;
        for (std::size_t i = 0; i < net.D; ++i) sum += R(n, i);
        MESSAGE("image " << n << ": logit " << f.zt << ", relevance sum " << sum << ", absorbed " << top + first);
        CHECK(std::abs(sum + top + first - f.zt) < 1e-9);
        CHECK(std::abs(sum - f.zt) > 1e-3);   // the absorbed part is not negligible here: the check has something to see
    }
}

TEST_CASE("LRP-z+ conserves relevance where every unit it passes through has some positive input") {
    const Net net(6);
    const M R = engine(net, zplus_rules(), 0, true);
    for (std::size_t n = 0; n < net.x.shape(0); ++n) {
        const Forward f = forward(net, net.x, n, 0);
        double sum = 0;
        for (std::size_t i = 0; i < net.D; ++i) sum += R(n, i);
        CHECK(std::abs(sum - f.zt) < 1e-9);
    }
}

TEST_CASE("DeepLIFT-Rescale's attributions sum exactly to f(x) - f(baseline), and a wrong rule's do not") {
    for (unsigned seed : {7u, 8u, 9u}) {
        const Net net(seed);
        const M A = engine(net, rescale_rules(), 1, false, true);
        const M W = engine(net, nn::RuleSet<double>().set(nn::Op::Relu, {"wrong", &wrong_rescale, 0, false}), 1,
                           false, true);
        double worst_wrong = 0;
        for (std::size_t n = 0; n < net.x.shape(0); ++n) {
            const double delta = forward(net, net.x, n, 1).zt - forward(net, net.x0, n, 1).zt;
            double sum = 0, sum_wrong = 0;
            for (std::size_t i = 0; i < net.D; ++i) sum += A(n, i), sum_wrong += W(n, i);
            CHECK(std::abs(sum - delta) < 1e-12);
            worst_wrong = std::max(worst_wrong, std::abs(sum_wrong - delta));
        }
        CAPTURE(seed);
        CHECK(worst_wrong > 1e-3);            // the gradient × (x − x0) is not complete across the kinks
    }
}

TEST_CASE("a test of a rule fails for a deliberately wrong rule: LRP-epsilon without its epsilon") {
    const Net net(2);
    const M wrong = engine(net, epsilon_rules(0.0), 0, true);
    CHECK(max_diff(wrong, lrp_epsilon_closed(net, 0, 0.25)) > 1e-3);
    CHECK(max_diff(wrong, lrp_epsilon_closed(net, 0, 0.0)) < 1e-12);   // LRP-0 is gradient × input
}

TEST_CASE("on a linear net every rule reduces to gradient x input") {
    Net net(11, false);                                     // z = x·W + b, no hidden layer
    for (int t = 0; t < 3; ++t) {
        const M gxi = engine(net, nn::RuleSet<double>(), t, true);
        CHECK(max_diff(engine(net, epsilon_rules(0.0), t, true), gxi) < 1e-12);
        CHECK(max_diff(engine(net, epsilon_rules(1e-9), t, true), gxi) < 1e-6);
        CHECK(max_diff(engine(net, guided_rules(), t, true), gxi) < 1e-12);     // no relu: nothing to modify
        CHECK(max_diff(engine(net, deconv_rules(), t, true), gxi) < 1e-12);
        Net zero = net;                                     // DeepLIFT from the zero baseline: (x − 0) ⊙ W
        zero.x0.fill(0);
        CHECK(max_diff(engine(zero, rescale_rules(), t, false, true), gxi) < 1e-12);
    }
    // z⁺ reads only the positive contributions: it is gradient × input when they all are (W ≥ 0, b = 0), not otherwise
    const M mixed = engine(net, zplus_rules(), 0, true);
    CHECK(max_diff(mixed, engine(net, nn::RuleSet<double>(), 0, true)) > 1e-3);
    for (auto& w : net.W2) w = std::abs(w);
    net.b2.fill(0);
    CHECK(max_diff(engine(net, zplus_rules(), 0, true), engine(net, nn::RuleSet<double>(), 0, true)) < 1e-12);
}

TEST_CASE("a rule that needs a reference pass refuses to walk without one, or with a mismatched one") {
    const Net net(3);
    CHECK_THROWS_WITH(engine(net, rescale_rules(), 0, false),
                      doctest::Contains("deeplift-rescale at node 7 (relu) needs a reference pass"));
    nn::Tape<double> tape;
    net.record(tape, tape.leaf(net.x0, false));
    const std::size_t shift = tape.size() + 1;              // one too many: relu would read the node before its twin
    const nn::Var xv = tape.leaf(net.x, true);
    const nn::Var z = net.record(tape, xv);
    M seed = M(xt::ones<double>(tape.value(z).shape()));
    CHECK_THROWS_WITH(tape.backward(z, seed, rescale_rules().with_reference(shift)),
                      doctest::Contains("not the same op"));
}
