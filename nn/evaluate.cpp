// nn/evaluate.cpp — batched forward passes, argmax, and the counts behind accuracy and the confusion matrix.
// Reads the model's tape but never records gradients or changes the parameters.
#include "nn/evaluate.hpp"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace nn {

std::vector<int> argmax_rows(const Tensor<float>& logits) {
    std::vector<int> out(logits.shape(0));
    for (std::size_t r = 0; r < logits.shape(0); ++r) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < logits.shape(1); ++c)
            if (logits(r, c) > logits(r, best)) best = c;
        out[r] = static_cast<int>(best);
    }
    return out;
}

Evaluation evaluate(MLP<float>& model, const datasets::Dataset& data, std::size_t batch) {
    const std::size_t N = data.size(), K = model.out();
    if (N == 0) throw std::invalid_argument("evaluate: dataset '" + data.name + "' is empty");
    if (batch == 0) throw std::invalid_argument("evaluate: batch must be >= 1");
    if (data.pixels() != model.in())
        throw std::invalid_argument("evaluate: dataset '" + data.name + "' has " + std::to_string(data.pixels()) +
                                    " pixels per image, the model expects " + std::to_string(model.in()));
    for (std::size_t i = 0; i < N; ++i)
        if (data.labels[i] >= K)
            throw std::invalid_argument("evaluate: dataset '" + data.name + "': label " + std::to_string(data.labels[i]) +
                                        " at index " + std::to_string(i) + " is >= the model's " +
                                        std::to_string(K) + " outputs");

    Evaluation e;
    e.count = N;
    e.confusion.assign(K, std::vector<std::size_t>(K, 0));
    Tape<float>& tape = model.tape();
    std::vector<std::size_t> idx;
    std::vector<int> labels;
    double loss_sum = 0;
    for (std::size_t begin = 0; begin < N; begin += batch) {
        const std::size_t n = std::min(batch, N - begin);
        idx.resize(n);
        std::iota(idx.begin(), idx.end(), begin);
        data.batch_labels(idx.data(), n, labels);
        model.reset();
        Var x = model.input(n);                                   // [n, in]
        data.batch(idx.data(), n, tape.value(x));
        Var logits = model.logits(x);                             // [n, K]
        Var loss = tape.softmax_cross_entropy(logits, labels);    // [1, 1]
        loss_sum += static_cast<double>(tape.value(loss)(0, 0)) * static_cast<double>(n);
        const std::vector<int> predicted = argmax_rows(tape.value(logits));   // [n]
        for (std::size_t r = 0; r < n; ++r)
            ++e.confusion[static_cast<std::size_t>(labels[r])][static_cast<std::size_t>(predicted[r])];
    }
    model.reset();

    std::size_t correct = 0;
    e.per_class_accuracy.resize(K);
    for (std::size_t k = 0; k < K; ++k) {
        const std::size_t total = std::accumulate(e.confusion[k].begin(), e.confusion[k].end(), std::size_t(0));
        correct += e.confusion[k][k];
        e.per_class_accuracy[k] = total ? static_cast<double>(e.confusion[k][k]) / static_cast<double>(total)
                                        : std::numeric_limits<double>::quiet_NaN();
    }
    e.accuracy = static_cast<double>(correct) / static_cast<double>(N);
    e.loss = loss_sum / static_cast<double>(N);
    return e;
}

}  // namespace nn
