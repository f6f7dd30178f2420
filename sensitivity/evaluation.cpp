// sensitivity/evaluation.cpp — deletion curves (forward passes on progressively blacked-out images) and rank correlations.
// The maps come from attribution.cpp / occlusion.cpp; this file only scores them.
#include "sensitivity/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <ostream>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sensitivity {

// ---------------------------------------------------------------- deletion
template <class T>
DeletionCurve deletion_curve(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                             const nn::Tensor<T>& importance, double step_fraction, std::size_t chunk_rows) {
    const std::size_t N = x.shape(0), D = model.in(), C = model.out();
    if (x.shape(1) != D || importance.shape() != x.shape())
        throw std::invalid_argument("deletion_curve: images and importance maps must both be [N, " +
                                    std::to_string(D) + "]");
    if (labels.size() != N)
        throw std::invalid_argument("deletion_curve: " + std::to_string(labels.size()) + " labels for " +
                                    std::to_string(N) + " images");
    if (!(step_fraction > 0 && step_fraction <= 1))
        throw std::invalid_argument("deletion_curve: step fraction must be in (0, 1], got " +
                                    std::to_string(step_fraction));
    for (int l : labels)
        if (l < 0 || static_cast<std::size_t>(l) >= C)
            throw std::invalid_argument("deletion_curve: label " + std::to_string(l) + " is outside 0.." +
                                        std::to_string(C - 1));

    // Pixels deleted after step s: round(s·step·D), the last step deletes all of them.
    const auto S = static_cast<std::size_t>(std::ceil(1.0 / step_fraction - 1e-9));
    std::vector<std::size_t> deleted(S + 1);
    for (std::size_t s = 0; s <= S; ++s)
        deleted[s] = std::min(D, static_cast<std::size_t>(std::lround(static_cast<double>(s) * step_fraction *
                                                                      static_cast<double>(D))));
    deleted[S] = D;
    const std::size_t R = S + 1;                                        // rows per image

    DeletionCurve curve;
    curve.mean_probability.assign(R, 0.0);
    for (std::size_t s = 0; s < R; ++s) curve.fraction.push_back(static_cast<double>(deleted[s]) / static_cast<double>(D));

    const std::size_t per_chunk = std::max<std::size_t>(1, chunk_rows / R);
    nn::Tensor<T> batch;                                                // [b·R, D]
    std::vector<std::size_t> order(D);
    for (std::size_t n0 = 0; n0 < N; n0 += per_chunk) {
        const std::size_t b = std::min(per_chunk, N - n0);
        nn::reshape_to(batch, b * R, D);
        for (std::size_t n = 0; n < b; ++n) {
            const T* imp = importance.data() + (n0 + n) * D;
            std::iota(order.begin(), order.end(), std::size_t(0));
            std::stable_sort(order.begin(), order.end(), [&](std::size_t p, std::size_t q) { return imp[p] > imp[q]; });
            T* row = batch.data() + n * R * D;
            std::copy(x.data() + (n0 + n) * D, x.data() + (n0 + n + 1) * D, row);
            for (std::size_t s = 1; s < R; ++s) {
                T* next = row + D;
                std::copy(row, row + D, next);                          // the previous step, then more black pixels
                for (std::size_t k = deleted[s - 1]; k < deleted[s]; ++k) next[order[k]] = T(0);
                row = next;
            }
        }
        const nn::Tensor<T> p = predict(model, batch, Output::Softmax);   // [b·R, C]
        for (std::size_t n = 0; n < b; ++n)
            for (std::size_t s = 0; s < R; ++s)
                curve.mean_probability[s] +=
                    static_cast<double>(p(n * R + s, static_cast<std::size_t>(labels[n0 + n]))) / static_cast<double>(N);
    }
    for (std::size_t s = 1; s < R; ++s)
        curve.auc += (curve.fraction[s] - curve.fraction[s - 1]) *
                     (curve.mean_probability[s] + curve.mean_probability[s - 1]) / 2;
    return curve;
}

