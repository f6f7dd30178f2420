// examples/train_and_explain/train_stage.cpp — stage 1 of train-and-explain: load the data, then train a model or load --model.
// Writes out/model/ and out/metrics.json after a successful training, never a half-trained model.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "examples/train_and_explain/stages.hpp"
#include "nn/training/metrics.hpp"
#include "nn/training/threads.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {
void print_data_summary(const datasets::Split& d) {
    auto mean_ink = [](const datasets::Dataset& ds) {
        double s = 0;
        for (auto b : ds.images) s += b;
        return s / 255.0 / static_cast<double>(ds.size());
    };
    std::ostringstream line;  // a local stream, so the fixed format does not leak into later output
    line << std::fixed << std::setprecision(1) << "data: ";
    if (d.train.size() > 0) line << d.train.name << " " << d.train.size() << " images, ";
    line << d.test.name << " " << d.test.size() << " images, " << d.test.rows << "x" << d.test.cols << " pixels, "
         << d.test.class_names.size() << " classes; mean ink ";
    if (d.train.size() > 0) line << mean_ink(d.train) << " (train), ";
    line << mean_ink(d.test) << " (test)\n";
    std::cout << line.str();
}

// Frees the examples of d (the training set's 47 MB after training), keeping its name and class names.
void release_examples(datasets::Dataset& d) {
    d.images = xt::xtensor<std::uint8_t, 2>::from_shape({0, d.pixels()});   // [0, rows*cols]
    d.labels = std::vector<std::uint8_t>();
}

}  // namespace

nn::training::TrainConfig train_config(const Options& opt, std::size_t train_size) {
    nn::training::TrainConfig c;
    c.hidden = opt.hidden;
    c.epochs = opt.epochs;
    c.batch = opt.batch;
    c.lr = opt.lr;
    c.optimizer = nn::parse_optimizer(opt.optimizer);
    c.seed = opt.seed;
    if (opt.augment) c.augment = nn::training::random_rotate_shift(10.0, 1.0);
    c.progress = opt.quiet ? nn::training::ProgressMode::Quiet : nn::training::ProgressMode::Auto;
    // Hold out 5000 images (as chosen for MNIST), but never more than a tenth of a small --data set.
    c.validation = std::min(c.validation, train_size / 10);
    return c;
}

datasets::Split load_data(const Options& opt, datasets::Parts parts) {
    return opt.dataset == "fashion" ? datasets::load_fashion_mnist(opt.data, parts)
                                    : datasets::load_mnist(opt.data, parts);
}

void train_or_load(const Options& opt, RunState& st) {
    st.data = load_data(opt, {opt.model.empty(), true});   // a saved model needs no training set
    if (!opt.quiet) print_data_summary(st.data);

    if (!opt.model.empty() && is_onnx_model(opt.model)) {   // a network trained elsewhere
        ForeignNet f = load_foreign_image_net(opt);
        nn::onnx::check_input_width(f.stack, st.data.test.pixels(), "--data " + opt.data + " (" +
                                    std::to_string(st.data.test.rows) + "x" + std::to_string(st.data.test.cols) + " images)");
        if (f.stack.output_width() != st.data.test.class_names.size())
            throw std::runtime_error(opt.model + ": the model has " + std::to_string(f.stack.output_width()) +
                                     " outputs; --dataset " + opt.dataset + " has " +
                                     std::to_string(st.data.test.class_names.size()) + " classes");
        st.net.emplace(f.stack);
        st.foreign = true;
        st.info.dataset = opt.dataset;
        st.info.class_names = st.data.test.class_names;
        st.info.rows = st.data.test.rows;
        st.info.cols = st.data.test.cols;
        st.test = evaluate_net(*st.net, st.data.test);
        st.info.test_accuracy = st.test.accuracy;
        st.report["model"] = f.report;
        if (!opt.quiet) {
            std::cout << "model: loaded " << opt.model << " (ONNX, " << nn::onnx::describe(f.stack) << ")\n";
            for (const std::string& n : f.notes) std::cout << "  " << n << "\n";
        }
        return;
    }
    if (!opt.model.empty()) {
        st.model = nn::training::load_model(opt.model, &st.info);
        if (!st.info.dataset.empty() && st.info.dataset != opt.dataset)   // its outputs would get the wrong class names
            throw std::runtime_error(opt.model + ": the model was trained on '" + st.info.dataset + "', not on '" +
                                     opt.dataset + "' (pass --dataset " + st.info.dataset + ")");
        if (st.model.in() != st.data.test.pixels())
            throw std::runtime_error(opt.model + ": model takes " + std::to_string(st.model.in()) +
                                     " pixels but the data has " + std::to_string(st.data.test.pixels()));
        st.test = nn::training::evaluate(st.model, st.data.test);
        st.net.emplace(net_of(st.model));
        st.report["model"] = {{"source", opt.model}, {"hidden", nn::training::hidden_json(st.model.hidden())}};
        if (!opt.quiet) std::cout << "model: loaded " << opt.model << " (" << nn::layer_widths(st.model) << ")\n";
        return;
    }

    // The maps, the probes and the report draw 28x28 digits: refuse other images before spending a training on them.
    if (st.data.train.rows != 28 || st.data.train.cols != 28)
        throw std::runtime_error("--data " + opt.data + ": images are " + std::to_string(st.data.train.rows) + "x" +
                                 std::to_string(st.data.train.cols) + ", train-and-explain needs 28x28 (MNIST, Fashion-MNIST)");
    nn::training::TrainConfig config = train_config(opt, st.data.train.size());
    st.model = nn::training::make_mlp(config, st.data.train.pixels(), st.data.train.class_names.size());
    if (!opt.quiet) {
        std::cout << "training " << nn::layer_widths(st.model) << " ("
                  << nn::optimizer_name(config.optimizer) << ", lr " << config.lr
                  << ", batch " << config.batch << ", " << config.epochs << " epochs)\n";
        if (const std::string hint = nn::training::blas_kernel_hint(); !hint.empty()) std::cout << hint << "\n";  // appendix A
    }
    const nn::training::TrainResult result = nn::training::train(st.model, st.data.train, config);
    release_examples(st.data.train);  // 47 MB no later stage needs
    st.test = nn::training::evaluate(st.model, st.data.test);
    st.net.emplace(net_of(st.model));

    st.info.dataset = opt.dataset;
    st.info.class_names = st.data.test.class_names;
    st.info.rows = st.data.test.rows;
    st.info.cols = st.data.test.cols;
    st.info.seed = opt.seed;
    st.info.test_accuracy = st.test.accuracy;
    const fs::path out(opt.out);
    save_model_with_onnx(st.model, (out / "model").string(), st.info);
    nn::training::write_metrics_json((out / "metrics.json").string(), config, result, st.test);
    st.report["training"] = {{"seconds", result.seconds},
                             {"epochs", config.epochs},
                             {"test_accuracy", st.test.accuracy},
                             {"metrics", "metrics.json"},
                             {"model", "model/"},
                             {"onnx", "model/model.onnx"}};
}

}  // namespace app
