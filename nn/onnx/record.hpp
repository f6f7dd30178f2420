// nn/onnx/record.hpp — a DenseStack on an nn::Tape: its weights become leaves, its forward pass the tape's own ops
// (matmul, add_bias, relu, tanh, sigmoid, leaky_relu, gelu, softmax, log_softmax). No second interpreter: the tape computes everything.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/linear.hpp"
#include "nn/onnx/dense_stack.hpp"
#include "nn/tape.hpp"

namespace nn::onnx {

// Each layer's W [in, out] and b [1, out] as leaves of `tape`, converted to T. Constants (no gradient) by default:
// an input Jacobian needs none of dW.
template <class T>
std::vector<Linear> place_weights(Tape<T>& tape, const DenseStack& stack, bool requires_grad = false) {
    std::vector<Linear> out;
    for (const Dense& l : stack.layers) {
        Tensor<T> W = xt::cast<T>(l.W);                                   // [in, out]
        Tensor<T> b({std::size_t(1), l.out()});                           // [1, out]
        std::copy(l.b.begin(), l.b.end(), b.begin());
        out.push_back(Linear{tape.leaf(std::move(W), requires_grad), tape.leaf(std::move(b), requires_grad), l.in(),
                             l.out()});
    }
    return out;
}

// Records every layer on the tape: act(x·W + b), layer after layer. Returns the logits [B, out] (before the head).
// Throws if x [B, ·] does not have input_width columns or `weights` is not place_weights' answer for this stack.
template <class T>
Var record_logits(Tape<T>& tape, const DenseStack& stack, const std::vector<Linear>& weights, Var x) {
    check_input_width(stack, tape.value(x).shape(1), "the input");
    if (weights.size() != stack.layers.size())
        throw std::invalid_argument("record_logits: weights were placed for another stack");
    Var h = x;                                                            // [B, in]
    for (std::size_t k = 0; k < weights.size(); ++k) {
        h = forward(tape, weights[k], h);                                 // [B, out_k]
        switch (stack.layers[k].act) {
            case Activation::Identity: break;
            case Activation::Relu: h = tape.relu(h); break;               // [B, out_k]
            case Activation::Tanh: h = tape.tanh(h); break;
            case Activation::Sigmoid: h = tape.sigmoid(h); break;
            case Activation::LeakyRelu: h = tape.leaky_relu(h, static_cast<T>(stack.layers[k].alpha)); break;
            case Activation::Gelu: h = tape.gelu(h); break;               // exact, a·Φ(a)
        }
    }
    return h;                                                             // [B, out]
}

// record_logits, then the head: softmax or log-softmax by row, or nothing. What the ONNX graph's output is.
template <class T>
Var record_output(Tape<T>& tape, const DenseStack& stack, const std::vector<Linear>& weights, Var x) {
    const Var logits = record_logits(tape, stack, weights, x);           // [B, out]
    switch (stack.head) {
        case Head::Softmax: return tape.softmax(logits);
        case Head::LogSoftmax: return tape.log_softmax(logits);
        case Head::None: break;
    }
    return logits;
}

}  // namespace nn::onnx
