// nn/mlp.cpp — building the two-layer perceptron on its tape and recording its forward pass.
// Training (losses, optimizers, the loop) is elsewhere; this file only knows the network's shape.
#include "nn/mlp.hpp"

#include <random>
#include <stdexcept>

#include <xtensor/xmanipulation.hpp>

namespace nn {

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::Relu: return "relu";
        case Activation::Sigmoid: return "sigmoid";
        case Activation::Tanh: return "tanh";
    }
    return "?";
}

Activation parse_activation(const std::string& name) {
    if (name == "relu") return Activation::Relu;
    if (name == "sigmoid") return Activation::Sigmoid;
    if (name == "tanh") return Activation::Tanh;
    throw std::invalid_argument("unknown activation '" + name + "' (expected relu, sigmoid or tanh)");
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
    reset();
    for (Var p : parameters()) tape_.set_requires_grad(p, trainable);
}

template <class T>
Var MLP<T>::input(std::size_t batch, bool requires_grad) {
    return tape_.leaf(batch, in(), requires_grad);      // [B, in]
}

template <class T>
Var MLP<T>::logits(Var x) {
    Var z1 = forward(tape_, layer1, x);                  // [B, H]
    Var h = activation == Activation::Relu    ? tape_.relu(z1)
          : activation == Activation::Sigmoid ? tape_.sigmoid(z1)
                                              : tape_.tanh(z1);   // [B, H]
    return forward(tape_, layer2, h);                    // [B, out]
}

template <class T>
Tensor<T> MLP<T>::predict_proba(const Tensor<T>& x) {
    if (x.shape(1) != in())
        throw std::invalid_argument("MLP: input has " + std::to_string(x.shape(1)) + " columns, expected " +
                                    std::to_string(in()));
    reset();
    Var xv = tape_.leaf(x, false);                       // [B, in]
    Tensor<T> p = tape_.value(tape_.softmax(logits(xv)));  // [B, out]
    reset();
    return p;
}

template class MLP<float>;
template class MLP<double>;
template MLP<double>::MLP(const MLP<float>&);
template MLP<float>::MLP(const MLP<double>&);

}  // namespace nn
