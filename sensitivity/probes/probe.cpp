// sensitivity/probes/probe.cpp — the probe engine: predict in chunks, summarise rows, fit the score trend, label its significance.
// The three probes (property, perturbation, class) share these steps; binning is in probe_bins.cpp.
#include "sensitivity/probes/probe.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/argmax.hpp"
#include "nn/chunks.hpp"
#include "names/names.hpp"

namespace sensitivity::probes {

// ---------------------------------------------------------------- predictions
namespace {

void check_labels(const nn::Tensor<float>& images, const std::vector<int>& labels, const char* who) {
    if (images.shape(0) != labels.size())
        throw std::invalid_argument(std::string(who) + ": " + std::to_string(images.shape(0)) + " images but " +
                                    std::to_string(labels.size()) + " labels");
}

// Appends the true-class score and correctness of every row of probs [B, C] (labels from `offset` on).
void collect(const nn::Tensor<float>& probs, std::size_t rows, const std::vector<int>& labels, std::size_t offset,
             Outcomes& out) {
    if (probs.shape(0) != rows)
        throw std::invalid_argument("probe: predict returned " + std::to_string(probs.shape(0)) +
                                    " rows for a batch of " + std::to_string(rows));
    const std::size_t C = probs.shape(1);
    const std::vector<int> best = nn::argmax_rows(probs);                  // [rows]
    for (std::size_t i = 0; i < rows; ++i) {
        const int label = labels[offset + i];
        if (label < 0 || static_cast<std::size_t>(label) >= C)
            throw std::invalid_argument("probe: label " + std::to_string(label) + " of example " +
                                        std::to_string(offset + i) + " is not one of the " + std::to_string(C) +
                                        " classes predict returns");
        out.score.push_back(probs(i, static_cast<std::size_t>(label)));
        out.correct.push_back(best[i] == label);
    }
}

}  // namespace

Outcomes predict_outcomes(const PredictFn& predict, const nn::Tensor<float>& images, const std::vector<int>& labels,
                          std::size_t batch) {
    check_labels(images, labels, "predict_outcomes");
    const std::size_t N = images.shape(0), D = images.shape(1);
    batch = std::max<std::size_t>(batch, 1);
    Outcomes out;
    out.score.reserve(N);
    out.correct.reserve(N);
    nn::Tensor<float> chunk;                                              // [B, D], reused
    nn::for_each_chunk(N, batch, "predict_outcomes", [&](std::size_t b0, std::size_t B) {
        nn::reshape_to(chunk, B, D);
        std::copy_n(&images(b0, 0), B * D, chunk.data());
        collect(predict(chunk), B, labels, b0, out);                      // [B, C]
    });
    return out;
}

// ---------------------------------------------------------------- rows and the fit
namespace {

ProbeRow summarise(double p, const std::vector<std::size_t>& members, const Outcomes& o) {
    ProbeRow row;
    row.p = p;
    row.n = members.size();
    double s = 0, correct = 0;
    for (std::size_t i : members) {
        s += o.score[i];
        correct += o.correct[i];
    }
    const double n = double(row.n);
    row.mean_score = s / n;
    double ss = 0;
    for (std::size_t i : members) ss += (o.score[i] - row.mean_score) * (o.score[i] - row.mean_score);
    row.std_score = row.n > 1 ? std::sqrt(ss / (n - 1)) : 0.0;          // sample standard deviation
    row.accuracy = correct / n;
    return row;
}

bool in_range(double p, const FitOptions& f) { return p >= f.range_lo && p <= f.range_hi; }

// The rows in the fit range as (p, mean, standard error of the mean, sd, n) for the lack of fit; se = 0 for n < 2.
struct RowsInRange {
    std::vector<double> p, mean, se, sd;
    std::vector<std::size_t> n;
};
RowsInRange rows_in_range(const ProbeResult& result, const FitOptions& options) {
    RowsInRange r;
    for (const ProbeRow& row : result.rows) {
        if (!in_range(row.p, options)) continue;
        r.p.push_back(row.p);
        r.mean.push_back(row.mean_score);
        r.se.push_back(row.n > 1 ? row.std_score / std::sqrt(double(row.n)) : 0.0);
        r.sd.push_back(row.std_score);
        r.n.push_back(row.n);
    }
    return r;
}

// Fits the trend of `result` through the points (px, py) — or through its rows for FitOn::BinMeans — and records it.
// `images` > 0 marks a perturbation probe: px, py are then strength-major (point k·images + i is image i at strength k).
// A fit that cannot be made (too few points in range, one distinct p) leaves result.fit empty and says why in note.
void fit_trend(ProbeResult& result, const std::vector<double>& px, const std::vector<double>& py,
               const FitOptions& options, std::size_t images) {
    std::vector<double> x, y;                                             // the points in range
    for (std::size_t i = 0; i < px.size(); ++i)
        if (in_range(px[i], options)) {
            x.push_back(px[i]);
            y.push_back(py[i]);
        }
    const RowsInRange rows = rows_in_range(result, options);
    const std::vector<double>& rp = rows.p;
    const std::vector<double>& rmean = rows.mean;
    auto no_fit = [&](const std::string& why) {
        result.note = std::string("no fit in p range [") + std::to_string(options.range_lo) + ", " +
                      std::to_string(options.range_hi) + "]: " + why;
    };

    ProbeFit fit;
    fit.on = options.on;
    fit.weights = options.weights;
    fit.score_floor = options.score_floor;
    try {
        if (options.on == FitOn::Points) {
            const SlopePosterior naive = bayes_linreg(x, y, {}, options.prior);
            SlopeEstimate e;
            if (images > 0) {
                std::vector<double> strengths, scores;                    // the strengths in range, strength-major
                for (std::size_t k = 0; k * images < px.size(); ++k)
                    if (in_range(px[k * images], options)) {
                        strengths.push_back(px[k * images]);
                        scores.insert(scores.end(), py.begin() + long(k * images), py.begin() + long((k + 1) * images));
                    }
                e = image_slope_mean(strengths, scores, images);
                fit.interval = "per_image_t";
            } else {
                e = hc3_slope(x, y);
                fit.interval = "hc3";
            }
            fit.slope = e.slope;
            fit.intercept = naive.intercept;
            fit.ci50 = e.ci50;
            fit.ci95 = e.ci95;
            fit.df = e.df;
            fit.naive_ci95 = naive.ci95;
            fit.x_mean = naive.x_mean;
            fit.n_points = naive.n;
            fit.fit_range = {*std::min_element(x.begin(), x.end()), *std::max_element(x.begin(), x.end())};
            fit.lack_of_fit = pooled_lack_of_fit(rp, rmean, rows.sd, rows.n, fit.slope, fit.intercept);
        } else {
            std::vector<double> w;
            const bool known = options.weights == BinWeights::StdError;
            for (const ProbeRow& row : result.rows) {
                if (!in_range(row.p, options)) continue;
                if (options.weights == BinWeights::Count) w.push_back(double(row.n));
                if (known) {
                    // se² = s²/n with the sample variance s², so 1/se² = n/std².
                    if (row.n < 2 || !(row.std_score > 0)) {
                        result.note = "no fit: the row at p = " + std::to_string(row.p) + " has n = " +
                                      std::to_string(row.n) + " and std " + std::to_string(row.std_score) +
                                      ", so no standard error; use bin weights 'count' or 'equal'";
                        return;
                    }
                    w.push_back(double(row.n) / (row.std_score * row.std_score));
                }
            }
            const SlopePosterior post =
                bayes_linreg(rp, rmean, w, options.prior, known ? NoiseModel::Known : NoiseModel::Unknown);
            fit.slope = post.slope;
            fit.intercept = post.intercept;
            fit.ci50 = post.ci50;
            fit.ci95 = post.ci95;
            fit.df = post.df;
            fit.naive_ci95 = post.ci95;
            fit.x_mean = post.x_mean;
            fit.n_points = post.n;
            fit.fit_range = {*std::min_element(rp.begin(), rp.end()), *std::max_element(rp.begin(), rp.end())};
            fit.lack_of_fit = pooled_lack_of_fit(rp, rmean, rows.sd, rows.n, fit.slope, fit.intercept);
            fit.interval = known ? "bayes_known_noise" : "bayes_reference";
            // The known-noise weights trust each row's own se (every row has n >= 2 and sd > 0 here), so their
            // widening uses the χ² with those same se's, not the pooled one that is reported.
            const auto own = known ? lack_of_fit(rp, rmean, rows.se, fit.slope, fit.intercept) : std::nullopt;
            if (own && own->chi2_per_dof > 1) {
                // The rows scatter more than their standard errors allow: scale by the Birge ratio √(χ²/dof), with
                // the Student-t of the dof that χ² was estimated from.
                const SlopeEstimate e = slope_estimate(post.slope, post.scale * std::sqrt(own->chi2_per_dof),
                                                       double(own->dof));
                fit.ci50 = e.ci50;
                fit.ci95 = e.ci95;
                fit.df = e.df;
                fit.interval = "bayes_known_noise_widened";
            }
        }
    } catch (const std::invalid_argument& e) {
        no_fit(e.what());
        return;
    }
    fit.floor = slope_floor(x, options.score_floor);
    fit.significance = significance(fit.ci95, fit.floor);
    result.fit = fit;
}

}  // namespace

const names::NameTable<FitOn, 2> kFitOnNames = {{{FitOn::Points, "points"}, {FitOn::BinMeans, "bin_means"}}};
const names::NameTable<BinWeights, 3> kBinWeightsNames = {
    {{BinWeights::Equal, "equal"}, {BinWeights::Count, "count"}, {BinWeights::StdError, "std_error"}}};

const char* fit_on_name(FitOn on) { return names::name_of(kFitOnNames, on); }
const char* bin_weights_name(BinWeights w) { return names::name_of(kBinWeightsNames, w); }

// ---------------------------------------------------------------- the probes
ProbeResult property_probe(const std::string& name, const std::string& units, const std::vector<double>& property,
                           const Outcomes& outcomes, const BinOptions& bins, const FitOptions& fit) {
    if (property.size() != outcomes.score.size())
        throw std::invalid_argument("property_probe '" + name + "': " + std::to_string(property.size()) +
                                    " property values for " + std::to_string(outcomes.score.size()) + " examples");
    ProbeResult result{name, units, "property", binning_name(bins.binning), property.size(), {}, std::nullopt, "", std::nullopt, std::nullopt};
    for (const auto& members : make_bins(property, bins)) {
        double p = 0;
        for (std::size_t i : members) p += property[i];
        result.rows.push_back(summarise(p / double(members.size()), members, outcomes));
    }
    fit_trend(result, property, outcomes.score, fit, 0);
    return result;
}

ProbeResult property_probe(const std::string& name, const std::string& units, const std::vector<double>& property,
                           const PredictFn& predict, const nn::Tensor<float>& images, const std::vector<int>& labels,
                           const BinOptions& bins, const FitOptions& fit, std::size_t batch) {
    return property_probe(name, units, property, predict_outcomes(predict, images, labels, batch), bins, fit);
}

ProbeResult perturbation_probe(const Perturber& perturber, const std::vector<double>& strengths,
                               const PredictFn& predict, const nn::Tensor<float>& images,
                               const std::vector<int>& labels, const FitOptions& fit, std::uint64_t seed,
                               std::size_t batch, std::size_t replicates) {
    check_labels(images, labels, ("perturbation_probe '" + perturber.name + "'").c_str());
    const std::size_t N = images.shape(0), D = images.shape(1);
    const auto side = static_cast<std::size_t>(std::lround(std::sqrt(double(D))));
    if (side * side != D)
        throw std::invalid_argument("perturbation_probe '" + perturber.name + "': images have " + std::to_string(D) +
                                    " pixels per row, which is not a square image");
    batch = std::max<std::size_t>(batch, 1);
    ProbeResult result{perturber.name, perturber.units, "perturbation", "", N, {}, std::nullopt, "", std::nullopt, std::nullopt};
    std::vector<double> px, py, pc;                                       // every (strength, score, correct), [K·N]
    px.reserve(N * strengths.size());
    py.reserve(N * strengths.size());
    pc.reserve(N * strengths.size());
    std::vector<std::size_t> everyone(N);
    for (std::size_t i = 0; i < N; ++i) everyone[i] = i;
    Image in({side, side}), out;                                          // [side, side], reused
    nn::Tensor<float> chunk;                                              // [B, D], reused
    for (std::size_t k = 0; k < strengths.size(); ++k) {
        const double p = strengths[k];
        std::seed_seq seq{std::uint32_t(seed), std::uint32_t(seed >> 32), std::uint32_t(k)};
        std::mt19937_64 rng(seq);
        Outcomes o;
        nn::for_each_chunk(N, batch, "perturbation_probe", [&](std::size_t b0, std::size_t B) {
            nn::reshape_to(chunk, B, D);
            for (std::size_t i = 0; i < B; ++i) {
                std::copy_n(&images(b0 + i, 0), D, in.data());
                perturber.apply(in, p, rng, out);
                std::copy_n(out.data(), D, &chunk(i, 0));
            }
            collect(predict(chunk), B, labels, b0, o);                    // [B, C]
        });
        result.rows.push_back(summarise(p, everyone, o));
        px.insert(px.end(), N, p);
        py.insert(py.end(), o.score.begin(), o.score.end());
        pc.insert(pc.end(), o.correct.begin(), o.correct.end());
    }
    fit_trend(result, px, py, fit, N);
    if (N > 0 && strengths.size() >= 2) {
        // The bootstrap's own stream, apart from the perturbations' (seed_seq{seed low, seed high, k}).
        result.half_score = half_point(strengths, py, N, replicates, seed ^ 0x68616c66ULL);
        result.half_accuracy = half_point(strengths, pc, N, replicates, seed ^ 0x61636375ULL);
    }
    return result;
}

ProbeResult class_probe(const Outcomes& outcomes, const std::vector<int>& labels) {
    if (labels.size() != outcomes.score.size())
        throw std::invalid_argument("class_probe: " + std::to_string(labels.size()) + " labels for " +
                                    std::to_string(outcomes.score.size()) + " examples");
    ProbeResult result{"class", "class index", "class", "", labels.size(), {}, std::nullopt, "", std::nullopt, std::nullopt};
    int top = -1;
    for (int l : labels) top = std::max(top, l);
    std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(top + 1));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0) throw std::invalid_argument("class_probe: label " + std::to_string(i) + " is negative");
        members[static_cast<std::size_t>(labels[i])].push_back(i);
    }
    for (std::size_t c = 0; c < members.size(); ++c)
        if (!members[c].empty()) result.rows.push_back(summarise(double(c), members[c], outcomes));
    result.note = "no slope: the class is categorical, and a slope over the class index would only measure "
                  "the arbitrary order of the classes";
    return result;
}

}  // namespace sensitivity::probes
