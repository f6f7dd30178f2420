// sensitivity/maps/evaluation.cpp — deletion curves (forward passes on progressively blacked-out images) and rank correlations.
// The maps come from attribution.cpp / occlusion.cpp; this file only scores them.
#include "sensitivity/maps/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <ostream>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "nn/chunks.hpp"
#include "nn/linear.hpp"
#include "names/names.hpp"

namespace sensitivity::maps {

// ---------------------------------------------------------------- deletion and insertion
namespace {
const names::NameTable<PixelTest, 2> kPixelTestNames = {{{PixelTest::Deletion, "deletion"},
                                                      {PixelTest::Insertion, "insertion"}}};
}  // namespace

const char* pixel_test_name(PixelTest kind) { return names::name_of(kPixelTestNames, kind); }

template <class T>
DeletionCurve pixel_curve(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                          const nn::Tensor<T>& importance, PixelTest kind, double step_fraction,
                          std::size_t chunk_rows) {
    const std::string who = std::string(pixel_test_name(kind)) + "_curve";
    const std::size_t N = x.shape(0), D = model.in, C = model.out;
    if (x.shape(1) != D || importance.shape() != x.shape())
        throw std::invalid_argument(who + ": images and importance maps must both be [N, " + std::to_string(D) + "]");
    if (labels.size() != N)
        throw std::invalid_argument(who + ": " + std::to_string(labels.size()) + " labels for " +
                                    std::to_string(N) + " images");
    if (!(step_fraction > 0 && step_fraction <= 1))
        throw std::invalid_argument(who + ": step fraction must be in (0, 1], got " + std::to_string(step_fraction));
    for (int l : labels)
        if (l < 0 || static_cast<std::size_t>(l) >= C)
            throw std::invalid_argument(who + ": label " + std::to_string(l) + " is outside 0.." +
                                        std::to_string(C - 1));

    // Pixels changed after step s: round(s·step·D), the last step changes all of them.
    const auto S = static_cast<std::size_t>(std::ceil(1.0 / step_fraction - 1e-9));
    std::vector<std::size_t> changed(S + 1);
    for (std::size_t s = 0; s <= S; ++s)
        changed[s] = std::min(D, static_cast<std::size_t>(std::lround(static_cast<double>(s) * step_fraction *
                                                                      static_cast<double>(D))));
    changed[S] = D;
    const std::size_t R = S + 1;                                        // rows per image

    DeletionCurve curve;
    curve.mean_probability.assign(R, 0.0);
    curve.image_auc.assign(N, 0.0);
    for (std::size_t s = 0; s < R; ++s) curve.fraction.push_back(static_cast<double>(changed[s]) / static_cast<double>(D));

    const std::size_t per_chunk = std::max<std::size_t>(1, chunk_rows / R);
    nn::Tensor<T> batch;                                                // [b·R, D]
    std::vector<std::size_t> order(D);
    std::vector<double> prob(R);
    nn::for_each_chunk(N, per_chunk, "pixel_curve", [&](std::size_t n0, std::size_t b) {
        nn::reshape_to(batch, b * R, D);
        for (std::size_t n = 0; n < b; ++n) {
            const T* imp = importance.data() + (n0 + n) * D;
            const T* img = x.data() + (n0 + n) * D;
            std::iota(order.begin(), order.end(), std::size_t(0));
            std::stable_sort(order.begin(), order.end(), [&](std::size_t p, std::size_t q) { return imp[p] > imp[q]; });
            T* row = batch.data() + n * R * D;
            if (kind == PixelTest::Deletion) std::copy(img, img + D, row);
            else std::fill(row, row + D, T(0));                         // insertion starts from black
            for (std::size_t s = 1; s < R; ++s) {
                T* next = row + D;
                std::copy(row, row + D, next);                          // the previous step, then more pixels changed
                for (std::size_t k = changed[s - 1]; k < changed[s]; ++k)
                    next[order[k]] = kind == PixelTest::Deletion ? T(0) : img[order[k]];
                row = next;
            }
        }
        const nn::Tensor<T> p = predict(model, batch, Output::Softmax, chunk_rows);   // [b·R, C]
        for (std::size_t n = 0; n < b; ++n) {
            const auto t = static_cast<std::size_t>(labels[n0 + n]);
            for (std::size_t s = 0; s < R; ++s) {
                prob[s] = static_cast<double>(p(n * R + s, t));
                curve.mean_probability[s] += prob[s] / static_cast<double>(N);
            }
            for (std::size_t s = 1; s < R; ++s)
                curve.image_auc[n0 + n] += (curve.fraction[s] - curve.fraction[s - 1]) * (prob[s] + prob[s - 1]) / 2;
        }
    });
    for (std::size_t s = 1; s < R; ++s)
        curve.auc += (curve.fraction[s] - curve.fraction[s - 1]) *
                     (curve.mean_probability[s] + curve.mean_probability[s - 1]) / 2;
    return curve;
}

template <class T>
DeletionCurve deletion_curve(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                             const nn::Tensor<T>& importance, double step_fraction, std::size_t chunk_rows) {
    return pixel_curve(model, x, labels, importance, PixelTest::Deletion, step_fraction, chunk_rows);
}

template <class T>
nn::Tensor<T> random_importance(const nn::Tensor<T>& x, std::uint64_t seed, bool ink_first) {
    const std::size_t N = x.shape(0), D = x.shape(1);
    std::mt19937_64 rng(seed);
    std::vector<T> ranks(D);
    nn::Tensor<T> imp({N, D});                                          // a random permutation per image
    for (std::size_t n = 0; n < N; ++n) {
        std::iota(ranks.begin(), ranks.end(), T(0));
        std::shuffle(ranks.begin(), ranks.end(), rng);
        for (std::size_t j = 0; j < D; ++j)
            imp(n, j) = ranks[j] + (ink_first && x(n, j) != T(0) ? static_cast<T>(D) : T(0));
    }
    return imp;
}

template <class T>
DeletionCurve random_deletion_curve(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                                    std::uint64_t seed, double step_fraction, std::size_t chunk_rows) {
    return deletion_curve(model, x, labels, random_importance(x, seed, false), step_fraction, chunk_rows);
}

namespace {
double mean_of(const std::vector<double>& v) {
    double m = 0;
    for (double e : v) m += e / static_cast<double>(v.size());
    return m;
}
// Standard error of the mean of a − b (b empty: of a alone), with the sample standard deviation.
double standard_error(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t n = a.size();
    if (n < 2) return 0;
    std::vector<double> d(a);
    if (!b.empty())
        for (std::size_t i = 0; i < n; ++i) d[i] -= b[i];
    const double m = mean_of(d);
    double ss = 0;
    for (double e : d) ss += (e - m) * (e - m);
    return std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n));
}
}  // namespace

