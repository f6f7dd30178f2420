// examples/train_and_explain/explain_stage.cpp — stage 2 of train-and-explain: prove the input Jacobian by finite differences,
// save it as .npy, and draw the sensitivity maps (per digit, class means, confusable pairs).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <vector>

#include <xtensor/xnpy.hpp>
#include <xtensor/xview.hpp>

#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/util.hpp"
#include "nn/training/atomic_file.hpp"
#include "nn/chunks.hpp"
#include "sensitivity/maps/fd_check.hpp"
#include "sensitivity/figures/heatmap.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {

// Stage 2a: the tape's Jacobian against central differences on a double copy of the model.
void finite_difference_check(const Options& opt, RunState& st, const nn::Tensor<float>& x) {
    if (opt.fd_images == 0) return;
    const auto r = sensitivity::maps::fd_check(*st.net, x, opt.fd_images);
    std::ostringstream line;
    line << "finite differences: " << r.images << " images, " << r.pairs_compared << " output/pixel pairs ("
         << r.pairs_skipped << " skipped at relu kinks): max relative error " << fmt(r.max_rel_error)
         << " in double (target " << fmt(r.tol_double) << "), " << fmt(r.float_max_rel_error)
         << " float tape vs double FD (target " << fmt(r.tol_float) << ") -> " << (r.passed ? "PASS" : "FAIL");
    st.fd_summary = line.str();
    st.report["fd_check"] = {{"images", r.images},
                             {"h", r.h},
                             {"pairs_compared", r.pairs_compared},
                             {"pairs_skipped", r.pairs_skipped},
                             {"max_abs_error", r.max_abs_error},
                             {"max_rel_error", r.max_rel_error},
                             {"float_max_rel_error", r.float_max_rel_error},
                             {"tol_double", r.tol_double},
                             {"tol_float", r.tol_float},
                             {"passed", r.passed}};
    st.fd_passed = r.passed;
}

// One figure per digit: a correctly classified test image beside |∂p_pred/∂x|.
void digit_figures(RunState& st, const fs::path& dir, const nn::Tensor<float>& x, const std::vector<int>& labels,
                   const xt::xtensor<float, 3>& J, const nn::Tensor<float>& p) {
    const auto& names = st.data.test.class_names;
    const std::vector<int> predicted = nn::argmax_rows(p);
    for (int d = 0; d < 10; ++d) {
        std::size_t n = 0;
        while (n < labels.size() && !(labels[n] == d && predicted[n] == d)) ++n;
        if (n == labels.size()) continue;  // no correct example of this class among the explained images
        auto input = panel("test image #" + std::to_string(n) + ": " + names[d], row_values(x, n),
                           sensitivity::figures::PanelKind::Gray);
        input.zmin = 0.0;
        input.zmax = 1.0;
        input.colorbar = false;
        auto jrow = xt::view(J, n, d, xt::all());
        std::vector<double> mag(jrow.begin(), jrow.end());
        for (auto& v : mag) v = std::abs(v);
        auto heat = panel("|dp" + std::to_string(d) + "/dx|  (p = " + fmt(p(n, d), 3) + ")", mag,
                          sensitivity::figures::PanelKind::Sequential);
        heat.colorbar_label = "sensitivity";
        sensitivity::figures::HeatmapFigure fig;
        fig.title = "What the network looks at for a " + names[d];
        fig.grid_cols = 2;
        fig.panels = {input, heat};
        const auto path = dir / ("digit_" + std::to_string(d) + ".png");
        sensitivity::figures::heatmap_png(path.string(), fig);
        st.report["sensitivity"]["digit_figures"].push_back(path.lexically_relative(st.out_dir).string());
    }
}

// The class-mean maps: mean |∂p_c/∂x| over the test images of class c, as a 2x5 grid.
void class_mean_figure(RunState& st, const fs::path& dir, const nn::Tensor<float>& mean_abs) {
    sensitivity::figures::HeatmapFigure fig;
    fig.title = "Mean |dp_c/dx| over the test images of each class";
    fig.grid_rows = 2;
    fig.grid_cols = 5;
    fig.shared_colorbar = true;
    fig.shared_colorbar_label = "mean sensitivity";
    for (std::size_t c = 0; c < mean_abs.shape(0); ++c) {
        auto map = panel(st.data.test.class_names[c], row_values(mean_abs, c), sensitivity::figures::PanelKind::Sequential);
        map.colorbar = false;
        fig.panels.push_back(map);
    }
    const auto path = dir / "class_means.png";
    sensitivity::figures::heatmap_png(path.string(), fig);
    st.report["sensitivity"]["class_means_figure"] = path.lexically_relative(st.out_dir).string();
}

