// bench/bench_sanity.cpp — the sanity table of every attribution method (Adebayo et al. 2018) on a trained model:
// cascading model randomization and data randomization (a net trained on shuffled labels), Spearman and SSIM ± 95%;
// then every method's deletion and insertion AUC ± standard error (one ranking rule for all: importance()).
// Not a speed bench: its reference is the plain gradient's row, measured in the same run.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_main.hpp"
#include "datasets/dataset.hpp"
#include "nn/argmax.hpp"
#include "nn/training/model_io.hpp"
#include "nn/training/train.hpp"
#include "sensitivity/maps/evaluation.hpp"

namespace {
namespace maps = sensitivity::maps;

void print(const maps::SanityTable& t, const char* comparison) {
    for (const maps::SanityRow& r : t.rows)
        std::printf("  %-22s %-16s %7.3f ± %.3f   %7.3f ± %.3f   %7.3f\n", r.method.c_str(),
                    comparison[0] ? comparison : r.randomized.c_str(), r.spearman, 1.96 * r.spearman_se, r.ssim,
                    1.96 * r.ssim_se, r.spearman_abs);
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"The sanity table: every method's maps on a trained model against randomized layers and against "
                 "a net trained on shuffled labels"};
    std::string model_dir = "tests/fixtures/trained_mlp_784_64_10", data = "data/mnist", methods_list;
    std::size_t images = 100, train_images = 10000, epochs = 30;
    app.add_option("--model", model_dir, "the trained model's directory")->capture_default_str();
    app.add_option("--data", data, "MNIST's directory")->capture_default_str();
    app.add_option("--images", images, "test images explained")->capture_default_str();
    app.add_option("--methods", methods_list, "comma-separated method names (default: all)");
    app.add_option("--shuffled-images", train_images, "training images of the shuffled-label net")->capture_default_str();
    app.add_option("--shuffled-epochs", epochs, "its epochs")->capture_default_str();
    bool faithfulness = true;
    app.add_flag("!--no-faithfulness", faithfulness, "skip the deletion and insertion tables");
    return bench::main_of("bench_sanity", app, argc, argv, [&] {
        nn::MLP<float> model = nn::training::load_model(model_dir);
        const datasets::Split mnist = datasets::load_mnist(data);
        const nn::Tensor<float> x = mnist.test.to_float<float>(0, images);
        const std::vector<int> labels(mnist.test.labels.begin(), mnist.test.labels.begin() + static_cast<long>(images));
        maps::EvaluationOptions o;
        o.methods = maps::all_methods();
        if (!methods_list.empty()) {
            o.methods.clear();
            std::stringstream ss(methods_list);
            for (std::string name; std::getline(ss, name, ',');) o.methods.push_back(maps::parse_method(name));
        }
        o.attribution.out = maps::Output::Logits;
        o.attribution.gradient_shap.references = xt::cast<double>(mnist.train.to_float<float>(0, 200));   // baselines
        const double t0 = bench::now_seconds();
        const maps::SanityTable cascade = maps::sanity_check(model, x, labels, o);
        const double t1 = bench::now_seconds();

        // data randomization: the same architecture trained on the first `train_images` images with shuffled labels
        datasets::Dataset shuffled = mnist.train.slice(0, train_images);
        std::mt19937_64 rng(11);
        std::shuffle(shuffled.labels.begin(), shuffled.labels.end(), rng);
        nn::training::TrainConfig cfg;
        cfg.hidden = model.hidden();
        cfg.epochs = epochs;
        cfg.optimizer = nn::OptimizerKind::Adam;
        cfg.lr = 1e-3;
        cfg.validation = 0;
        cfg.seed = 5;
        cfg.progress = nn::training::ProgressMode::Quiet;
        nn::MLP<float> random_labels = nn::training::make_mlp(cfg);
        nn::training::train(random_labels, shuffled, cfg);
        const nn::Tensor<float> xs = shuffled.to_float<float>(0, shuffled.size());
        const std::vector<int> fit = nn::argmax_rows(maps::predict(random_labels, xs));
        std::size_t right = 0;
        for (std::size_t i = 0; i < fit.size(); ++i) right += fit[i] == shuffled.labels[i];
        const std::vector<int> test_pred = nn::argmax_rows(maps::predict(random_labels, x));
        std::size_t test_right = 0;
        for (std::size_t i = 0; i < images; ++i) test_right += test_pred[i] == labels[i];
        const double t2 = bench::now_seconds();
        const maps::SanityTable data_rand = maps::sanity_check(model, random_labels, x, labels, o);
        const double t3 = bench::now_seconds();

        std::printf("sanity table: %zu MNIST test images, model %s; targets: the true class's logit\n", images,
                    model_dir.c_str());
        std::printf("shuffled-label net: %zu training images, %zu epochs of adam; fits %.1f%% of its shuffled labels, "
                    "%.1f%% of the test images' true labels\n", train_images, epochs,
                    100.0 * static_cast<double>(right) / static_cast<double>(fit.size()),
                    100.0 * static_cast<double>(test_right) / static_cast<double>(images));
        std::printf("  %-22s %-16s %-17s %-17s %s\n", "method", "against", "spearman ± 95%", "ssim ± 95%",
                    "spearman |.|");
        print(cascade, "");
        print(data_rand, "shuffled labels");
        std::printf("seconds: cascade %.1f, shuffled-label training %.1f, its maps %.1f\n", t1 - t0, t2 - t1, t3 - t2);
        if (faithfulness) {
            std::cout << maps::deletion_test(model, x, labels, o) << maps::insertion_test(model, x, labels, o);
            std::printf("seconds: deletion and insertion %.1f\n", bench::now_seconds() - t3);
        }
        return 0;
    });
}