template <class T>
DeletionTable pixel_test(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                         const std::vector<std::pair<std::string, nn::Tensor<T>>>& maps, PixelTest kind,
                         const EvaluationOptions& o) {
    DeletionTable table;
    table.kind = kind;
    table.images = x.shape(0);
    table.step_fraction = o.step_fraction;
    auto add = [&](const std::string& name, const nn::Tensor<T>& imp) {
        DeletionCurve c = pixel_curve(model, x, labels, imp, kind, o.step_fraction, o.attribution.chunk_rows);
        table.fraction = c.fraction;
        const double se = standard_error(c.image_auc, {});
        table.rows.push_back({name, c.auc, se, std::move(c.mean_probability), std::move(c.image_auc)});
    };
    for (const auto& [name, imp] : maps) add(name, imp);
    add("random", random_importance(x, o.random_order_seed, false));
    add("random, ink first", random_importance(x, o.random_order_seed, true));
    for (std::size_t i = 0; i < table.rows.size(); ++i)
        for (std::size_t k = i + 1; k < table.rows.size(); ++k) {
            const DeletionRow &a = table.rows[i], &b = table.rows[k];
            table.pairs.push_back({a.method, b.method, a.auc - b.auc, standard_error(a.image_auc, b.image_auc)});
        }
    return table;
}

namespace {
template <class T>
std::vector<std::pair<std::string, nn::Tensor<T>>> importance_maps(Model<T> model, const nn::Tensor<T>& x,
                                                                   const std::vector<int>& labels,
                                                                   const EvaluationOptions& o) {
    std::vector<std::pair<std::string, nn::Tensor<T>>> maps;
    for (Method m : o.methods)
        maps.emplace_back(method_name(m), importance(m, attribution(model, x, labels, m, o.attribution)));
    return maps;
}
}  // namespace

template <class T>
DeletionTable deletion_test(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                            const EvaluationOptions& o) {
    return pixel_test(model, x, labels, importance_maps(model, x, labels, o), PixelTest::Deletion, o);
}

