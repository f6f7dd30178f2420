// examples/train_and_explain/beyond_stage.cpp — stage 3 of train-and-explain: every attribution method on the first test images,
// kink-aware IG against the Riemann-sum IG (completeness and time), the deletion and insertion tests with paired
// standard errors, and the cascading model-randomisation sanity check, with three figures.
// The methods and their scores live in sensitivity/attribution.* and evaluation.*; this file runs and reports them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <xtensor/xmath.hpp>
#include <xtensor/xnpy.hpp>
#include <xtensor/xview.hpp>

#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/util.hpp"
#include "nn/training/atomic_file.hpp"
#include "sensitivity/maps/attribution.hpp"
#include "sensitivity/maps/evaluation.hpp"
#include "sensitivity/figures/heatmap.hpp"
#include "sensitivity/figures/lineplot.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {

constexpr std::size_t kMaxImages = 200;   // the stage's share of the default run stays a few seconds
constexpr std::size_t kFigureRows = 4;    // example digits in methods.png

// The settings the chapter describes, spelled out (they are also the library's defaults).
sensitivity::maps::AttributionOptions attribution_options() {
    sensitivity::maps::AttributionOptions o;
    o.smoothgrad.sigma = 0.15;
    o.smoothgrad.samples = 32;
    o.ig.rule = sensitivity::maps::IgRule::KinkAware;   // exact for the relu network (Midpoint for the others)
    o.occlusion.side = 4;
    o.occlusion.stride = 2;
    o.out = sensitivity::maps::Output::Logits;          // the class score, as in the papers
    o.chunk_rows = 1024;                          // at most 1024 sample rows (3.2 MB of pixels) per batch
    return o;
}

// How a method's map is drawn: the two gradient maps as magnitudes (Simonyan et al.'s picture), the rest signed.
// The deletion and insertion tests rank every map signed (importance()); this is only the figure.
struct Shown {
    std::string title;
    sensitivity::figures::PanelKind kind;
};
Shown shown(sensitivity::maps::Method m) {
    using sensitivity::maps::Method;
    using sensitivity::figures::PanelKind;
    switch (m) {
        case Method::Gradient: return {"|gradient|", PanelKind::Sequential};
        case Method::GradientTimesInput: return {"gradient x input", PanelKind::Diverging};
        case Method::SmoothGrad: return {"|SmoothGrad|", PanelKind::Sequential};
        case Method::IntegratedGradients: return {"integrated gradients", PanelKind::Diverging};
        case Method::Occlusion: return {"occlusion 4x4", PanelKind::Diverging};
    }
    return {"?", PanelKind::Diverging};
}

// The first correctly classified images of distinct classes, up to kFigureRows.
std::vector<std::size_t> figure_images(const std::vector<int>& labels, const nn::Tensor<float>& p) {
    const std::vector<int> predicted = nn::argmax_rows(p);
    std::vector<std::size_t> rows;
    std::vector<bool> used(p.shape(1), false);
    for (std::size_t n = 0; n < labels.size() && rows.size() < kFigureRows; ++n) {
        const auto c = static_cast<std::size_t>(labels[n]);
        if (predicted[n] != labels[n] || used[c]) continue;
        used[c] = true;
        rows.push_back(n);
    }
    return rows;
}

// methods.png: one row per example digit; the input, then each method's map for the true class.
void methods_figure(RunState& st, const fs::path& path, const nn::Tensor<float>& x, const std::vector<int>& labels,
                    const nn::Tensor<float>& p, const std::vector<nn::Tensor<float>>& maps) {
    const auto& methods = sensitivity::maps::all_methods();
    const std::vector<std::size_t> rows = figure_images(labels, p);
    if (rows.empty()) return;
    sensitivity::figures::HeatmapFigure fig;
    fig.title = "Five attribution maps of the true class (red: evidence for it, blue: against)";
    fig.grid_rows = rows.size();
    fig.grid_cols = 1 + methods.size();
    for (std::size_t n : rows) {
        const auto t = static_cast<std::size_t>(labels[n]);
        const std::string title =
            "#" + std::to_string(n) + ": " + st.data.test.class_names[t] + " (p = " + fixed(p(n, t), 3) + ")";
        auto input = panel(title, row_values(x, n), sensitivity::figures::PanelKind::Gray);
        input.zmin = 0.0;
        input.zmax = 1.0;
        input.colorbar = false;
        fig.panels.push_back(input);
        for (std::size_t k = 0; k < methods.size(); ++k) {
            const Shown s = shown(methods[k]);
            const nn::Tensor<float> drawn =                                   // [K, 784]
                s.kind == sensitivity::figures::PanelKind::Sequential ? nn::Tensor<float>(xt::abs(maps[k])) : maps[k];
            fig.panels.push_back(panel(s.title, row_values(drawn, n), s.kind));
        }
    }
    sensitivity::figures::heatmap_png(path.string(), fig);
}

