// nn/onnx/from_mlp.cpp — copying the MLP's weights off its tape into a DenseStack (float to double: exact).
// The reverse, a DenseStack recorded on a tape, is record.hpp.
#include "nn/onnx/from_mlp.hpp"

#include <algorithm>
#include <stdexcept>

namespace nn::onnx {

namespace {
Dense dense(const MLP<float>& model, const Linear& l, Activation act) {
    Dense d;
    d.W = xt::cast<double>(model.tape().value(l.W));                  // [in, out]
    const Tensor<float>& b = model.tape().value(l.b);                   // [1, out]
    d.b.assign(b.begin(), b.end());
    d.act = act;
    return d;
}
}  // namespace

DenseStack from_mlp(const MLP<float>& model) {
    Activation act = Activation::Identity;
    switch (model.activation) {
        case nn::Activation::Relu: act = Activation::Relu; break;
        case nn::Activation::Sigmoid: act = Activation::Sigmoid; break;
        case nn::Activation::Tanh: act = Activation::Tanh; break;
        case nn::Activation::LeakyRelu: act = Activation::LeakyRelu; break;
        case nn::Activation::Gelu: act = Activation::Gelu; break;
        case nn::Activation::Identity: break;
    }
    DenseStack s;
    s.input_width = model.in();
    const std::vector<Linear>& layers = model.layers();
    for (std::size_t k = 0; k < layers.size(); ++k) {
        const bool last = k + 1 == layers.size();
        s.layers.push_back(dense(model, layers[k], last ? Activation::Identity : act));
        s.layers.back().alpha = nn::kLeakyReluSlope;                      // used only by a leaky_relu layer
    }
    s.notes.push_back("converted from nn::MLP " + layer_widths(model) + " (" + nn::activation_name(model.activation) +
                      ")");
    return s;
}

MLP<float> to_mlp(const DenseStack& s) {
    const std::string source = s.source.empty() ? "the model" : s.source;
    if (s.layers.size() < 2)
        throw std::runtime_error(source + ": " + describe(s) + " has no hidden layer; this mode takes at least one");
    const Dense& first = s.layers.front();
    bool uniform = s.layers.back().act == Activation::Identity;
    for (std::size_t k = 0; k + 1 < s.layers.size(); ++k)
        uniform = uniform && s.layers[k].act == first.act &&
                  (first.act != Activation::LeakyRelu || s.layers[k].alpha == nn::kLeakyReluSlope);
    if (!uniform || first.act == Activation::Identity)
        throw std::runtime_error(source + ": " + describe(s) + ": this mode takes one activation after every hidden "
                                 "layer (relu, tanh, sigmoid, gelu, or leaky_relu of slope 0.01) and none after the last");
    nn::Activation act = nn::Activation::Relu;
    switch (first.act) {
        case Activation::Relu: act = nn::Activation::Relu; break;
        case Activation::Tanh: act = nn::Activation::Tanh; break;
        case Activation::Sigmoid: act = nn::Activation::Sigmoid; break;
        case Activation::LeakyRelu: act = nn::Activation::LeakyRelu; break;
        case Activation::Gelu: act = nn::Activation::Gelu; break;
        case Activation::Identity: break;
    }
    std::vector<std::size_t> hidden;
    for (std::size_t k = 0; k + 1 < s.layers.size(); ++k) hidden.push_back(s.layers[k].out());
    MLP<float> m(s.input_width, hidden, s.layers.back().out(), act, 0);
    for (std::size_t k = 0; k < s.layers.size(); ++k) {
        m.tape().value(m.layer(k).W) = xt::cast<float>(s.layers[k].W);                 // [in, out]
        Tensor<float>& b = m.tape().value(m.layer(k).b);                                // [1, out]
        std::copy(s.layers[k].b.begin(), s.layers[k].b.end(), b.begin());
    }
    return m;
}

}  // namespace nn::onnx
