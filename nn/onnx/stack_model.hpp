// nn/onnx/stack_model.hpp — a DenseStack as a model the maps take (sensitivity/maps/model.hpp): its own tape with the
// weights as leaves, logits(x) recorded by record.hpp. Explaining only: it has no optimizer and never trains.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "nn/activation.hpp"
#include "nn/onnx/dense_stack.hpp"
#include "nn/onnx/record.hpp"
#include "nn/tape.hpp"

namespace nn::onnx {

template <class T>
class StackModel {
public:
    // Throws std::runtime_error (record.hpp) for an activation the tape has no op for.
    explicit StackModel(DenseStack stack) : stack_(std::move(stack)) {
        weights_ = place_weights(tape_, stack_);
        params_end_ = tape_.size();
        // The maps that look inside (fd_check's relu-kink rule, the sanity check) need one activation between
        // layers and none after the last: only then are the layers listed.
        bool uniform = stack_.layers.back().act == Activation::Identity;
        for (std::size_t k = 0; k + 1 < stack_.layers.size(); ++k)
            uniform = uniform && stack_.layers[k].act == stack_.layers[0].act &&
                      (stack_.layers[k].act == Activation::Relu || stack_.layers[k].act == Activation::Tanh ||
                       stack_.layers[k].act == Activation::Sigmoid);
        if (uniform && stack_.layers.size() > 1) {
            const Activation a = stack_.layers[0].act;
            activation = a == Activation::Relu ? nn::Activation::Relu
                       : a == Activation::Tanh ? nn::Activation::Tanh
                                               : nn::Activation::Sigmoid;
            listed_ = weights_;
        }
    }
    // The same network in another precision (float -> double for finite-difference checks).
    template <class U>
    explicit StackModel(const StackModel<U>& other) : StackModel(other.stack()) {}

    Tape<T>& tape() { return tape_; }
    const Tape<T>& tape() const { return tape_; }
    std::vector<Var> parameters() const {
        std::vector<Var> p;
        for (const Linear& l : weights_) p.insert(p.end(), {l.W, l.b});
        return p;
    }
    Var logits(Var x) { return record_logits(tape_, stack_, weights_, x); }   // [B, out]
    std::size_t in() const { return stack_.input_width; }
    std::size_t out() const { return stack_.output_width(); }
    // The dense layers when one activation sits between them (see the constructor), else empty.
    std::vector<Linear> layers() const { return listed_; }
    // Forget every forward pass: rewind the tape to just after the weights.
    void reset() { tape_.rewind(params_end_); }
    const DenseStack& stack() const { return stack_; }

    nn::Activation activation = nn::Activation::Relu;   // between the layers, when layers() lists them

private:
    DenseStack stack_;
    Tape<T> tape_;
    std::vector<Linear> weights_, listed_;
    std::size_t params_end_ = 0;
};

}  // namespace nn::onnx
