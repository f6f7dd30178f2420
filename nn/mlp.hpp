// nn/mlp.hpp — the two-layer perceptron in→hidden→out (784-H-10 for MNIST) whose parameters live on its tape.
// The parameters are the tape's first four leaves; each batch rewinds the tape to just after them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/activation.hpp"
#include "nn/linear.hpp"
#include "nn/tape.hpp"

namespace nn {

// Records layer 1, the activation and layer 2 on `tape`: the logits [B, out] of x [B, in].
// The one definition of the network's forward pass; MLP::logits and nn::predict both call it.
template <class T>
Var record_logits(Tape<T>& tape, const Linear& layer1, Activation activation, const Linear& layer2, Var x);

template <class T>
class MLP {
public:
    // He-initialised weights from `seed`; the same seed always gives the same weights.
    MLP(std::size_t in, std::size_t hidden, std::size_t out, Activation activation, std::uint64_t seed);
    // The same network in another precision (float -> double for finite-difference checks).
    template <class U>
    explicit MLP(const MLP<U>& other);

    Tape<T>& tape() { return tape_; }
    const Tape<T>& tape() const { return tape_; }
    std::vector<Var> parameters() const { return {layer1.W, layer1.b, layer2.W, layer2.b}; }
    std::size_t in() const { return layer1.in; }
    std::size_t hidden() const { return layer1.out; }
    std::size_t out() const { return layer2.out; }
    // The dense layers in order, for code that needs the network's structure (exact integrated gradients).
    std::vector<Linear> layers() const { return {layer1, layer2}; }

    // Forget the previous batch: rewind the tape to just after the parameters (buffers are kept).
    void reset() { tape_.rewind(params_end_); }
    // Switch the parameters' gradients on (training) or off, for nodes recorded afterwards. Rewinds nothing.
    void set_trainable(bool trainable);
    // Freezes the parameters while the returned guard lives, then gives each its previous flag back:
    //     { auto frozen = model.freeze(); ... record and walk backward: no dW is computed ... }
    FrozenLeaves<T> freeze() { return FrozenLeaves<T>(tape_, parameters()); }
    // A new input leaf [B, in]; fill it through tape().value(x). Call reset() first for a new batch.
    Var input(std::size_t batch, bool requires_grad = false);
    // Records layer 1, the activation and layer 2 on the tape: the logits [B, out].
    Var logits(Var x) { return record_logits(tape_, layer1, activation, layer2, x); }

    Linear layer1, layer2;
    Activation activation = Activation::Relu;

private:
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

}  // namespace nn