template <class T>
DeletionTable insertion_test(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                             const EvaluationOptions& o) {
    return pixel_test(model, x, labels, importance_maps(model, x, labels, o), PixelTest::Insertion, o);
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

namespace {
// Rows comparing the maps `trained` (one per method, of `model`) with those of `randomized`, labelled `which`.
template <class T>
void compare_maps(SanityTable& table, const std::vector<nn::Tensor<T>>& trained, Model<T> randomized,
                  const std::string& which, const nn::Tensor<T>& x, const std::vector<int>& labels,
                  const EvaluationOptions& o) {
    const std::size_t N = x.shape(0), D = x.shape(1);
    for (std::size_t k = 0; k < o.methods.size(); ++k) {
        const Method m = o.methods[k];
        const nn::Tensor<T>& a = trained[k];
        const nn::Tensor<T> b = attribution(randomized, x, labels, m, o.attribution);
        const nn::Tensor<T> ia = importance(m, a), ib = importance(m, b);
        const nn::Tensor<T> aa = xt::abs(a), ab = xt::abs(b);
        SanityRow row{method_name(m), which, 0, 0};
        for (std::size_t n = 0; n < N; ++n) {
            row.spearman += spearman(ia.data() + n * D, ib.data() + n * D, D) / static_cast<double>(N);
            row.spearman_abs += spearman(aa.data() + n * D, ab.data() + n * D, D) / static_cast<double>(N);
        }
        table.rows.push_back(row);
    }
}
template <class T>
std::vector<nn::Tensor<T>> all_maps(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                                    const EvaluationOptions& o) {
    std::vector<nn::Tensor<T>> maps;
    for (Method m : o.methods) maps.push_back(attribution(model, x, labels, m, o.attribution));
    return maps;
}
}  // namespace

template <class T>
SanityTable sanity_check(Model<T> model, Model<T> randomized, const nn::Tensor<T>& x,
                         const std::vector<int>& labels, const EvaluationOptions& o) {
    if (randomized.in != model.in || randomized.out != model.out)
        throw std::invalid_argument("sanity_check: the randomized model must have the same inputs and outputs");
    SanityTable table;
    table.images = x.shape(0);
    table.randomized_model_seed = o.randomized_model_seed;
    compare_maps(table, all_maps(model, x, labels, o), randomized, "model", x, labels, o);
    return table;
}

namespace {
// Gives parameter leaves the values they had when it was made, when it goes (also when a map throws).
template <class T>
class RestoreValues {
public:
    RestoreValues(nn::Tape<T>& tape, const std::vector<nn::Var>& leaves) : tape_(tape), leaves_(leaves) {
        for (nn::Var v : leaves_) saved_.push_back(tape_.value(v));
    }
    ~RestoreValues() {
        for (std::size_t i = 0; i < leaves_.size(); ++i) tape_.value(leaves_[i]) = saved_[i];
    }
    RestoreValues(const RestoreValues&) = delete;
    RestoreValues& operator=(const RestoreValues&) = delete;

private:
    nn::Tape<T>& tape_;
    std::vector<nn::Var> leaves_;
    std::vector<nn::Tensor<T>> saved_;
};
}  // namespace

template <class T>
SanityTable sanity_check(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                         const EvaluationOptions& o) {
    if (model.layers.empty())
        throw std::invalid_argument("sanity_check: re-initialising layer by layer needs a stack of dense layers "
                                    "(model.layers); pass a randomized model instead");
    SanityTable table;
    table.images = x.shape(0);
    table.randomized_model_seed = o.randomized_model_seed;
    const std::vector<nn::Tensor<T>> trained = all_maps(model, x, labels, o);
    // He-initialised layers of the same shapes, drawn one after the other from one seed, as the MLP's constructor
    // draws them (nn::make_linear), on a scratch tape.
    nn::Tape<T> scratch;
    std::mt19937_64 rng(o.randomized_model_seed);
    std::vector<nn::Linear> fresh;
    for (const nn::Linear& l : model.layers) fresh.push_back(nn::make_linear(scratch, l.in, l.out, rng));
    // From the top down: step 1 the output layer alone re-initialised ("W2" for two layers), the layers below still
    // the trained ones; each step one more ("W2, W1": the whole model). The model's own parameters are overwritten
    // and get their trained values back at the end.
    nn::Tape<T>& tape = *model.tape;
    const RestoreValues<T> restore(tape, model.parameters);
    std::string which;
    for (std::size_t k = model.layers.size(); k-- > 0;) {
        tape.value(model.layers[k].W) = scratch.value(fresh[k].W);
        tape.value(model.layers[k].b) = scratch.value(fresh[k].b);
        which += (which.empty() ? "W" : ", W") + std::to_string(k + 1);
        compare_maps(table, trained, model, which, x, labels, o);
    }
    return table;
}

// ---------------------------------------------------------------- printing and JSON
std::ostream& operator<<(std::ostream& os, const DeletionTable& t) {
    const bool del = t.kind == PixelTest::Deletion;
    os << pixel_test_name(t.kind) << " test: " << t.images << " images, " << t.step_fraction * 100
       << "% of the pixels per step, black baseline (AUC of the true-class probability, best first; "
       << (del ? "lower" : "higher") << " = better)\n";
    os << "  " << std::left << std::setw(22) << "method" << std::right << std::setw(8) << "AUC" << std::setw(10)
       << "± s.e." << "   gap to the next row ± paired s.e.\n";
    std::vector<std::size_t> order(t.rows.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return del ? t.rows[a].auc < t.rows[b].auc : t.rows[a].auc > t.rows[b].auc;
    });
    for (std::size_t i = 0; i < order.size(); ++i) {
        const DeletionRow& r = t.rows[order[i]];
        os << "  " << std::left << std::setw(22) << r.method << std::right << std::fixed << std::setprecision(4)
           << std::setw(8) << r.auc << std::setw(10) << r.auc_se;
        if (i + 1 < order.size()) {
            const std::string& next = t.rows[order[i + 1]].method;
            for (const PairedDifference& d : t.pairs)
                if ((d.a == r.method && d.b == next) || (d.b == r.method && d.a == next))
                    os << "   " << std::setw(7) << std::abs(d.difference) << " ± " << d.se << " ("
                       << std::setprecision(1) << std::abs(d.difference) / std::max(d.se, 1e-300) << " s.e.)";
        }
        os << std::defaultfloat << '\n';
    }
    return os;
}

