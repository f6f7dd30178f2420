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
    s.layers.push_back(dense(model, model.layer1, act));
    s.layers.back().alpha = nn::kLeakyReluSlope;                          // used only by a leaky_relu layer
    s.layers.push_back(dense(model, model.layer2, Activation::Identity));
    s.notes.push_back("converted from nn::MLP " + std::to_string(model.in()) + "-" + std::to_string(model.hidden()) +
                      "-" + std::to_string(model.out()) + " (" + nn::activation_name(model.activation) + ")");
    return s;
}

MLP<float> to_mlp(const DenseStack& s) {
    const std::string source = s.source.empty() ? "the model" : s.source;
    if (s.layers.size() != 2)
        throw std::runtime_error(source + ": " + describe(s) + " has " + std::to_string(s.layers.size()) +
                                 " dense layers; this mode takes two (one hidden layer) for now");
    const Activation a = s.layers[0].act;
    if (!(a == Activation::Relu || a == Activation::Tanh || a == Activation::Sigmoid) ||
        s.layers[1].act != Activation::Identity)
        throw std::runtime_error(source + ": " + describe(s) + ": this mode takes relu, tanh or sigmoid between the two "
                                 "layers and none after the second");
    const nn::Activation act = a == Activation::Relu ? nn::Activation::Relu
                             : a == Activation::Tanh ? nn::Activation::Tanh
                                                     : nn::Activation::Sigmoid;
    MLP<float> m(s.input_width, s.layers[0].out(), s.layers[1].out(), act, 0);
    const Linear* targets[2] = {&m.layer1, &m.layer2};
    for (std::size_t k = 0; k < 2; ++k) {
        m.tape().value(targets[k]->W) = xt::cast<float>(s.layers[k].W);                  // [in, out]
        Tensor<float>& b = m.tape().value(targets[k]->b);                                 // [1, out]
        std::copy(s.layers[k].b.begin(), s.layers[k].b.end(), b.begin());
    }
    return m;
}

}  // namespace nn::onnx
