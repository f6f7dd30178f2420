// examples/train_and_explain/probes_stage.cpp — the probes stage of train-and-explain: Sensie-style probes of the trained model, and
// (unless --no-augmented or --model) the rotation probe of a second model trained on rotated digits. Probes: sensitivity/.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "examples/train_and_explain/stages.hpp"
#include "sensitivity/figures/probe_plot.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "sensitivity/probes/probe.hpp"
#include "sensitivity/probes/probe_curve.hpp"
#include "sensitivity/probes/probe_io.hpp"
#include "sensitivity/probes/properties.hpp"

namespace fs = std::filesystem;
using sensitivity::probes::ProbeResult;

namespace app {

namespace {

constexpr double kAugmentDegrees = 45, kAugmentShift = 2;
// The second model trains for at most this many epochs: it only has to show the rotation probe's before/after,
// and 12 augmented epochs made it most of the default run (appendix A, "The default train-and-explain run").
constexpr std::size_t kAugmentMaxEpochs = 2;

std::vector<double> linspace(double lo, double hi, int n) {
    std::vector<double> v;
    for (int i = 0; i < n; ++i) v.push_back(lo + (hi - lo) * i / (n - 1));
    return v;
}

ProbeResult rotation_probe(const sensitivity::probes::PredictFn& predict, const nn::Tensor<float>& X,
                           const std::vector<int>& labels, std::uint64_t seed) {
    const sensitivity::probes::FitOptions fit;   // floor: 0.02 of score across the 5-95% range of p (probe.hpp)
    // 0°…90° only: the curve is symmetric in the sign of the angle, so a sweep across 0 would fit a slope of ~0.
    ProbeResult r = sensitivity::probes::perturbation_probe(sensitivity::probes::make_perturber("rotation"), linspace(0, 90, 10),
                                                    predict, X, labels, fit, seed);
    return r;
}

// Writes <dir>/<name>.{csv,json,png}; returns the file names relative to the output directory, for report.json.
nlohmann::ordered_json write_probe_files(const ProbeResult& r, const fs::path& dir, const fs::path& out) {
    const fs::path base = dir / r.name;
    sensitivity::probes::write_probe_csv(r, base.string() + ".csv");
    sensitivity::probes::write_probe_json(r, base.string() + ".json");
    sensitivity::figures::probe_plot_png(base.string() + ".png", sensitivity::probes::probe_curve(r));
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const char* ext : {".csv", ".json", ".png"})
        files.push_back(fs::path(base.string() + ext).lexically_relative(out).string());
    return files;
}

nlohmann::ordered_json summary_json(const ProbeResult& r, nlohmann::ordered_json files) {
    nlohmann::ordered_json j{{"name", r.name}, {"kind", r.kind}, {"units", r.units}};
    if (r.fit) {
        j["slope"] = r.fit->slope;
        j["ci50"] = {r.fit->ci50.lo, r.fit->ci50.hi};
        j["ci95"] = {r.fit->ci95.lo, r.fit->ci95.hi};
        j["significance"] = r.fit->significance;
        j["interval"] = r.fit->interval;
        j["naive_ci95"] = {r.fit->naive_ci95.lo, r.fit->naive_ci95.hi};
        j["lack_of_fit"] = r.fit->lack_of_fit ? nlohmann::ordered_json(r.fit->lack_of_fit->chi2_per_dof) : nullptr;
        j["misfit"] = r.fit->lack_of_fit && r.fit->lack_of_fit->misfit();
        j["floor"] = r.fit->floor;
    } else {
        j["slope"] = nullptr;
        j["note"] = r.note;
    }
    if (r.kind == "perturbation") sensitivity::probes::add_half_points(j, r);
    j["files"] = std::move(files);
    return j;
}

// One curve (mean score ± 1 sd) and its fitted line, for the before/after figure.
void add_curve(sensitivity::figures::PlotPanel& score, sensitivity::figures::PlotPanel& acc, const ProbeResult& r,
               const std::string& label, sensitivity::figures::Rgb colour) {
    sensitivity::figures::Series mean, line, accuracy;
    mean.label = label + ": mean score ± 1 sd";
    mean.marks = accuracy.marks = sensitivity::figures::Marks::LinesPoints;
    for (const sensitivity::probes::ProbeRow& row : r.rows) {
        mean.x.push_back(row.p);
        mean.y.push_back(row.mean_score);
        mean.yerr.push_back(row.std_score);
        accuracy.x.push_back(row.p);
        accuracy.y.push_back(row.accuracy);
    }
    mean.colour = line.colour = accuracy.colour = colour;
    score.series.push_back(mean);
    acc.series.push_back(accuracy);
    if (!r.fit) return;
    char text[96];
    std::snprintf(text, sizeof text, "%s: fit, slope %.4f per degree", label.c_str(), r.fit->slope);
    line.label = text;
    line.dashed = true;
    line.x = {r.fit->fit_range.lo, r.fit->fit_range.hi};
    line.y = {r.fit->intercept + r.fit->slope * line.x[0], r.fit->intercept + r.fit->slope * line.x[1]};
    score.series.push_back(line);
    if (!r.half_score || !r.half_score->point) return;
    sensitivity::figures::Series half;                    // a dashed drop line where the mean score halves (in the title)
    half.dashed = true;
    half.line_width = 1.0;
    half.colour = colour;
    half.x = {*r.half_score->point, *r.half_score->point};
    half.y = {0.0, r.half_score->level};
    score.series.push_back(half);
}

void before_after_png(const std::string& path, const ProbeResult& plain, const ProbeResult& augmented) {
    sensitivity::figures::LinePlotFigure f;
    auto halves = [](const ProbeResult& r) {
        char b[32];
        if (r.half_score && r.half_score->point) std::snprintf(b, sizeof b, "%.1f°", *r.half_score->point);
        else std::snprintf(b, sizeof b, "beyond 90°");
        return std::string(b);
    };
    f.title = "rotation probe, plain vs augmented (±45°, shifts): score halves at " + halves(plain) + " vs " +
              halves(augmented);
    f.xlabel = "rotation (degrees)";
    sensitivity::figures::PlotPanel score, acc;
    score.ylabel = "correct-class score";
    score.legend = sensitivity::figures::LegendAt::BottomLeft;
    acc.ylabel = "accuracy";
    acc.legend = sensitivity::figures::LegendAt::None;
    acc.height_ratio = 0.6;
    score.ymin = acc.ymin = 0;
    score.ymax = acc.ymax = 1;
    add_curve(score, acc, plain, "plain", sensitivity::figures::Rgb{214, 39, 40});
    add_curve(score, acc, augmented, "augmented", sensitivity::figures::Rgb{31, 119, 180});
    f.panels = {score, acc};
    f.height = 640;
    sensitivity::figures::lineplot_png(path, f);
}

// Trains a second model like the first, but on randomly rotated and shifted digits, and probes its rotation sensitivity.
void compare_augmented(const Options& opt, RunState& st, const ProbeResult& plain, const fs::path& dir,
                       const fs::path& out) {
    const auto t0 = std::chrono::steady_clock::now();
    // The training set, released after the first training, is read again for as long as this one lasts.
    datasets::Dataset train = load_data(opt, {true, false}).train;
    nn::training::TrainConfig c = train_config(opt, train.size());
    c.augment = nn::training::random_rotate_shift(kAugmentDegrees, kAugmentShift);
    c.epochs = std::min(c.epochs, kAugmentMaxEpochs);
    if (!opt.quiet)
        std::cout << "training the augmented model (" << c.augment.name << ", " << c.epochs << " epochs)\n";
    nn::MLP<float> model = nn::training::make_mlp(c, st.data.test.pixels(), st.data.test.class_names.size());
    const nn::training::TrainResult trained = nn::training::train(model, train, c);
    train = datasets::Dataset();  // 47 MB freed, as after the first training: the rest of this stage needs the test set
    const nn::training::Evaluation test = nn::training::evaluate(model, st.data.test);
    nn::training::ModelInfo info = st.info;
    info.test_accuracy = test.accuracy;
    save_model_with_onnx(model, (out / "model_augmented").string(), info);

    const nn::Tensor<float> X = st.data.test.to_float<float>(0, st.data.test.size());   // [N, 784]
    const std::vector<int> labels(st.data.test.labels.begin(), st.data.test.labels.end());
    const sensitivity::probes::PredictFn predict = [&](const nn::Tensor<float>& x) { return nn::predict(model, x); };
    ProbeResult augmented = rotation_probe(predict, X, labels, opt.seed);
    augmented.name = "rotation_augmented";
    nlohmann::ordered_json files = write_probe_files(augmented, dir, out);
    before_after_png((dir / "rotation_before_after.png").string(), plain, augmented);
    files.push_back("probes/rotation_before_after.png");

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto slope = [](const ProbeResult& r) { return r.fit ? nlohmann::ordered_json(r.fit->slope) : nullptr; };
    auto half = [](const ProbeResult& r) {
        return r.half_score && r.half_score->point ? nlohmann::ordered_json(*r.half_score->point) : nullptr;
    };
    st.report["rotation_augmentation"] = {
        {"augment", c.augment.name},
        {"training_seconds", trained.seconds},
        {"seconds", seconds},
        {"test_accuracy", {{"plain", st.test.accuracy}, {"augmented", test.accuracy}}},
        {"rotation_slope", {{"plain", slope(plain)}, {"augmented", slope(augmented)}}},
        {"score_at_90_degrees", {{"plain", plain.rows.back().mean_score}, {"augmented", augmented.rows.back().mean_score}}},
        {"half_point_degrees", {{"plain", half(plain)}, {"augmented", half(augmented)}}},
        {"probe", summary_json(augmented, files)},
        {"model", "model_augmented/"}};
    auto half_text = [](const ProbeResult& r) {
        if (!r.half_score || !r.half_score->point) return std::string("none in 0-90°");
        char b[64];
        std::snprintf(b, sizeof b, "%.1f°", *r.half_score->point);
        return std::string(b);
    };
    if (plain.fit && augmented.fit)
        std::printf("rotation probe, slope per degree: plain %.4f, augmented %.4f; score halves at: %s -> %s; "
                    "score at 90°: %.2f -> %.2f; test accuracy %.2f%% -> %.2f%%\n", plain.fit->slope,
                    augmented.fit->slope, half_text(plain).c_str(), half_text(augmented).c_str(),
                    plain.rows.back().mean_score, augmented.rows.back().mean_score, 100 * st.test.accuracy,
                    100 * test.accuracy);
}

}  // namespace

