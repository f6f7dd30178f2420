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
    const Activation act = model.activation == nn::Activation::Relu      ? Activation::Relu
                         : model.activation == nn::Activation::Sigmoid ? Activation::Sigmoid
                                                                       : Activation::Tanh;
    DenseStack s;
    s.input_width = model.in();
    s.layers.push_back(dense(model, model.layer1, act));
    s.layers.push_back(dense(model, model.layer2, Activation::Identity));
    s.notes.push_back("converted from nn::MLP " + std::to_string(model.in()) + "-" + std::to_string(model.hidden()) +
                      "-" + std::to_string(model.out()) + " (" + nn::activation_name(model.activation) + ")");
    return s;
}

}  // namespace nn::onnx