template <class T>
DeletionCurve random_deletion_curve(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                                    std::uint64_t seed, double step_fraction, std::size_t chunk_rows) {
    std::mt19937_64 rng(seed);
    std::vector<T> ranks(model.in());
    nn::Tensor<T> random_importance({x.shape(0), model.in()});          // a random permutation per image
    for (std::size_t n = 0; n < x.shape(0); ++n) {
        std::iota(ranks.begin(), ranks.end(), T(0));
        std::shuffle(ranks.begin(), ranks.end(), rng);
        std::copy(ranks.begin(), ranks.end(), random_importance.data() + n * model.in());
    }
    return deletion_curve(model, x, labels, random_importance, step_fraction, chunk_rows);
}

template <class T>
DeletionTable deletion_test(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                            const EvaluationOptions& o) {
    DeletionTable table;
    table.images = x.shape(0);
    table.step_fraction = o.step_fraction;
    for (Method m : o.methods) {
        const nn::Tensor<T> imp = importance(m, attribution(model, x, labels, m, o.attribution));
        DeletionCurve c = deletion_curve(model, x, labels, imp, o.step_fraction, o.attribution.chunk_rows);
        table.fraction = c.fraction;
        table.rows.push_back({method_name(m), c.auc, std::move(c.mean_probability)});
    }
    DeletionCurve r = random_deletion_curve(model, x, labels, o.random_order_seed, o.step_fraction,
                                            o.attribution.chunk_rows);
    table.fraction = r.fraction;
    table.rows.push_back({"random", r.auc, std::move(r.mean_probability)});
    return table;
}

// ---------------------------------------------------------------- rank correlation
namespace {
// Ranks 1..n, ties sharing the mean of the ranks they span.
template <class T>
std::vector<double> ranks(const T* a, std::size_t n) {
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), std::size_t(0));
    std::sort(idx.begin(), idx.end(), [&](std::size_t p, std::size_t q) { return a[p] < a[q]; });
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n;) {
        std::size_t k = i;
        while (k + 1 < n && a[idx[k + 1]] == a[idx[i]]) ++k;
        const double mean_rank = (static_cast<double>(i) + static_cast<double>(k)) / 2 + 1;
        for (std::size_t t = i; t <= k; ++t) r[idx[t]] = mean_rank;
        i = k + 1;
    }
    return r;
}
}  // namespace

template <class T>
double spearman(const T* a, const T* b, std::size_t n) {
    if (n < 2) return 0;
    const std::vector<double> ra = ranks(a, n), rb = ranks(b, n);
    const double mean = (static_cast<double>(n) + 1) / 2;              // the mean rank, ties or not
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sab += (ra[i] - mean) * (rb[i] - mean);
        saa += (ra[i] - mean) * (ra[i] - mean);
        sbb += (rb[i] - mean) * (rb[i] - mean);
    }
    if (saa == 0 || sbb == 0) return 0;                                 // a constant map ranks nothing
    return sab / std::sqrt(saa * sbb);                                  // Pearson correlation of the ranks
}

template <class T>
SanityTable sanity_check(nn::MLP<T>& model, nn::MLP<T>& randomized, const nn::Tensor<T>& x,
                         const std::vector<int>& labels, const EvaluationOptions& o) {
    if (randomized.in() != model.in() || randomized.out() != model.out())
        throw std::invalid_argument("sanity_check: the randomized model must have the same inputs and outputs");
    const std::size_t N = x.shape(0), D = model.in();
    SanityTable table;
    table.images = N;
    table.randomized_model_seed = o.randomized_model_seed;
    for (Method m : o.methods) {
        const nn::Tensor<T> a = attribution(model, x, labels, m, o.attribution);
        const nn::Tensor<T> b = attribution(randomized, x, labels, m, o.attribution);
        const nn::Tensor<T> ia = importance(m, a), ib = importance(m, b);
        const nn::Tensor<T> aa = xt::abs(a), ab = xt::abs(b);
        SanityRow row{method_name(m), 0, 0};
        for (std::size_t n = 0; n < N; ++n) {
            row.spearman += spearman(ia.data() + n * D, ib.data() + n * D, D) / static_cast<double>(N);
            row.spearman_abs += spearman(aa.data() + n * D, ab.data() + n * D, D) / static_cast<double>(N);
        }
        table.rows.push_back(row);
    }
    return table;
}

