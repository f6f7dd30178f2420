// examples/train_mnist.cpp — the library as a user meets it: read MNIST, train the MLP, print the test accuracy.
// A short program to copy; the full program with maps, probes and a report is examples/train_and_explain/.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <iostream>
#include <string>

#include "datasets/dataset.hpp"
#include "nn/training/evaluate.hpp"
#include "nn/training/train.hpp"

// usage: train-mnist [--epochs N] [--train-rows N] [--data DIR] [--min-accuracy A]  (default: 12 epochs, 60,000 images)
static int run(int argc, char** argv) {
    nn::training::TrainConfig config;              // the defaults: 784-256-10 ReLU, SGD + Nesterov, cosine schedule
    std::size_t train_rows = 0;                    // 0: every training image
    std::string data = "data/mnist";
    double min_accuracy = 0;                      // exit 1 below this test accuracy (a fraction)
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i], value = i + 1 < argc ? argv[i + 1] : "";
        try {
            if (flag == "--epochs") config.epochs = std::stoul(value);
            else if (flag == "--train-rows") train_rows = std::stoul(value);
            else if (flag == "--data") data = value;
            else if (flag == "--min-accuracy") min_accuracy = std::stod(value);
            else { std::cerr << "train-mnist: unknown flag " << flag << "\n"; return 2; }
        } catch (const std::logic_error&) {        // std::stoul / std::stod: not a number, or out of range
            std::cerr << "train-mnist: " << flag << " needs a number, got '" << value << "'\n"; return 2;
        }
    }

    datasets::Split mnist = datasets::load_mnist(data);
    if (train_rows > 0 && train_rows < mnist.train.size()) {
        mnist.train = mnist.train.slice(0, train_rows);
        config.validation = train_rows / 10;       // the last tenth of the rows tells how training goes
    }
    config.progress = nn::training::ProgressMode::Lines;

    nn::MLP<float> model = nn::training::make_mlp(config);
    const nn::training::TrainResult run = nn::training::train(model, mnist.train, config);
    const nn::training::Evaluation test = nn::training::evaluate(model, mnist.test);

    std::cout << "trained on " << run.train_size << " images for " << run.epochs.size() << " epochs in "
              << run.seconds << " s\n";
    std::cout << "test accuracy " << 100 * test.accuracy << "% on " << test.count << " images\n";
    return test.accuracy >= min_accuracy ? 0 : 1;
}

int main(int argc, char** argv) {   // a missing file or a bad number: one line, exit 1
    try { return run(argc, argv); } catch (const std::exception& e) { std::fprintf(stderr, "train-mnist: %s\n", e.what()); return 1; }
}