// deletion.png / insertion.png: the mean true-class probability as pixels are zeroed (put back onto black), most
// important first, one line per method.
void pixel_test_figure(const fs::path& path, const sensitivity::maps::DeletionTable& table) {
    const bool del = table.kind == sensitivity::maps::PixelTest::Deletion;
    sensitivity::figures::PlotPanel curves;
    curves.ylabel = "mean probability of the true class";
    curves.ymin = 0.0;
    // Deletion curves fall to the bottom: the legend goes above p = 1. Insertion curves rise to p = 1 at once: the
    // legend goes to the empty lower right.
    curves.ymax = del ? 1.65 : 1.05;
    if (!del) curves.legend = sensitivity::figures::LegendAt::BottomRight;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& r = table.rows[i];
        sensitivity::figures::Series s;
        s.label = r.method + " (AUC " + fmt(r.auc, 3) + ")";
        s.x = table.fraction;
        s.y = r.mean_probability;
        s.marks = sensitivity::figures::Marks::LinesPoints;
        if (r.method == "random" || r.method == "random, ink first") {
            s.colour = r.method == "random" ? sensitivity::figures::Rgb{110, 110, 110} : sensitivity::figures::Rgb{30, 30, 30};
            s.dashed = true;
        } else {
            s.colour = sensitivity::figures::palette(i);
        }
        curves.series.push_back(std::move(s));
    }
    sensitivity::figures::LinePlotFigure fig;
    fig.title = std::string(del ? "Deletion" : "Insertion") + " test on " + std::to_string(table.images) +
                " test images (" + (del ? "lower" : "higher") + " curve = better map)";
    fig.xlabel = del ? "fraction of the pixels set to 0, most important first"
                     : "fraction of the pixels put back onto a black image, most important first";
    fig.xmin = 0.0;
    fig.xmax = 1.0;
    fig.panels = {curves};
    sensitivity::figures::lineplot_png(path.string(), fig);
}

}  // namespace

