// examples/beyond_stage.cpp — stage 3 of train-and-explain: every attribution method on the first test images,
// the IG completeness check, the deletion test and the model-randomization sanity check, with two figures.
// The methods and their scores live in sensitivity/attribution.* and evaluation.*; this file runs and reports them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <xtensor/xnpy.hpp>
#include <xtensor/xview.hpp>

#include "examples/stages.hpp"
#include "examples/util.hpp"
#include "nn/atomic_file.hpp"
#include "sensitivity/attribution.hpp"
#include "sensitivity/evaluation.hpp"
#include "sensitivity/figures/heatmap.hpp"
#include "sensitivity/figures/lineplot.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {

constexpr std::size_t kMaxImages = 200;   // the stage's share of the default run stays a few seconds
constexpr std::size_t kFigureRows = 4;    // example digits in methods.png

// The settings the chapter describes, spelled out (they are also the library's defaults).
sensitivity::AttributionOptions attribution_options() {
    sensitivity::AttributionOptions o;
    o.smoothgrad.sigma = 0.15;
    o.smoothgrad.samples = 32;
    o.ig.steps = 64;
    o.ig.rule = sensitivity::IgRule::Midpoint;
    o.occlusion.side = 4;
    o.occlusion.stride = 2;
    o.out = sensitivity::Output::Softmax;
    return o;
}

// How a method's map is drawn: the two gradient maps as magnitudes (what importance() ranks), the rest signed.
struct Shown {
    std::string title;
    sensitivity::figures::PanelKind kind;
};
Shown shown(sensitivity::Method m) {
    using sensitivity::Method;
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
    const auto& methods = sensitivity::all_methods();
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
            const nn::Tensor<float> imp = sensitivity::importance(methods[k], maps[k]);   // [K, 784]
            const Shown s = shown(methods[k]);
            fig.panels.push_back(panel(s.title, row_values(imp, n), s.kind));
        }
    }
    sensitivity::figures::heatmap_png(path.string(), fig);
}

// deletion.png: the mean true-class probability as pixels are zeroed, most important first, one line per method.
void deletion_figure(const fs::path& path, const sensitivity::DeletionTable& table) {
    sensitivity::figures::PlotPanel curves;
    curves.ylabel = "mean probability of the true class";
    curves.ymin = 0.0;
    curves.ymax = 1.65;                   // headroom above p = 1 for the legend, so it hides no curve
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& r = table.rows[i];
        sensitivity::figures::Series s;
        s.label = r.method + " (AUC " + fmt(r.auc, 3) + ")";
        s.x = table.fraction;
        s.y = r.mean_probability;
        s.marks = sensitivity::figures::Marks::LinesPoints;
        if (r.method == "random") {
            s.colour = sensitivity::figures::Rgb{110, 110, 110};
            s.dashed = true;
        } else {
            s.colour = sensitivity::figures::palette(i);
        }
        curves.series.push_back(std::move(s));
    }
    sensitivity::figures::LinePlotFigure fig;
    fig.title = "Deletion test on " + std::to_string(table.images) + " test images (lower curve = better map)";
    fig.xlabel = "fraction of the pixels set to 0, most important first";
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
    const nn::Tensor<float> p = sensitivity::predict(st.model, x);              // [K, 10]

    // Every method's signed map for the true class: each one batches its samples into one recorded forward.
    sensitivity::EvaluationOptions eval;
    eval.attribution = attribution_options();
    std::vector<nn::Tensor<float>> maps;                                         // one [K, 784] per method
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (sensitivity::Method m : eval.methods) {
        maps.push_back(sensitivity::attribution(st.model, x, labels, m, eval.attribution));
        const fs::path f = dir / (std::string("attribution_") + sensitivity::method_name(m) + ".npy");
        save_npy(f, maps.back());
        files.push_back(f.lexically_relative(st.out_dir).string());
    }
    const double maps_seconds = seconds_since(t0);

    // Completeness of Integrated Gradients: Σ_j a_j against f_t(x) − f_t(0), per image.
    const auto ig = std::find(eval.methods.begin(), eval.methods.end(), sensitivity::Method::IntegratedGradients);
    const nn::Tensor<float>& ig_map = maps[static_cast<std::size_t>(ig - eval.methods.begin())];   // [K, 784]
    const auto c = sensitivity::completeness(st.model, x, labels, ig_map);
    const auto within = static_cast<std::size_t>(
        std::count_if(c.relative_gap.begin(), c.relative_gap.end(), [](double g) { return g <= 0.01; }));
    const bool complete = c.max_relative_gap <= 0.01;
    if (!opt.quiet)
        std::cout << "integrated gradients (" << eval.attribution.ig.steps << " midpoint steps, black baseline): "
              << "sum of attributions vs p_t(x) - p_t(0) over " << K << " images: max relative gap "
              << fmt(c.max_relative_gap) << ", mean " << fmt(c.mean_relative_gap) << ", " << within << "/" << K
              << " within 1% -> " << (complete ? "all within 1%" : "NOT all within 1%") << "\n";

    const fs::path methods_png = dir / "methods.png";
    methods_figure(st, methods_png, x, labels, p, maps);

    // The two scores of the maps (each recomputes the maps it needs from the same options).
    const auto t1 = std::chrono::steady_clock::now();
    const sensitivity::DeletionTable deletion = sensitivity::deletion_test(st.model, x, labels, eval);
    const double deletion_seconds = seconds_since(t1);
    const auto t2 = std::chrono::steady_clock::now();
    const sensitivity::SanityTable sanity = sensitivity::sanity_check(st.model, x, labels, eval);
    const double sanity_seconds = seconds_since(t2);
    if (!opt.quiet) std::cout << deletion << sanity;
    const fs::path deletion_png = dir / "deletion.png";
    deletion_figure(deletion_png, deletion);

    nlohmann::json deletion_json, sanity_json;
    to_json(deletion_json, deletion);
    to_json(sanity_json, sanity);
    auto& r = st.report["beyond"];
    r["images"] = K;
    r["settings"] = {{"output", sensitivity::output_name(eval.attribution.out)},
                     {"smoothgrad_sigma", eval.attribution.smoothgrad.sigma},
                     {"smoothgrad_samples", eval.attribution.smoothgrad.samples},
                     {"ig_steps", eval.attribution.ig.steps},
                     {"ig_rule", "midpoint"},
                     {"occlusion_side", eval.attribution.occlusion.side},
                     {"occlusion_stride", eval.attribution.occlusion.stride}};
    r["ig_completeness"] = {{"max_relative_gap", c.max_relative_gap},
                            {"mean_relative_gap", c.mean_relative_gap},
                            {"images_within_1pct", within},
                            {"all_within_1pct", complete}};
    r["deletion"] = deletion_json;
    r["sanity"] = sanity_json;
    r["files"] = files;
    r["figures"] = {methods_png.lexically_relative(st.out_dir).string(),
                    deletion_png.lexically_relative(st.out_dir).string()};
    const double total = seconds_since(t0);
    r["seconds"] = {{"maps", maps_seconds}, {"deletion", deletion_seconds}, {"sanity", sanity_seconds},
                    {"total", total}};
    if (!opt.quiet)
        std::cout << "beyond gradients: " << eval.methods.size() << " maps of " << K << " images in "
                  << fixed(maps_seconds, 1) << " s, deletion " << fixed(deletion_seconds, 1) << " s, sanity "
                  << fixed(sanity_seconds, 1) << " s; figures in " << dir.string() << "\n";
}

}  // namespace app
