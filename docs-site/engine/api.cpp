// docs-site/engine/api.cpp — the engine as the web page calls it: a small C API over nn/ and sensitivity/maps/, compiled
// by docs-site/build-engine with emscripten into one JavaScript module. Not part of any native library.
//
// Every function returns 0 on success and -1 on failure; nns_error() then says why in one line. Arrays are float32,
// row-major, in the module's memory (allocate with _malloc, view through HEAPF32); shapes are those of nn/mlp.hpp:
// x [n, in], W1 [in, hidden], b1 [hidden], W2 [hidden, out], b2 [out].
#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/gemm.hpp"
#include "nn/mlp.hpp"
#include "nn/optimizer.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace {

std::unique_ptr<nn::MLP<float>> g_model;
std::unique_ptr<nn::Optimizer<float>> g_optimizer;
std::string g_error;

// Runs f, turning an exception into -1 and its message.
template <class F>
int guarded(const char* what, F f) {
    try {
        f();
        return 0;
    } catch (const std::exception& e) {
        g_error = std::string(what) + ": " + e.what();
    } catch (...) {
        g_error = std::string(what) + ": unknown error";
    }
    return -1;
}

nn::MLP<float>& model(const char* what) {
    if (!g_model) throw std::logic_error(std::string("no model loaded (call nns_load before ") + what + ")");
    return *g_model;
}

std::size_t positive(int n, const char* name) {
    if (n <= 0) throw std::invalid_argument(std::string(name) + " must be positive, got " + std::to_string(n));
    return static_cast<std::size_t>(n);
}

nn::Tensor<float> rows_of(const float* x, std::size_t n, std::size_t in) {
    nn::Tensor<float> t({n, in});                                               // [n, in]
    std::copy(x, x + n * in, t.data());
    return t;
}

}  // namespace

extern "C" {

const char* nns_error() { return g_error.c_str(); }
const char* nns_gemm_backend() { return nn::gemm_backend(); }

// A two-layer MLP with these weights; activation as nn::parse_activation reads it ("relu", "tanh", ...).
int nns_load(int in, int hidden, int out, const char* activation, const float* W1, const float* b1, const float* W2,
             const float* b2) {
    return guarded("nns_load", [&] {
        const std::size_t I = positive(in, "in"), H = positive(hidden, "hidden"), O = positive(out, "out");
        auto m = std::make_unique<nn::MLP<float>>(I, H, O, nn::parse_activation(activation), 0);
        nn::Tape<float>& tape = m->tape();
        std::copy(W1, W1 + I * H, tape.value(m->layer(0).W).data());             // [in, H]
        std::copy(b1, b1 + H, tape.value(m->layer(0).b).data());                 // [1, H]
        std::copy(W2, W2 + H * O, tape.value(m->layer(1).W).data());             // [H, out]
        std::copy(b2, b2 + O, tape.value(m->layer(1).b).data());                 // [1, out]
        g_model = std::move(m);
        g_optimizer.reset();
    });
}

// The model's weights back (after training steps): same shapes as nns_load's.
int nns_weights(float* W1, float* b1, float* W2, float* b2) {
    return guarded("nns_weights", [&] {
        const nn::MLP<float>& m = model("nns_weights");
        const nn::Tape<float>& tape = m.tape();
        auto out = [&](nn::Var v, float* to) { std::copy(tape.value(v).begin(), tape.value(v).end(), to); };
        out(m.layer(0).W, W1), out(m.layer(0).b, b1), out(m.layer(1).W, W2), out(m.layer(1).b, b2);
    });
}

// probabilities [n, out] = softmax(logits(x)), nn::predict.
int nns_predict(const float* x, int n, float* probabilities) {
    return guarded("nns_predict", [&] {
        const nn::MLP<float>& m = model("nns_predict");
        const nn::Tensor<float> p = nn::predict(m, rows_of(x, positive(n, "n"), m.in()));   // [n, out]
        std::copy(p.begin(), p.end(), probabilities);
    });
}

// J [n, out, in] = ∂p_i/∂x_j of every row, sensitivity::maps::jacobian (one backward walk per class).
int nns_jacobian(const float* x, int n, float* J) {
    return guarded("nns_jacobian", [&] {
        nn::MLP<float>& m = model("nns_jacobian");
        const xt::xtensor<float, 3> j = sensitivity::maps::jacobian(m, rows_of(x, positive(n, "n"), m.in()));
        std::copy(j.begin(), j.end(), J);
    });
}

// One minibatch step of plain SGD (momentum 0) at rate lr, as nn::training::train_step takes it: the mean cross-entropy
// of (x, labels), its gradients dW1 [in, H], db1 [H], dW2 [H, out], db2 [out] (before the update), then W -= lr·dW.
// lr = 0 leaves the weights as they are. Any gradient pointer may be null.
int nns_train_step(const float* x, const int* labels, int n, float lr, float* loss, float* dW1, float* db1, float* dW2,
                   float* db2) {
    return guarded("nns_train_step", [&] {
        nn::MLP<float>& m = model("nns_train_step");
        const std::size_t B = positive(n, "n");
        if (!g_optimizer) {
            nn::OptimizerConfig config;
            config.kind = nn::OptimizerKind::Sgd;
            config.momentum = 0;
            config.nesterov = false;
            g_optimizer = nn::make_optimizer<float>(config);
        }
        m.reset();
        m.set_trainable(true);
        nn::Tape<float>& tape = m.tape();
        const nn::Var xv = m.input(B);                                          // [B, in]
        std::copy(x, x + B * m.in(), tape.value(xv).data());
        const std::vector<int> y(labels, labels + B);
        const nn::Var logits = m.logits(xv);                                   // [B, out]
        const nn::Var l = tape.softmax_cross_entropy(logits, y);                // [1, 1]
        const std::vector<nn::Var> params = m.parameters();
        for (nn::Var p : params) tape.zero_grad(p);
        tape.backward(l);                                                       // dW1, db1, dW2, db2
        float* to[] = {dW1, db1, dW2, db2};
        for (std::size_t i = 0; i < params.size(); ++i)
            if (to[i]) std::copy(tape.grad(params[i]).begin(), tape.grad(params[i]).end(), to[i]);
        if (loss) *loss = tape.value(l)(0, 0);
        g_optimizer->step(tape, params, lr);
        m.reset();
    });
}

}  // extern "C"
