// nn/mlp.cpp — building the perceptron's layers on its tape and recording its forward pass.
// Training (losses, optimizers, the loop) is elsewhere; this file only knows the network's shape.
#include "nn/mlp.hpp"

#include "nn/chunks.hpp"
#include "names/names.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

#include <xtensor/xmanipulation.hpp>

namespace nn {

namespace {
const names::NameTable<Activation, 6> kActivationNames = {{{Activation::Relu, "relu"},
                                                     {Activation::Sigmoid, "sigmoid"},
                                                     {Activation::Tanh, "tanh"},
                                                     {Activation::LeakyRelu, "leaky_relu"},
                                                     {Activation::Gelu, "gelu"},
                                                     {Activation::Identity, "identity"}}};
}  // namespace

const char* activation_name(Activation a) { return names::name_of(kActivationNames, a); }
Activation parse_activation(const std::string& name) { return names::parse_name(kActivationNames, name, "activation"); }
std::string activation_names() { return names::name_list(kActivationNames); }

template <class T>
Var record_logits(Tape<T>& tape, const std::vector<Linear>& layers, Activation activation, Var x) {
    Var h = x;                                           // [B, in]
    for (std::size_t k = 0; k + 1 < layers.size(); ++k) {
        Var z = forward(tape, layers[k], h);             // [B, H_k]
        h = activate(tape, activation, z);               // [B, H_k]
    }
    return forward(tape, layers.back(), h);              // [B, out]
}

template <class T>
MLP<T>::MLP(std::size_t in, const std::vector<std::size_t>& hidden, std::size_t out, Activation act,
            std::uint64_t seed)
    : activation(act) {
    if (hidden.empty()) throw std::invalid_argument("MLP: at least one hidden layer");
    if (in == 0 || out == 0 || std::count(hidden.begin(), hidden.end(), std::size_t(0)) > 0)
        throw std::invalid_argument("MLP: layer sizes must be positive");
    std::mt19937_64 rng(seed);
    std::size_t width = in;
    for (std::size_t h : hidden) {
        layers_.push_back(make_linear(tape_, width, h, rng));   // W_k [width, h], b_k [1, h]
        width = h;
    }
    layers_.push_back(make_linear(tape_, width, out, rng));     // W_L [H_last, out], b_L [1, out]
    params_end_ = tape_.mark();
}

template <class T>
std::vector<Var> MLP<T>::parameters() const {
    std::vector<Var> p;
    for (const Linear& l : layers_) p.insert(p.end(), {l.W, l.b});
    return p;
}

template <class T>
std::vector<std::size_t> MLP<T>::hidden() const {
    std::vector<std::size_t> h;
    for (std::size_t k = 0; k + 1 < layers_.size(); ++k) h.push_back(layers_[k].out);
    return h;
}

template <class T>
template <class U>
MLP<T>::MLP(const MLP<U>& other) : activation(other.activation) {
    auto copy = [&](const Linear& l) {
        Tensor<T> W = xt::cast<T>(other.tape().value(l.W));
        Tensor<T> b = xt::cast<T>(other.tape().value(l.b));
        return Linear{tape_.leaf(std::move(W)), tape_.leaf(std::move(b)), l.in, l.out};
    };
    for (const Linear& l : other.layers()) layers_.push_back(copy(l));
    params_end_ = tape_.mark();
}

template <class T>
void MLP<T>::set_trainable(bool trainable) {
    for (Var p : parameters()) tape_.set_requires_grad(p, trainable);
}

template <class T>
Var MLP<T>::input(std::size_t batch, bool requires_grad) {
    return tape_.leaf(batch, in(), requires_grad);      // [B, in]
}

namespace {
template <class T>
Tensor<T> forward_only(const MLP<T>& model, const Tensor<T>& x, bool softmax, std::size_t chunk) {
    if (x.shape(1) != model.in())
        throw std::invalid_argument("predict: input has " + std::to_string(x.shape(1)) + " columns, the model expects " +
                                    std::to_string(model.in()));
    const std::size_t N = x.shape(0), C = model.out(), D = model.in();
    Tensor<T> f({N, C});                                 // [N, C]
    Tape<T> tape;                                        // scratch: parameters copied as constants
    auto constant = [&](const Linear& l) {
        return Linear{tape.leaf(model.tape().value(l.W), false), tape.leaf(model.tape().value(l.b), false), l.in, l.out};
    };
    std::vector<Linear> layers;
    for (const Linear& l : model.layers()) layers.push_back(constant(l));
    const std::size_t params_end = tape.mark();
    for_each_chunk(N, chunk, "predict", [&](std::size_t row0, std::size_t B) {
        tape.rewind(params_end);                         // buffers are reused chunk after chunk
        Var xv = tape.leaf(B, D, false);                 // [B, D]
        std::copy(x.data() + row0 * D, x.data() + (row0 + B) * D, tape.value(xv).data());
        Var y = record_logits(tape, layers, model.activation, xv);   // [B, C]
        if (softmax) y = tape.softmax(y);
        const Tensor<T>& fy = tape.value(y);
        std::copy(fy.data(), fy.data() + B * C, f.data() + row0 * C);
    });
    return f;
}
}  // namespace

template <class T>
std::string layer_widths(const MLP<T>& model) {
    std::string s = std::to_string(model.in());
    for (const Linear& l : model.layers()) s += "-" + std::to_string(l.out);
    return s;
}

std::string hidden_text(const std::vector<std::size_t>& hidden, char sep) {
    std::string s;
    for (std::size_t h : hidden) s += (s.empty() ? std::string() : std::string(1, sep)) + std::to_string(h);
    return s;
}

template <class T>
Tensor<T> predict(const MLP<T>& model, const Tensor<T>& x, std::size_t chunk) {
    return forward_only(model, x, true, chunk);
}

template <class T>
Tensor<T> predict_logits(const MLP<T>& model, const Tensor<T>& x, std::size_t chunk) {
    return forward_only(model, x, false, chunk);
}

template class MLP<float>;
template class MLP<double>;
template Var record_logits(Tape<float>&, const std::vector<Linear>&, Activation, Var);
template Var record_logits(Tape<double>&, const std::vector<Linear>&, Activation, Var);
template Tensor<float> predict(const MLP<float>&, const Tensor<float>&, std::size_t);
template Tensor<double> predict(const MLP<double>&, const Tensor<double>&, std::size_t);
template Tensor<float> predict_logits(const MLP<float>&, const Tensor<float>&, std::size_t);
template Tensor<double> predict_logits(const MLP<double>&, const Tensor<double>&, std::size_t);
template MLP<double>::MLP(const MLP<float>&);
template std::string layer_widths(const MLP<float>&);
template std::string layer_widths(const MLP<double>&);
template MLP<float>::MLP(const MLP<double>&);

}  // namespace nn
