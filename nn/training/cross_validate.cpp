// nn/training/cross_validate.cpp — folds, row subsets, the program's way of fitting one net, and the scores of a fold.
// No sensitivities here: refitting for their intervals is sensitivity/tables/refit.hpp.
#include "nn/training/cross_validate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "nn/argmax.hpp"

namespace nn::training {

std::vector<std::vector<std::size_t>> kfold(std::size_t n, std::size_t k, std::uint64_t seed) {
    if (k < 2 || k > n)
        throw std::invalid_argument("kfold: " + std::to_string(k) + " folds of " + std::to_string(n) +
                                    " rows; need 2 <= folds <= rows");
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::seed_seq seq{seed, std::uint64_t(11)};
    std::mt19937_64 rng(seq);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::vector<std::size_t>> folds(k);
    for (std::size_t i = 0; i < n; ++i) folds[i % k].push_back(order[i]);
    for (auto& f : folds) std::sort(f.begin(), f.end());
    return folds;
}

std::vector<std::size_t> complement(std::size_t n, const std::vector<std::size_t>& held_out) {
    std::vector<char> out(n, 0);
    for (std::size_t r : held_out) out.at(r) = 1;
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < n; ++r)
        if (!out[r]) rows.push_back(r);
    return rows;
}

TableData subset(const TableData& data, const std::vector<std::size_t>& rows) {
    const std::size_t D = data.x.shape(1);
    TableData s;
    s.x = xt::zeros<float>({rows.size(), D});                                  // [n, D]
    for (std::size_t i = 0; i < rows.size(); ++i) std::copy_n(&data.x(rows[i], 0), D, &s.x(i, 0));
    if (data.classification()) {
        for (std::size_t r : rows) s.labels.push_back(data.labels[r]);
    } else {
        const std::size_t M = data.y.shape(1);
        s.y = xt::zeros<float>({rows.size(), M});                              // [n, out]
        for (std::size_t i = 0; i < rows.size(); ++i) std::copy_n(&data.y(rows[i], 0), M, &s.y(i, 0));
    }
    return s;
}

FittedNet fit_table_net(const TableData& data, std::size_t out, const TrainConfig& config, EarlyStopping stop,
                        double validation_share) {
    return fit_table_net(data, std::vector<std::size_t>(data.size(), 1), out, config, stop, validation_share);
}

FittedNet fit_table_net(const TableData& data, const std::vector<std::size_t>& copies, std::size_t out,
                        const TrainConfig& config, EarlyStopping stop, double validation_share) {
    if (copies.size() != data.size()) throw std::invalid_argument("fit_table_net: one count of copies per row needed");
    std::vector<std::size_t> order;                          // the rows present, each once
    for (std::size_t n = 0; n < copies.size(); ++n)
        if (copies[n] > 0) order.push_back(n);
    const std::size_t N = order.size();
    if (N < 4) throw std::invalid_argument("fit_table_net: need at least 4 rows");
    std::seed_seq seq{config.seed, std::uint64_t(7)};
    std::mt19937_64 rng(seq);
    std::shuffle(order.begin(), order.end(), rng);
    const std::size_t V = std::max<std::size_t>(2, static_cast<std::size_t>(validation_share * static_cast<double>(N)));
    std::vector<std::size_t> train, validation;              // every copy of a row on the side its row fell
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t c = 0; c < copies[order[i]]; ++c) (i + V < N ? train : validation).push_back(order[i]);
    FittedNet f;
    f.model = make_mlp(config, data.x.shape(1), out);
    f.curve = train_table(f.model, subset(data, train), subset(data, validation), config, stop);
    f.train_rows = train.size();
    f.validation_rows = validation.size();
    return f;
}

TableScore score(const Tensor<float>& prediction, const TableData& data, double target_sd) {
    const std::size_t N = data.size();
    if (N == 0 || prediction.shape(0) != N) throw std::invalid_argument("score: one prediction per row needed");
    TableScore s;
    if (data.classification()) {
        const std::vector<int> pred = argmax_rows(prediction);
        for (std::size_t n = 0; n < N; ++n) {
            const std::size_t k = static_cast<std::size_t>(data.labels[n]);
            const double p = k < prediction.shape(1) ? prediction(n, k) : 0.0;
            s.accuracy += (pred[n] == data.labels[n]) / static_cast<double>(N);
            s.log_loss += -std::log(std::max(p, 1e-12)) / static_cast<double>(N);
        }
        return s;
    }
    const std::size_t M = data.y.shape(1);
    double ss_res = 0, ss_tot = 0;
    for (std::size_t m = 0; m < M; ++m) {
        double mean = 0;
        for (std::size_t n = 0; n < N; ++n) mean += data.y(n, m) / static_cast<double>(N);
        for (std::size_t n = 0; n < N; ++n) {
            const double e = data.y(n, m) - prediction(n, m), d = data.y(n, m) - mean;
            ss_res += e * e;
            ss_tot += d * d;
        }
    }
    s.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : std::nan("");
    s.rmse = target_sd * std::sqrt(ss_res / static_cast<double>(N * M));
    return s;
}

MeanSd mean_sd(const std::vector<double>& v) {
    MeanSd r;
    if (v.empty()) return r;
    for (double e : v) r.mean += e / static_cast<double>(v.size());
    double ss = 0;
    for (double e : v) ss += (e - r.mean) * (e - r.mean);
    r.sd = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0;
    return r;
}

}  // namespace nn::training
