// sensitivity/maps/jacobian.hpp — input sensitivities ∂f(x)_i/∂x_j read from the model's own tape: one forward, one backward per seed.
// Only gradients of the outputs with respect to the pixels: attribution methods built on them are in attribution.hpp.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "sensitivity/maps/model.hpp"

namespace sensitivity::maps {

// Which function of the pixels we differentiate: the softmax probabilities or the raw logits.
enum class Output { Softmax, Logits };
const char* output_name(Output out);     // "softmax", "logits"

// f(x) [N, C] without any gradient: forward passes of `chunk` rows recorded on the model's tape with its parameters
// frozen, each forgotten before the next (the maps' forward-only path, for any model; the tape is as it was after).
template <class T>
nn::Tensor<T> predict(Model<T> model, const nn::Tensor<T>& x /*[N, D]*/, Output out = Output::Softmax,
                      std::size_t chunk = 4096);

// One forward pass of a batch recorded on the model's tape with the parameters frozen; afterwards any number of
// backward walks of that same tape, each returning ∂(Σ_n Σ_i seed[n, i]·f(x)[n, i]) / ∂x  — row n of the result
// is the gradient for image n alone, because the rows of a batch do not interact.
// For f = softmax the walk starts at the softmax node: its backward kernel (nn/ops/softmax.hpp) never forms 1 − p_c by
// subtraction, so the float Jacobian of a confident image (1 − p ~ 1e-6) stays precise.
// While it lives the parameters are frozen (nn::FrozenLeaves: no dW is computed) and its nodes follow whatever the
// tape held when it was made; the destructor forgets exactly those nodes and gives each parameter its flag back.
template <class T>
class InputGradient {
public:
    InputGradient(Model<T> model, Output out = Output::Softmax);
    InputGradient(const InputGradient&) = delete;
    InputGradient& operator=(const InputGradient&) = delete;

    // Records the forward pass of rows [row0, row0 + rows) of x [N, D] (rows = 0: to the end). Returns f(x) [rows, C].
    // Buffers are reused when the batch size repeats, so a loop over equal chunks allocates nothing.
    const nn::Tensor<T>& forward(const nn::Tensor<T>& x, std::size_t row0 = 0, std::size_t rows = 0);
    const nn::Tensor<T>& output() const;                            // f(x) [B, C] of the last forward
    // Walks the tape backward with `seed` [B, C]; returns ∂(seed·f)/∂x [B, D], valid until the next call.
    const nn::Tensor<T>& backward(const nn::Tensor<T>& seed);
    // The same with a one-hot seed per row: seed[n, classes[n]] = 1 (one class per row).
    const nn::Tensor<T>& backward_classes(const std::vector<int>& classes);
    // The same with seed +1 at class a and −1 at class b on every row: ∂(f_a − f_b)/∂x.
    const nn::Tensor<T>& backward_difference(int a, int b);

    std::size_t batch() const { return batch_; }

private:
    Model<T> model_;
    Output out_;
    nn::FrozenLeaves<T> frozen_;                                   // destroyed last: flags back after the rewind
    nn::RewindOnExit<T> scope_;                                    // our nodes start at scope_.mark()
    nn::Var x_, logits_, y_;                                       // y_ = softmax(logits_), or logits_ itself
    std::size_t batch_ = 0;
    nn::Tensor<T> seed_;                                           // [B, C], reused
};

// The full Jacobian J[n][i][j] = ∂f(x_n)_i / ∂x_n,j  -> [N, C, D] (signed). One forward per chunk of `chunk` rows,
// then C backward passes with one-hot seeds over the whole chunk.
template <class T>
xt::xtensor<T, 3> jacobian(Model<T> model, const nn::Tensor<T>& x /*[N, D]*/, Output out = Output::Softmax,
                           std::size_t chunk = 1000);

// The same Jacobian by forward mode: one forward pass per chunk of rows, then D/`directions` tangent walks, each
// pushing `directions` one-hot pixel directions through the tape at once (Tape::seed_tangent, forward_tangents).
// D = 784 directions instead of C = 10 seeds: the point of chapter 8, where bench_jacobian times both.
template <class T>
xt::xtensor<T, 3> jacobian_forward(Model<T> model, const nn::Tensor<T>& x /*[N, D]*/, Output out = Output::Softmax,
                                   std::size_t chunk = 1000, std::size_t directions = 8);

// One map per image: ∂f(x_n)_{classes[n]} / ∂x_n -> [N, D]. One backward per chunk, whatever the classes.
template <class T>
nn::Tensor<T> class_gradient(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& classes,
                             Output out = Output::Softmax, std::size_t chunk = 1000);
// The same class c for every image.
template <class T>
nn::Tensor<T> class_gradient(Model<T> model, const nn::Tensor<T>& x, int c, Output out = Output::Softmax);
// The map of each image's predicted class (argmax of its own output); `predicted` receives the classes if given.
template <class T>
nn::Tensor<T> predicted_class_gradient(Model<T> model, const nn::Tensor<T>& x, Output out = Output::Softmax,
                                       std::vector<int>* predicted = nullptr);
// ∂(f_a − f_b)/∂x -> [N, D]: what pushes the network from b towards a. One backward with seed +1 at a, −1 at b.
template <class T>
nn::Tensor<T> class_difference_gradient(Model<T> model, const nn::Tensor<T>& x, int a, int b,
                                        Output out = Output::Softmax);

// The dataset summary: mean |∂p_c/∂x| over the images whose true label is c, for each class c.
template <class T>
struct SensitivitySummary {
    nn::Tensor<T> per_class;             // [C, D]; a class with no image is all zero
    xt::xtensor<T, 1> overall;           // [D]: mean over all images of |∂p_label/∂x|
    std::vector<std::size_t> counts;     // images per class
};
template <class T>
SensitivitySummary<T> summarize(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                                Output out = Output::Softmax);

// Where images come from a chunk at a time: rows(begin, count, x) writes images [begin, begin + count) into x as
// [count, D] (e.g. datasets::Dataset::batch from bytes), so the float copy of a whole test set never exists.
template <class T>
struct RowSource {
    using type = std::function<void(std::size_t begin, std::size_t count, nn::Tensor<T>& x)>;
};
// summarize over labels.size() images asked of `rows` in chunks of `chunk`: memory for one chunk, whatever N is.
// (`rows` is RowSource<T>::type written out, so that a call deduces T from it.)
template <class T>
SensitivitySummary<T> summarize(Model<T> model,
                                const std::function<void(std::size_t, std::size_t, nn::Tensor<T>&)>& rows,
                                const std::vector<int>& labels, Output out = Output::Softmax, std::size_t chunk = 1000);

}  // namespace sensitivity::maps
