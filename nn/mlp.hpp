// nn/mlp.hpp — the multilayer perceptron in→H→out (784-H-10 for MNIST; 784-256-128-10 with two hidden layers) whose
// parameters live on its tape. The parameters are the tape's first leaves; each batch rewinds the tape to just after them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/activation.hpp"
#include "nn/linear.hpp"
#include "nn/tape.hpp"

namespace nn {

// Records every dense layer on `tape`, `activation` after each but the last: the logits [B, out] of x [B, in].
// The one definition of the network's forward pass; MLP::logits and nn::predict both call it.
template <class T>
Var record_logits(Tape<T>& tape, const std::vector<Linear>& layers, Activation activation, Var x);

template <class T>
class MLP {
public:
    // He-initialised weights from `seed`; the same seed always gives the same weights. One hidden layer of `hidden`
    // units, or one per entry of a list: MLP(784, {256, 128}, 10, ...) is 784-256-128-10.
    MLP(std::size_t in, std::size_t hidden, std::size_t out, Activation activation, std::uint64_t seed)
        : MLP(in, std::vector<std::size_t>{hidden}, out, activation, seed) {}
    MLP(std::size_t in, const std::vector<std::size_t>& hidden, std::size_t out, Activation activation,
        std::uint64_t seed);
    // The same network in another precision (float -> double for finite-difference checks).
    template <class U>
    explicit MLP(const MLP<U>& other);

    Tape<T>& tape() { return tape_; }
    const Tape<T>& tape() const { return tape_; }
    // W1, b1, W2, b2, ... in layer order: the tape's first leaves.
    std::vector<Var> parameters() const;
    std::size_t in() const { return layers_.front().in; }
    std::vector<std::size_t> hidden() const;            // the hidden widths: {256} for 784-256-10
    std::size_t out() const { return layers_.back().out; }
    // Dense layer k, from 0: layer(0) holds W1 and b1, layer(1) W2 and b2. Two layers for one hidden layer.
    const Linear& layer(std::size_t k) const { return layers_.at(k); }
    // The dense layers in order, for code that needs the network's structure (the maps' relu-kink rule, exact IG).
    const std::vector<Linear>& layers() const { return layers_; }

    // Forget the previous batch: rewind the tape to just after the parameters (buffers are kept).
    void reset() { tape_.rewind(params_end_); }
    // Switch the parameters' gradients on (training) or off, for nodes recorded afterwards. Rewinds nothing.
    void set_trainable(bool trainable);
    // Freezes the parameters while the returned guard lives, then gives each its previous flag back:
    //     { auto frozen = model.freeze(); ... record and walk backward: no dW is computed ... }
    FrozenLeaves<T> freeze() { return FrozenLeaves<T>(tape_, parameters()); }
    // A new input leaf [B, in]; fill it through tape().value(x). Call reset() first for a new batch.
    Var input(std::size_t batch, bool requires_grad = false);
    // Records the layers and the activations between them on the tape: the logits [B, out].
    Var logits(Var x) { return record_logits(tape_, layers_, activation, x); }

    Activation activation = Activation::Relu;           // after every hidden layer

private:
    std::vector<Linear> layers_;
    Tape<T> tape_;
    std::size_t params_end_ = 0;
};

extern template class MLP<float>;
extern template class MLP<double>;

// The softmax probabilities [N, out] of a const model, forward passes only, in chunks of `chunk` rows, recorded on
// a scratch tape that holds a copy of the parameters: the model's own tape is not touched.
// The MLP's forward-only prediction path. Throws if x does not have model.in() columns.
template <class T>
Tensor<T> predict(const MLP<T>& model, const Tensor<T>& x /*[N, in]*/, std::size_t chunk = 4096);
// The same, the logits [N, out] (what evaluation and the loss look at).
template <class T>
Tensor<T> predict_logits(const MLP<T>& model, const Tensor<T>& x /*[N, in]*/, std::size_t chunk = 4096);

// "784-256-128-10": every layer's width, for logs and reports.
template <class T>
std::string layer_widths(const MLP<T>& model);
// "256" or "256,128": the hidden widths as the --hidden flag writes them (sep '-': "256-128").
std::string hidden_text(const std::vector<std::size_t>& hidden, char sep = ',');

}  // namespace nn
