// nn/training/evaluate.cpp — batched forward passes, argmax, and the counts behind accuracy and the confusion matrix.
// Reads the model's tape but never records gradients or changes the parameters.
#include "nn/training/evaluate.hpp"

#include "nn/chunks.hpp"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace nn::training {

Evaluation evaluate(const MLP<float>& model, const datasets::Dataset& data, std::size_t batch) {
    const LogitsFn logits = [&model](const Tensor<float>& x) { return predict_logits(model, x, x.shape(0)); };
    return evaluate(logits, model.in(), model.out(), data, batch);
}

Evaluation evaluate(const LogitsFn& logits_of, std::size_t in, std::size_t out, const datasets::Dataset& data,
                    std::size_t batch) {
    const std::size_t N = data.size(), K = out;
    if (N == 0) throw std::invalid_argument("evaluate: dataset '" + data.name + "' is empty");
    if (batch == 0) throw std::invalid_argument("evaluate: batch must be >= 1");
    if (data.pixels() != in)
        throw std::invalid_argument("evaluate: dataset '" + data.name + "' has " + std::to_string(data.pixels()) +
                                    " pixels per image, the model expects " + std::to_string(in));
    for (std::size_t i = 0; i < N; ++i)
        if (data.labels[i] >= K)
            throw std::invalid_argument("evaluate: dataset '" + data.name + "': label " + std::to_string(data.labels[i]) +
                                        " at index " + std::to_string(i) + " is >= the model's " +
                                        std::to_string(K) + " outputs");

    Evaluation e;
    e.count = N;
    e.confusion.assign(K, std::vector<std::size_t>(K, 0));
    std::vector<std::size_t> idx;
    std::vector<int> labels;
    Tensor<float> x;                                              // [n, in], reused
    Tape<float> loss_tape;                                        // the engine's own cross-entropy, no parameters
    double loss_sum = 0;
    for_each_chunk(N, batch, "evaluate", [&](std::size_t begin, std::size_t n) {
        idx.resize(n);
        std::iota(idx.begin(), idx.end(), begin);
        data.batch_labels(idx.data(), n, labels);
        data.batch(idx.data(), n, x);                             // bytes -> floats, [n, in]
        const Tensor<float> logits = logits_of(x);                // [n, K]
        if (logits.dimension() != 2 || logits.shape(0) != n || logits.shape(1) != K)
            throw std::logic_error("evaluate: the logits function did not return [" + std::to_string(n) + ", " +
                                   std::to_string(K) + "]");
        loss_tape.clear();
        const Var loss = loss_tape.softmax_cross_entropy(loss_tape.leaf(logits, false), labels);   // [1, 1]
        loss_sum += static_cast<double>(loss_tape.value(loss)(0, 0)) * static_cast<double>(n);
        const std::vector<int> predicted = argmax_rows(logits);   // [n]
        for (std::size_t r = 0; r < n; ++r)
            ++e.confusion[static_cast<std::size_t>(labels[r])][static_cast<std::size_t>(predicted[r])];
    });

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

}  // namespace nn::training