// Confusable pairs: mean over test images of classes a and b of ∂(p_a − p_b)/∂x, with b's mean image as contour.
// The images of a pair go through in chunks of kChunk rows, converted from the test set's bytes as they are needed.
void confusable_pairs_figure(RunState& st, const fs::path& dir) {
    constexpr std::size_t kChunk = 1000;
    const datasets::Dataset& test = st.data.test;
    const std::size_t D = test.pixels();
    const std::vector<std::pair<int, int>> pairs = {{4, 9}, {7, 9}, {5, 6}, {5, 8}, {3, 8}};
    sensitivity::figures::HeatmapFigure fig;
    fig.title = "What separates a from b: mean d(p_a - p_b)/dx  (red: more ink here says a; contour: mean b)";
    fig.grid_cols = pairs.size();
    nn::Tensor<float> xs;                                                // [B, 784], one chunk, reused
    for (auto [a, b] : pairs) {
        std::vector<std::size_t> idx;
        for (std::size_t n = 0; n < test.size(); ++n)
            if (test.labels[n] == a || test.labels[n] == b) idx.push_back(n);
        std::vector<double> mean(D, 0.0), contour(D, 0.0);
        std::size_t nb = 0;
        nn::for_each_chunk(idx.size(), kChunk, "confusable pairs", [&](std::size_t k0, std::size_t B) {
            test.batch(idx.data() + k0, B, xs);
            const nn::Tensor<float> g = sensitivity::maps::class_difference_gradient(*st.net, xs, a, b);  // [B, 784]
            for (std::size_t k = 0; k < B; ++k) {
                for (std::size_t j = 0; j < D; ++j) mean[j] += g(k, j) / static_cast<double>(idx.size());
                if (test.labels[idx[k0 + k]] == b) {
                    ++nb;
                    for (std::size_t j = 0; j < D; ++j) contour[j] += xs(k, j);
                }
            }
        });
        for (auto& v : contour) v /= static_cast<double>(std::max<std::size_t>(nb, 1));
        auto map = panel(std::to_string(a) + " vs " + std::to_string(b), mean, sensitivity::figures::PanelKind::Diverging);
        map.contour = contour;
        map.colorbar_label = "d(p" + std::to_string(a) + " - p" + std::to_string(b) + ")/dx";
        fig.panels.push_back(map);
    }
    const auto path = dir / "confusable_pairs.png";
    sensitivity::figures::heatmap_png(path.string(), fig);
    st.report["sensitivity"]["confusable_pairs_figure"] = path.lexically_relative(st.out_dir).string();
}

}  // namespace

void explain(const Options& opt, RunState& st) {
    const fs::path dir = st.out_dir / "sensitivity";
    fs::create_directories(dir);
    const auto& test = st.data.test;
    const std::size_t N = std::min(opt.explain_count, test.size());
    const nn::Tensor<float> x = test.to_float<float>(0, N);                     // [N, 784]
    const std::vector<int> labels(test.labels.begin(), test.labels.begin() + static_cast<long>(N));

    finite_difference_check(opt, st, x);

    // The full Jacobian of the first N test images: one forward, ten backward passes of one tape.
    const xt::xtensor<float, 3> J = sensitivity::maps::jacobian(*st.net, x);         // [N, 10, 784]
    const nn::Tensor<float> p = sensitivity::maps::predict(*st.net, x);              // [N, 10]
    save_npy(dir / "inputs.npy", x);
    save_npy(dir / "jacobian.npy", J);

    // The dataset summary over the whole test set, converted from bytes a chunk at a time (never 31 MB of floats).
    const std::vector<int> labels_all(test.labels.begin(), test.labels.end());
    const sensitivity::maps::RowSource<float>::type rows = [&](std::size_t begin, std::size_t count, nn::Tensor<float>& xc) {
        xc = test.to_float<float>(begin, count);                                // [count, 784]
    };
    const auto summary = sensitivity::maps::summarize(*st.net, rows, labels_all);
    save_npy(dir / "mean_abs_jacobian.npy", summary.per_class);                 // [10, 784]
    st.report["sensitivity"]["explained_images"] = N;
    st.report["sensitivity"]["files"] = {"sensitivity/inputs.npy", "sensitivity/jacobian.npy",
                                         "sensitivity/mean_abs_jacobian.npy"};

    digit_figures(st, dir, x, labels, J, p);
    class_mean_figure(st, dir, summary.per_class);
    confusable_pairs_figure(st, dir);
    // How far apart the maps' scales are (chapter 11): each image's largest |J|, the smallest and the largest of them.
    std::size_t lo = 0, hi = 0;
    std::vector<double> peak(N, 0.0);
    for (std::size_t n = 0; n < N; ++n) {
        for (std::size_t i = 0; i < J.shape(1); ++i)
            for (std::size_t j = 0; j < J.shape(2); ++j) peak[n] = std::max(peak[n], std::fabs(double(J(n, i, j))));
        if (peak[n] < peak[lo]) lo = n;
        if (peak[n] > peak[hi]) hi = n;
    }
    if (N > 0) {
        st.report["sensitivity"]["max_abs_jacobian_per_image"] = {{"smallest", peak[lo]}, {"smallest_image", lo},
                                                                  {"largest", peak[hi]}, {"largest_image", hi}};
        if (!opt.quiet)
            std::cout << "sensitivity: largest |J| of an image, over the " << N << " images: from " << std::setprecision(2)
                      << peak[lo] << " (image " << lo << ", p = " << std::setprecision(7) << p(lo, labels[lo])
                      << " for its class) to " << std::setprecision(2) << peak[hi] << " (image " << hi << ", p = "
                      << std::setprecision(3) << p(hi, labels[hi]) << ")\n" << std::setprecision(6);
    }
    if (!opt.quiet)
        std::cout << "sensitivity: Jacobian [" << N << ", 10, 784] and maps written to " << dir.string() << "\n";
}

}  // namespace app