std::ostream& operator<<(std::ostream& os, const SanityTable& t) {
    os << "sanity check: " << t.images << " images, trained vs re-randomized layers (He init, seed "
       << t.randomized_model_seed << "); Spearman near 0 = the map depends on the weights\n";
    os << "  " << std::left << std::setw(22) << "method" << std::setw(12) << "randomized" << std::right
       << std::setw(10) << "spearman" << std::setw(14) << "spearman |.|" << '\n';
    for (const SanityRow& r : t.rows)
        os << "  " << std::left << std::setw(22) << r.method << std::setw(12) << r.randomized << std::right
           << std::fixed << std::setprecision(4) << std::setw(10) << r.spearman << std::setw(14) << r.spearman_abs
           << std::defaultfloat << '\n';
    return os;
}

void to_json(nlohmann::json& j, const DeletionTable& t) {
    j = nlohmann::json{{"test", pixel_test_name(t.kind)}, {"images", t.images}, {"step_fraction", t.step_fraction},
                       {"baseline", "black"}, {"fraction", t.fraction}};
    for (const DeletionRow& r : t.rows)
        j["methods"].push_back({{"method", r.method}, {"auc", r.auc}, {"auc_se", r.auc_se},
                                {"mean_probability", r.mean_probability}, {"image_auc", r.image_auc}});
    for (const PairedDifference& d : t.pairs)
        j["pairs"].push_back({{"a", d.a}, {"b", d.b}, {"difference", d.difference}, {"se", d.se}});
}

void to_json(nlohmann::json& j, const SanityTable& t) {
    j = nlohmann::json{{"images", t.images}, {"randomized_model_seed", t.randomized_model_seed}};
    for (const SanityRow& r : t.rows)
        j["methods"].push_back({{"method", r.method}, {"randomized", r.randomized}, {"spearman", r.spearman},
                                {"spearman_abs", r.spearman_abs}});
}

template DeletionCurve pixel_curve(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                   const nn::Tensor<float>&, PixelTest, double, std::size_t);
template nn::Tensor<float> random_importance(const nn::Tensor<float>&, std::uint64_t, bool);
template DeletionTable pixel_test(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                  const std::vector<std::pair<std::string, nn::Tensor<float>>>&, PixelTest,
                                  const EvaluationOptions&);
template DeletionTable insertion_test(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                      const EvaluationOptions&);
template DeletionCurve deletion_curve(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                      const nn::Tensor<float>&, double, std::size_t);
template DeletionCurve random_deletion_curve(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                             std::uint64_t, double, std::size_t);
template DeletionTable deletion_test(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                     const EvaluationOptions&);
template double spearman(const float*, const float*, std::size_t);
template SanityTable sanity_check(Model<float>, Model<float>, const nn::Tensor<float>&,
                                  const std::vector<int>&, const EvaluationOptions&);
template SanityTable sanity_check(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                  const EvaluationOptions&);
template DeletionCurve pixel_curve(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                   const nn::Tensor<double>&, PixelTest, double, std::size_t);
template nn::Tensor<double> random_importance(const nn::Tensor<double>&, std::uint64_t, bool);
template DeletionTable pixel_test(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                  const std::vector<std::pair<std::string, nn::Tensor<double>>>&, PixelTest,
                                  const EvaluationOptions&);
template DeletionTable insertion_test(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                      const EvaluationOptions&);
template DeletionCurve deletion_curve(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                      const nn::Tensor<double>&, double, std::size_t);
template DeletionCurve random_deletion_curve(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                             std::uint64_t, double, std::size_t);
template DeletionTable deletion_test(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                     const EvaluationOptions&);
template double spearman(const double*, const double*, std::size_t);
template SanityTable sanity_check(Model<double>, Model<double>, const nn::Tensor<double>&,
                                  const std::vector<int>&, const EvaluationOptions&);
template SanityTable sanity_check(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                  const EvaluationOptions&);

}  // namespace sensitivity::maps
