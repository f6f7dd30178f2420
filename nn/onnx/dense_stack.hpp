// nn/onnx/dense_stack.hpp — what an ONNX file means to nnsense: a checked stack of dense layers, each x·W + b then one
// activation, and an optional softmax head. Plain numbers only; reading is read.hpp, recording on a tape record.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "names/names.hpp"
#include "nn/tensor.hpp"

namespace nn::onnx {

// The activation after a dense layer. GELU is the exact one, x·½(1 + erf(x/√2)), what nn.GELU() computes.
enum class Activation { Identity, Relu, Tanh, Sigmoid, LeakyRelu, Gelu };
inline constexpr names::NameTable<Activation, 6> kActivationNames = {{{Activation::Identity, "identity"},
                                                               {Activation::Relu, "relu"},
                                                               {Activation::Tanh, "tanh"},
                                                               {Activation::Sigmoid, "sigmoid"},
                                                               {Activation::LeakyRelu, "leaky_relu"},
                                                               {Activation::Gelu, "gelu"}}};
inline const char* activation_name(Activation a) { return names::name_of(kActivationNames, a); }

// What follows the last layer: nothing (the outputs are logits or plain values), softmax or log-softmax by row.
enum class Head { None, Softmax, LogSoftmax };
inline constexpr names::NameTable<Head, 3> kHeadNames = {
    {{Head::None, "none"}, {Head::Softmax, "softmax"}, {Head::LogSoftmax, "log_softmax"}}};
inline const char* head_name(Head h) { return names::name_of(kHeadNames, h); }

// One dense layer: y = act(x·W + b) for a batch x [B, in].
struct Dense {
    Tensor<double> W;               // [in, out]
    std::vector<double> b;          // [out]
    Activation act = Activation::Identity;
    double alpha = 0.01;            // LeakyRelu's slope for x < 0 (ONNX's default); unused otherwise
    std::size_t in() const { return W.shape(0); }
    std::size_t out() const { return W.shape(1); }
};

// A network of any depth: layers[k].in() == layers[k-1].out(), input_width == layers[0].in().
struct DenseStack {
    std::string source;             // the file it came from (named in every later error), or "" if built in memory
    std::size_t input_width = 0;    // features per row: 784 for a [N, 1, 28, 28] input (flattened row-major)
    std::vector<Dense> layers;
    Head head = Head::None;
    std::vector<std::string> notes; // what the reader changed: "BatchNormalization '...' folded into layer 1", ...
    std::size_t output_width() const { return layers.empty() ? 0 : layers.back().out(); }
};

// "784-32-16-10 (relu, relu, identity; head none)": one line for logs and errors.
std::string describe(const DenseStack& stack);

// Throws std::runtime_error "<source>: the model takes <input_width> inputs per row; <what> has <width>" unless they
// agree. `what` names the data ("data/table.csv", "the input").
void check_input_width(const DenseStack& stack, std::size_t width, const std::string& what);

// The same network taking raw inputs x where the model was trained on z = scale·x + shift, feature by feature
// (an image net trained on 0..255 pixels normalized by MEAN, STD: scale = 255/STD, shift = −MEAN/STD; a table net
// trained on standardized columns: scale = 1/sd, shift = −mean/sd). Folded into the first layer, exactly:
//     z·W + b = x·(diag(scale)·W) + (b + shift·W),
// so every map explains the raw inputs. `scale` and `shift` have input_width entries, or one entry for all.
// Throws std::invalid_argument for other sizes or non-finite values; adds a line to `notes`.
DenseStack fold_input_affine(DenseStack stack, const std::vector<double>& scale, const std::vector<double>& shift,
                             const std::string& note);

}  // namespace nn::onnx