void beyond_gradients(const Options& opt, RunState& st) {
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path dir = st.out_dir / "sensitivity";
    fs::create_directories(dir);
    const auto& test = st.data.test;
    const std::size_t K = std::min({opt.explain_count, kMaxImages, test.size()});
    if (K == 0) return;
    const nn::Tensor<float> x = test.to_float<float>(0, K);                     // [K, 784]
    const std::vector<int> labels(test.labels.begin(), test.labels.begin() + static_cast<long>(K));
    const nn::Tensor<float> p = sensitivity::maps::predict(*st.net, x);              // [K, 10]

    // The target: the logit. On a sure image p_t is flat, and every probability map is ~(1 − p_t) times smaller.
    std::size_t sure = 0;
    for (std::size_t n = 0; n < K; ++n) sure += 1.0 - static_cast<double>(p(n, static_cast<std::size_t>(labels[n]))) < 1e-4;
    if (!opt.quiet)
        std::cout << "attribution target: the logit of the true class (probability maps would shrink by ~(1 - p_t): "
                  << sure << "/" << K << " images have 1 - p_t < 1e-4)\n";

    // Every method's signed map for the true class: each one batches its samples into one recorded forward.
    sensitivity::maps::EvaluationOptions eval;
    eval.attribution = attribution_options();
    std::vector<nn::Tensor<float>> maps;                                         // one [K, 784] per method
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (sensitivity::maps::Method m : eval.methods) {
        maps.push_back(sensitivity::maps::attribution(*st.net, x, labels, m, eval.attribution));
        const fs::path f = dir / (std::string("attribution_") + sensitivity::maps::method_name(m) + ".npy");
        save_npy(f, maps.back());
        files.push_back(f.lexically_relative(st.out_dir).string());
    }
    const double maps_seconds = seconds_since(t0);

    // Integrated Gradients, exact (kink-aware) against the 64-step midpoint rule, on the probability target, where
    // the integrand curves between kinks; timed side by side on the same images.
    const auto ig_t0 = std::chrono::steady_clock::now();
    const nn::Tensor<float> ig_riemann = sensitivity::maps::integrated_gradients(
        *st.net, x, labels, sensitivity::maps::IgOptions{64, sensitivity::maps::IgRule::Midpoint}, sensitivity::maps::Output::Softmax,
        eval.attribution.chunk_rows);
    const double riemann_seconds = seconds_since(ig_t0);
    const auto c_riemann = sensitivity::maps::completeness(*st.net, x, labels, ig_riemann, sensitivity::maps::Output::Softmax);
    // Kink-aware IG is exact for two dense layers with relu between them; any other network gets the note instead.
    const bool exact_ok = sensitivity::maps::has_exact_ig(sensitivity::maps::Model<float>(*st.net));
    double exact_seconds = 0;
    nlohmann::ordered_json ig_rows = nlohmann::ordered_json::array();
    ig_rows.push_back({{"method", "midpoint, 64 steps"}, {"target", "probability"}, {"seconds", riemann_seconds},
                       {"max_relative_gap", c_riemann.max_relative_gap},
                       {"images_above_1pct", std::count_if(c_riemann.relative_gap.begin(), c_riemann.relative_gap.end(),
                                                           [](double g) { return g > 0.01; })}});
    if (!exact_ok) {
        const std::string note = "integrated gradients, kink-aware: skipped (it needs two dense layers with relu between "
                                 "them; this network is " + nn::onnx::describe(st.net->stack()) + "); midpoint rule only";
        st.report["beyond"]["notes"].push_back(note);
        if (!opt.quiet) std::cout << note << "\n";
    } else {
        const auto ig_t1 = std::chrono::steady_clock::now();
        sensitivity::maps::ExactIgStats ig_stats;
        const nn::Tensor<float> ig_exact =
            sensitivity::maps::integrated_gradients_exact(*st.net, x, labels, sensitivity::maps::Output::Softmax, {}, &ig_stats);
        exact_seconds = seconds_since(ig_t1);
        // The exact maps' completeness is checked in double: the same float weights and pixels, the maps before their
        // rounding to float (which alone moves a sum of 784 terms by ~1e-7 relative).
        nn::onnx::StackModel<double> model_d(*st.net);
        const nn::Tensor<double> x_d = xt::cast<double>(x);
        const std::vector<std::pair<const char*, sensitivity::maps::Output>> targets = {
            {"probability", sensitivity::maps::Output::Softmax}, {"logit", sensitivity::maps::Output::Logits}};
        bool exact_complete = true;
        for (const auto& [name, target] : targets) {
            const nn::Tensor<double> a = sensitivity::maps::integrated_gradients_exact(model_d, x_d, labels, target);
            const auto c = sensitivity::maps::completeness(model_d, x_d, labels, a, target);
            const auto within = std::count_if(c.relative_gap.begin(), c.relative_gap.end(), [](double g) { return g <= 1e-6; });
            exact_complete = exact_complete && c.max_relative_gap <= 1e-6;
            nlohmann::ordered_json row = {{"method", "kink-aware"}, {"target", name}};
            if (target == sensitivity::maps::Output::Softmax) row["seconds"] = exact_seconds;
            row["max_relative_gap"] = c.max_relative_gap;
            row["mean_relative_gap"] = c.mean_relative_gap;
            row["images_within_1e-6"] = within;
            ig_rows.push_back(row);
            if (!opt.quiet)
                std::cout << "integrated gradients, kink-aware, " << name << " target, black baseline: sum of attributions vs "
                          << "f_t(x) - f_t(0) on all " << K << " images: max relative gap " << fmt(c.max_relative_gap)
                          << ", mean " << fmt(c.mean_relative_gap) << ", " << within << "/" << K << " within 1e-6\n";
        }
        if (!opt.quiet)
            std::cout << "integrated gradients, probability target: kink-aware " << fixed(exact_seconds * 1e3, 1) << " ms ("
                      << ig_stats.kinks << " kinks, " << ig_stats.pieces << " Gauss-Legendre pieces) vs 64 midpoint steps "
                      << fixed(riemann_seconds * 1e3, 1) << " ms (max relative gap " << fmt(c_riemann.max_relative_gap)
                      << ", " << ig_rows[0]["images_above_1pct"].get<long>() << "/" << K << " above 1%); "
                      << (exact_complete ? "kink-aware complete within 1e-6 on every image"
                                         : "kink-aware NOT complete within 1e-6 on every image")
                      << "\n";
    }

    const fs::path methods_png = dir / "methods.png";
    methods_figure(st, methods_png, x, labels, p, maps);

    // The scores of the maps: deletion and insertion on the maps above, the cascading sanity check.
    const auto t1 = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, nn::Tensor<float>>> importances;
    for (std::size_t k = 0; k < eval.methods.size(); ++k)
        importances.emplace_back(sensitivity::maps::method_name(eval.methods[k]),
                                 sensitivity::maps::importance(eval.methods[k], maps[k]));
    const sensitivity::maps::DeletionTable deletion =
        sensitivity::maps::pixel_test(*st.net, x, labels, importances, sensitivity::maps::PixelTest::Deletion, eval);
    const sensitivity::maps::DeletionTable insertion =
        sensitivity::maps::pixel_test(*st.net, x, labels, importances, sensitivity::maps::PixelTest::Insertion, eval);
    importances.clear();
    const double deletion_seconds = seconds_since(t1);
    const auto t2 = std::chrono::steady_clock::now();
    // The cascade re-initialises layer by layer: it needs the layers listed (one activation between them).
    std::optional<sensitivity::maps::SanityTable> sanity;
    if (!st.net->layers().empty()) {
        sanity = sensitivity::maps::sanity_check(*st.net, x, labels, eval);
    } else {
        const std::string note = "sanity check: skipped (the layers do not share one activation: " +
                                 nn::onnx::describe(st.net->stack()) + ")";
        st.report["beyond"]["notes"].push_back(note);
        if (!opt.quiet) std::cout << note << "\n";
    }
    const double sanity_seconds = seconds_since(t2);
    if (!opt.quiet) std::cout << deletion << insertion;
    if (!opt.quiet && sanity) std::cout << *sanity;
    const fs::path deletion_png = dir / "deletion.png", insertion_png = dir / "insertion.png";
    pixel_test_figure(deletion_png, deletion);
    pixel_test_figure(insertion_png, insertion);

    nlohmann::json deletion_json, insertion_json, sanity_json;
    to_json(deletion_json, deletion);
    to_json(insertion_json, insertion);
    if (sanity) to_json(sanity_json, *sanity);
    auto& r = st.report["beyond"];
    r["images"] = K;
    r["images_with_1_minus_p_below_1e-4"] = sure;
    r["settings"] = {{"output", sensitivity::maps::output_name(eval.attribution.out)},
                     {"smoothgrad_sigma", eval.attribution.smoothgrad.sigma},
                     {"smoothgrad_samples", eval.attribution.smoothgrad.samples},
                     {"ig_rule", exact_ok ? "kink-aware (exact)" : "midpoint"},
                     {"chunk_rows", eval.attribution.chunk_rows},
                     {"occlusion_side", eval.attribution.occlusion.side},
                     {"occlusion_stride", eval.attribution.occlusion.stride}};
    r["ig_completeness"] = ig_rows;
    r["deletion"] = deletion_json;
    r["deletion_paired"] = deletion_json["pairs"];
    r["insertion"] = insertion_json;
    r["insertion_paired"] = insertion_json["pairs"];
    r["sanity"] = sanity_json;
    r["files"] = files;
    r["figures"] = {methods_png.lexically_relative(st.out_dir).string(),
                    deletion_png.lexically_relative(st.out_dir).string(),
                    insertion_png.lexically_relative(st.out_dir).string()};
    const double total = seconds_since(t0);
    r["seconds"] = {{"maps", maps_seconds}, {"ig_midpoint_64", riemann_seconds}, {"ig_kink_aware", exact_seconds},
                    {"deletion_and_insertion", deletion_seconds}, {"sanity", sanity_seconds}, {"total", total}};
    if (!opt.quiet)
        std::cout << "beyond gradients: " << eval.methods.size() << " maps of " << K << " images in "
                  << fixed(maps_seconds, 1) << " s, deletion and insertion " << fixed(deletion_seconds, 1) << " s, sanity "
                  << fixed(sanity_seconds, 1) << " s; figures in " << dir.string() << "\n";
}

}  // namespace app
