// examples/options.cpp — CLI11 set-up for train-and-explain; usage errors become one line and exit code 2.
// Defaults are chosen so the plain run (no flags) trains, checks and explains in about a minute.
#include "examples/options.hpp"

#include <cmath>
#include <iostream>
#include <limits>

#include <CLI/CLI.hpp>

namespace app {

int parse_options(int argc, char** argv, Options& opt) {
    CLI::App cli{"train-and-explain: train a two-layer MLP on MNIST, then explain it with sensitivity maps and probes.",
                 "train-and-explain"};
    cli.get_formatter()->column_width(34);
    const auto positive = CLI::Range(std::size_t(1), std::size_t(1) << 30);
    cli.add_option("--dataset", opt.dataset, "mnist or fashion")
        ->check(CLI::IsMember({"mnist", "fashion"}))->capture_default_str();
    cli.add_option("--data", opt.data, "directory with the IDX files (default: data/mnist, or the Debian "
                                       "Fashion-MNIST folder for --dataset fashion)");
    cli.add_option("--hidden", opt.hidden, "hidden units H of the 784-H-10 network")->check(positive)->capture_default_str();
    cli.add_option("--epochs", opt.epochs, "training epochs")->check(CLI::Range(std::size_t(1), std::size_t(10000)))
        ->capture_default_str();
    cli.add_option("--batch", opt.batch, "minibatch size")->check(CLI::Range(std::size_t(1), std::size_t(60000)))
        ->capture_default_str();
    cli.add_option("--lr", opt.lr, "learning rate (peak of the cosine schedule)")->capture_default_str();
    cli.add_option("--optimizer", opt.optimizer, "sgd (momentum 0.9, Nesterov) or adam")
        ->check(CLI::IsMember({"sgd", "adam"}))->capture_default_str();
    cli.add_flag("--augment", opt.augment, "augment training images: random rotation up to 10 degrees and shift up to 1 pixel");
    cli.add_option("--seed", opt.seed, "seed for initialisation, shuffling and noise")->capture_default_str();
    cli.add_option("--threads", opt.threads, "BLAS threads")->check(CLI::Range(1, 256))->capture_default_str();
    cli.add_option("--out", opt.out, "output directory")->capture_default_str();
    cli.add_option("--model", opt.model, "explain a saved model directory (e.g. out/model) and skip training");
    cli.add_option("--image", opt.image, "explain your own picture of a digit (PNG or JPEG)");
    cli.add_option("--explain-count", opt.explain_count, "test images whose full Jacobian is saved")
        ->check(CLI::Range(std::size_t(1), std::size_t(10000)))->capture_default_str();
    cli.add_option("--fd-images", opt.fd_images, "images checked against finite differences")
        ->check(CLI::Range(std::size_t(0), std::size_t(1000)))->capture_default_str();
    cli.add_flag("--no-probes", opt.no_probes, "skip the Sensie-style probes");
    cli.add_flag("--no-augmented", opt.no_augmented,
                 "skip the second model, trained on digits rotated up to ±45° and shifted up to 2 px, whose rotation "
                 "probe is compared with the first model's (about 20 s; always skipped with --model or --no-probes)");
    cli.add_flag("--quiet", opt.quiet, "print only the final summary");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "train-and-explain: " << e.what() << " (see --help)\n";
        return kExitUsage;
    }
    if (!std::isfinite(opt.lr) || opt.lr <= 0 || opt.lr > 1e3) {
        std::cerr << "train-and-explain: --lr must be a finite number in (0, 1000], got " << opt.lr << "\n";
        return kExitUsage;
    }
    if (opt.out.empty()) {
        std::cerr << "train-and-explain: --out must not be empty\n";
        return kExitUsage;
    }
    if (opt.data.empty())
        opt.data = opt.dataset == "fashion" ? "/usr/share/datasets/fashion-mnist" : "data/mnist";
    return -1;
}

}  // namespace app
