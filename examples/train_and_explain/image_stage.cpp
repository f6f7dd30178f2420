// examples/train_and_explain/image_stage.cpp — `--image FILE`: load a trained model, preprocess the user's picture like MNIST, predict and explain it.
// No training and no dataset stages; the preprocessing itself is datasets/image_file.cpp.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <optional>
#include <sstream>

#include <stb_image_write.h>
#include <xtensor/xnpy.hpp>

#include "datasets/image_file.hpp"
#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/util.hpp"
#include "nn/training/atomic_file.hpp"
#include "sensitivity/figures/heatmap.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {

// --model DIR, else <out>/model if a previous run saved one there.
std::string model_dir(const Options& opt) {
    if (!opt.model.empty()) return opt.model;
    const fs::path saved = fs::path(opt.out) / "model";
    std::error_code ec;
    if (fs::exists(saved / "model.json", ec)) return saved.string();
    throw std::runtime_error("--image needs a trained model: run train-and-explain once, or pass --model DIR");
}

// An 8-bit grayscale PNG of a [rows, cols] image with values in [0, 1], written atomically.
void write_gray_png(const std::string& path, const xt::xtensor<float, 2>& img) {
    const int rows = static_cast<int>(img.shape(0)), cols = static_cast<int>(img.shape(1));
    std::vector<unsigned char> bytes(img.size());
    std::transform(img.begin(), img.end(), bytes.begin(),
                   [](float v) { return static_cast<unsigned char>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); });
    std::string png;
    auto append = [](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
    };
    if (!stbi_write_png_to_func(append, &png, cols, rows, 1, bytes.data(), cols))
        throw std::runtime_error(path + ": cannot encode the PNG");
    nn::training::write_file_atomic(path, png);
}

// A heat-map panel with its colour bar labelled (examples/train_and_explain/util.hpp's panel, plus the label).
sensitivity::figures::ImagePanel map_panel(std::string title, std::vector<double> values, sensitivity::figures::PanelKind kind,
                                  std::string bar_label) {
    sensitivity::figures::ImagePanel p = panel(std::move(title), std::move(values), kind);
    p.colorbar_label = std::move(bar_label);
    return p;
}

}  // namespace

int explain_image(const Options& opt) {
    const std::string dir = model_dir(opt);
    nn::training::ModelInfo info;
    std::vector<std::string> notes;
    std::optional<Net> loaded;
    if (is_onnx_model(dir)) {                           // a network trained elsewhere: MNIST's class names
        ForeignNet f = load_foreign_image_net(opt);
        nn::onnx::check_input_width(f.stack, 28 * 28, "--image (a 28x28 picture, 784 pixels)");
        notes = f.notes;
        loaded.emplace(f.stack);
    } else {
        loaded.emplace(net_of(nn::training::load_model(dir, &info)));
        if (loaded->in() != 28 * 28)
            throw std::runtime_error(dir + ": model takes " + std::to_string(loaded->in()) +
                                     " pixels; --image needs a 28x28 (784-pixel) MNIST-style model");
    }
    Net& model = *loaded;

    const datasets::GrayImage picture = datasets::read_image(opt.image);
    const xt::xtensor<float, 2> digit = datasets::mnist_preprocess(picture, opt.image);  // [28, 28]
    nn::Tensor<float> x({1, 784});                                                        // [1, 784]
    std::copy(digit.begin(), digit.end(), x.begin());

    const nn::Tensor<float> p = sensitivity::maps::predict(model, x);  // [1, C]
    std::vector<int> order(model.out());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p(0, a) > p(0, b); });
    const int best = order[0];
    const auto name = [&](int c) {
        return c < static_cast<int>(info.class_names.size()) ? info.class_names[c] : std::to_string(c);
    };

    const xt::xtensor<float, 3> J = sensitivity::maps::jacobian(model, x);  // [1, C, 784]
    std::vector<double> signed_map(784), abs_map(784), input(digit.begin(), digit.end());
    for (std::size_t j = 0; j < 784; ++j) {
        signed_map[j] = J(0, best, j);
        abs_map[j] = std::abs(signed_map[j]);
    }

    const fs::path out = fs::path(opt.out) / "image";
    fs::create_directories(out);
    write_gray_png((out / "input-28x28.png").string(), digit);
    save_npy(out / "input-28x28.npy", digit);

    const std::string head = "predicted " + name(best) + " (p = " + fixed(p(0, best), 3) + ")";
    sensitivity::figures::HeatmapFigure abs_fig;
    abs_fig.title = fs::path(opt.image).filename().string() + ": " + head;
    abs_fig.grid_cols = 2;
    sensitivity::figures::ImagePanel picture_panel = panel("input (28x28)", input, sensitivity::figures::PanelKind::Gray);
    picture_panel.colorbar = false;
    abs_fig.panels = {picture_panel,
                      map_panel("|dp/dx| of " + name(best), abs_map, sensitivity::figures::PanelKind::Sequential, "|dp/dx|")};
    sensitivity::figures::heatmap_png((out / "sensitivity.png").string(), abs_fig);

    sensitivity::figures::HeatmapFigure signed_fig = abs_fig;
    signed_fig.panels[1] = map_panel("dp/dx of " + name(best), signed_map, sensitivity::figures::PanelKind::Diverging, "dp/dx");
    signed_fig.panels[1].contour = input;
    sensitivity::figures::heatmap_png((out / "signed.png").string(), signed_fig);

    std::ostringstream s;
    s << std::fixed << std::setprecision(3) << "prediction: " << name(best) << " (p = " << p(0, best) << ")\ntop-3:";
    for (std::size_t k = 0; k < std::min<std::size_t>(3, order.size()); ++k)
        s << (k ? ", " : " ") << name(order[k]) << " " << p(0, order[k]);
    s << "\n";
    if (!opt.quiet)
        for (const std::string& n : notes) s << "model: " << n << "\n";
    if (!opt.quiet)
        s << "image: " << opt.image << " (" << picture.width << "x" << picture.height << ") with model " << dir
          << "\nwrote: " << out.string() << "/{input-28x28.png, input-28x28.npy, sensitivity.png, signed.png}\n";
    std::cout << s.str();
    return 0;
}

}  // namespace app