void run_probes(const Options& opt, RunState& st) {
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path out(opt.out), dir = out / "probes";
    fs::create_directories(dir);
    std::vector<ProbeResult> results;
    {   // the test images as floats (31 MB) only while the probes of this model run
        const nn::Tensor<float> X = st.data.test.to_float<float>(0, st.data.test.size());   // [N, 784]
        const std::vector<int> labels(st.data.test.labels.begin(), st.data.test.labels.end());
        const sensitivity::probes::PredictFn predict = [&](const nn::Tensor<float>& x) {
            return sensitivity::maps::predict(sensitivity::maps::Model<float>(*st.net), x);   // [n, 10]
        };
        const sensitivity::probes::Outcomes outcomes = sensitivity::probes::predict_outcomes(predict, X, labels);
        results.push_back(rotation_probe(predict, X, labels, opt.seed));
        const sensitivity::probes::FitOptions fit;
        for (const auto& [name, strengths] : {std::pair{"blur", linspace(0, 3, 7)}, std::pair{"noise", linspace(0, 0.5, 6)}})
            results.push_back(sensitivity::probes::perturbation_probe(sensitivity::probes::make_perturber(name), strengths, predict, X,
                                                              labels, fit, opt.seed));
        for (auto p : {sensitivity::probes::Property::InkMass, sensitivity::probes::Property::Slant})
            results.push_back(sensitivity::probes::property_probe(sensitivity::probes::property_name(p), sensitivity::probes::property_units(p),
                                                          sensitivity::probes::compute_property(X, p), outcomes, {}, fit));
        results.push_back(sensitivity::probes::class_probe(outcomes, labels));
    }
    nlohmann::ordered_json summary = nlohmann::ordered_json::array();
    for (ProbeResult& r : results) {
        summary.push_back(summary_json(r, write_probe_files(r, dir, out)));
    }
    st.report["probes"] = std::move(summary);
    st.report["probes_floor_rule"] =
        "floor = 0.02 / (p95 - p05), the 5% and 95% quantiles of the fitted examples' p; significance: high when the "
        "95% interval lies beyond +-floor, negligible when it lies within, uncertain otherwise";
    std::ostringstream table;  // printed at the end of the run, with the accuracy and the FD check
    table << "probes over " << st.data.test.size() << " test images (files in " << dir.string() << "):\n";
    sensitivity::probes::print_probe_summary(table, results);
    st.probe_summary = table.str();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.report["probes_seconds"] = seconds;
    if (!opt.quiet) std::cout << "probes: " << std::fixed << std::setprecision(1) << seconds << " s\n" << std::defaultfloat;
    if (!opt.no_augmented && st.foreign) {   // the comparison retrains the same network, and a foreign one has no recipe here
        const std::string note = "augmented comparison: skipped (it retrains the network, and " + opt.model +
                                 " was trained elsewhere)";
        st.report["probes_notes"].push_back(note);
        if (!opt.quiet) std::cout << note << "\n";
    }
    if (!opt.no_augmented && opt.model.empty()) compare_augmented(opt, st, results.front(), dir, out);
}

}  // namespace app
