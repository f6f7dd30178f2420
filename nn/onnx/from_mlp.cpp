// nn/onnx/from_mlp.cpp — copying the MLP's weights off its tape into a DenseStack (float to double: exact).
// The reverse, a DenseStack recorded on a tape, is record.hpp.
#include "nn/onnx/from_mlp.hpp"

#include <algorithm>

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

}  // namespace nn::onnx
