// nn/mlp.cpp — building the two-layer perceptron on its tape and recording its forward pass.
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
Var record_logits(Tape<T>& tape, const Linear& layer1, Activation activation, const Linear& layer2, Var x) {
    Var z1 = forward(tape, layer1, x);                   // [B, H]
    Var h = activate(tape, activation, z1);             // [B, H]
    return forward(tape, layer2, h);                     // [B, out]
}

template <class T>
MLP<T>::MLP(std::size_t in, std::size_t hidden, std::size_t out, Activation act, std::uint64_t seed)
    : activation(act) {
    if (in == 0 || hidden == 0 || out == 0) throw std::invalid_argument("MLP: layer sizes must be positive");
    std::mt19937_64 rng(seed);
    layer1 = make_linear(tape_, in, hidden, rng);       // W1 [in, H], b1 [1, H]
    layer2 = make_linear(tape_, hidden, out, rng);      // W2 [H, out], b2 [1, out]
    params_end_ = tape_.mark();
}

template <class T>
template <class U>
MLP<T>::MLP(const MLP<U>& other) : activation(other.activation) {
    auto copy = [&](const Linear& l) {
        Tensor<T> W = xt::cast<T>(other.tape().value(l.W));
        Tensor<T> b = xt::cast<T>(other.tape().value(l.b));
        return Linear{tape_.leaf(std::move(W)), tape_.leaf(std::move(b)), l.in, l.out};
    };
    layer1 = copy(other.layer1);
    layer2 = copy(other.layer2);
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
    const Linear l1 = constant(model.layer1), l2 = constant(model.layer2);
    const std::size_t params_end = tape.mark();
    for_each_chunk(N, chunk, "predict", [&](std::size_t row0, std::size_t B) {
        tape.rewind(params_end);                         // buffers are reused chunk after chunk
        Var xv = tape.leaf(B, D, false);                 // [B, D]
        std::copy(x.data() + row0 * D, x.data() + (row0 + B) * D, tape.value(xv).data());
        Var y = record_logits(tape, l1, model.activation, l2, xv);   // [B, C]
        if (softmax) y = tape.softmax(y);
        const Tensor<T>& fy = tape.value(y);
        std::copy(fy.data(), fy.data() + B * C, f.data() + row0 * C);
    });
    return f;
}
}  // namespace

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
template Var record_logits(Tape<float>&, const Linear&, Activation, const Linear&, Var);
template Var record_logits(Tape<double>&, const Linear&, Activation, const Linear&, Var);
template Tensor<float> predict(const MLP<float>&, const Tensor<float>&, std::size_t);
template Tensor<double> predict(const MLP<double>&, const Tensor<double>&, std::size_t);
template Tensor<float> predict_logits(const MLP<float>&, const Tensor<float>&, std::size_t);
template Tensor<double> predict_logits(const MLP<double>&, const Tensor<double>&, std::size_t);
template MLP<double>::MLP(const MLP<float>&);
template MLP<float>::MLP(const MLP<double>&);

}  // namespace nn