template <class T>
SanityTable sanity_check(nn::MLP<T>& model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                         const EvaluationOptions& o) {
    nn::MLP<T> randomized(model.in(), model.hidden(), model.out(), model.activation, o.randomized_model_seed);
    return sanity_check(model, randomized, x, labels, o);
}

// ---------------------------------------------------------------- printing and JSON
std::ostream& operator<<(std::ostream& os, const DeletionTable& t) {
    os << "deletion test: " << t.images << " images, " << t.step_fraction * 100 << "% of the pixels per step"
       << " (AUC of the true-class probability; lower = better)\n";
    for (const DeletionRow& r : t.rows)
        os << "  " << std::left << std::setw(22) << r.method << std::right << std::fixed << std::setprecision(4)
           << r.auc << std::defaultfloat << '\n';
    return os;
}

std::ostream& operator<<(std::ostream& os, const SanityTable& t) {
    os << "sanity check: " << t.images << " images, trained vs re-randomized model (seed "
       << t.randomized_model_seed << "); Spearman near 0 = the map depends on the weights\n";
    os << "  " << std::left << std::setw(22) << "method" << std::right << std::setw(10) << "spearman"
       << std::setw(14) << "spearman |.|" << '\n';
    for (const SanityRow& r : t.rows)
        os << "  " << std::left << std::setw(22) << r.method << std::right << std::fixed << std::setprecision(4)
           << std::setw(10) << r.spearman << std::setw(14) << r.spearman_abs << std::defaultfloat << '\n';
    return os;
}

void to_json(nlohmann::json& j, const DeletionTable& t) {
    j = nlohmann::json{{"images", t.images}, {"step_fraction", t.step_fraction}, {"fraction", t.fraction}};
    for (const DeletionRow& r : t.rows)
        j["methods"].push_back({{"method", r.method}, {"auc", r.auc}, {"mean_probability", r.mean_probability}});
}

void to_json(nlohmann::json& j, const SanityTable& t) {
    j = nlohmann::json{{"images", t.images}, {"randomized_model_seed", t.randomized_model_seed}};
    for (const SanityRow& r : t.rows)
        j["methods"].push_back({{"method", r.method}, {"spearman", r.spearman}, {"spearman_abs", r.spearman_abs}});
}

#define SENSITIVITY_EVALUATION(T)                                                                            \
    template DeletionCurve deletion_curve(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&,        \
                                          const nn::Tensor<T>&, double, std::size_t);                        \
    template DeletionCurve random_deletion_curve(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&, \
                                                 std::uint64_t, double, std::size_t);                        \
    template DeletionTable deletion_test(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&,         \
                                         const EvaluationOptions&);                                          \
    template double spearman(const T*, const T*, std::size_t);                                               \
    template SanityTable sanity_check(nn::MLP<T>&, nn::MLP<T>&, const nn::Tensor<T>&,                        \
                                      const std::vector<int>&, const EvaluationOptions&);                    \
    template SanityTable sanity_check(nn::MLP<T>&, const nn::Tensor<T>&, const std::vector<int>&,            \
                                      const EvaluationOptions&);
SENSITIVITY_EVALUATION(float)
SENSITIVITY_EVALUATION(double)
#undef SENSITIVITY_EVALUATION

}  // namespace sensitivity
