// examples/train_and_explain/options.cpp — CLI11 set-up for train-and-explain; usage errors become one line and exit code 2.
// Defaults are chosen so the plain run (no flags) trains, checks and explains in about a minute.
#include "examples/train_and_explain/options.hpp"
#include "examples/train_and_explain/net.hpp"

#include <cmath>
#include <iostream>
#include <limits>

#include <CLI/CLI.hpp>

namespace app {

namespace {
// "256" or "256,128": one width per hidden layer, each in 1..65536. False for anything else ("", "256,", "0", "2x").
bool parse_hidden(const std::string& text, std::vector<std::size_t>& widths) {
    std::vector<std::size_t> w;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.empty() || item.size() > 5 || item.find_first_not_of("0123456789") != std::string::npos) return false;
        const std::size_t v = std::stoul(item);
        if (v < 1 || v > 65536) return false;
        w.push_back(v);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    widths = std::move(w);
    return true;
}
}  // namespace

int parse_options(int argc, char** argv, Options& opt) {
    CLI::App cli{"train-and-explain: train an MLP on MNIST (784-256-10 by default, deeper with --hidden 256,128; or a CSV table), then explain it with sensitivity maps and probes.",
                 "train-and-explain"};
    cli.get_formatter()->column_width(34);
    const auto positive = CLI::Range(std::size_t(1), std::size_t(1) << 30);
    cli.add_option("--dataset", opt.dataset, "mnist or fashion")
        ->check(CLI::IsMember({"mnist", "fashion"}))->capture_default_str();
    cli.add_option("--data", opt.data, "directory with the IDX files (default: data/mnist, or the Debian "
                                       "Fashion-MNIST folder for --dataset fashion)");
    std::string hidden = "256";
    cli.add_option("--hidden", hidden, "hidden units H of the 784-H-10 network, or one width per hidden layer "
                                       "(256,128 is 784-256-128-10)")->capture_default_str();
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
    cli.add_option("--model", opt.model, "explain a saved model directory (e.g. out/model), or a network trained "
                                         "elsewhere as an ONNX file (net.onnx: dense layers, docs/16-models-from-elsewhere.md), "
                                         "and skip training");
    std::string normalize;
    cli.add_option("--input-scale", opt.input_scale, "the pixel range an ONNX image model was trained on: 0..1 "
                                                     "(the default; what ToTensor() gives) or 0..255")
        ->check(CLI::IsMember({"0..1", "0..255"}));
    cli.add_option("--normalize", normalize, "MEAN,STD an ONNX image model's inputs were normalized with, (x - MEAN) "
                                             "/ STD after --input-scale (PyTorch's MNIST recipe: 0.1307,0.3081)");
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
    auto* explorer = "Draw-a-digit explorer (docs/14-draw-a-digit.md)";
    cli.add_flag("--serve", opt.serve, "serve a page to draw a digit on and watch the network decide, plus its JSON API "
                                       "(POST /api/v1/explain); trains first unless --model is given")->group(explorer);
    cli.add_option("--host", opt.host, "address to listen on; anything but loopback exposes the explorer to the network "
                                       "(a warning is printed)")->capture_default_str()->group(explorer);
    cli.add_option("--port", opt.port, "port to listen on (0: any free port)")->check(CLI::Range(0, 65535))
        ->capture_default_str()->group(explorer);
    auto* tables = "Tables (CSV or JSON records)";
    cli.add_option("--csv,--table", opt.csv, "train on (or, with --model, explain) a table instead of images: a CSV file "
                                             "with a header row, or a JSON array of records ([{\"col\": value, ...}], null "
                                             "is missing); defaults change to --hidden 32 --epochs 200 --batch 32 "
                                             "--optimizer adam --lr 0.01 unless given")->group(tables);
    cli.add_option("--target", opt.target, "the column to predict (required with --csv unless --model)")->group(tables);
    cli.add_option("--task", opt.task, "regression (MSE) or classification (softmax cross-entropy); default: regression "
                                       "for a numeric target with more than 20 distinct values")
        ->check(CLI::IsMember({"regression", "classification"}))->group(tables);
    cli.add_option("--features", opt.features, "feature columns, comma-separated (default: all but target and meta, "
                                               "leaving out identifiers such as names and columns with no value; text "
                                               "columns are one-hot encoded, ISO dates read as fractional years)")
        ->delimiter(',')->group(tables);
    cli.add_option("--missing", opt.missing, "a missing feature value: impute (median, or the most frequent level, of "
                                             "the training rows, plus a <column>_missing input) or drop the row; rows "
                                             "without a target are always dropped")
        ->check(CLI::IsMember({"impute", "drop"}))->capture_default_str()->group(tables);
    cli.add_option("--meta", opt.meta, "columns kept for probes but never fed to the model, comma-separated")
        ->delimiter(',')->group(tables);
    cli.add_option("--scaling", opt.scaling, "with --model net.onnx: a JSON file {\"features\": [...], \"mean\": [...], "
                                             "\"std\": [...]} giving the standardization (x - mean) / std the network "
                                             "was trained on (leave it out for a network trained on the raw columns)")
        ->group(tables);
    cli.add_option("--activation", opt.activation, "hidden activation of a table model")
        ->check(CLI::IsMember({"relu", "tanh", "sigmoid", "leaky_relu", "gelu"}))->capture_default_str()->group(tables);
    cli.add_option("--weight-decay", opt.weight_decay, "L2 weight decay of a table model (>= 0); default: the value "
                                                       "of 0, 1e-4, 1e-3, 1e-2 with the lowest validation loss")
        ->group(tables);
    cli.add_option("--patience", opt.patience, "early stopping: stop after this many epochs without a lower "
                                               "validation loss and keep the best epoch's weights (>= 1)")
        ->check(CLI::Range(std::size_t(1), std::size_t(10000)))->capture_default_str()->group(tables);
    cli.add_option("--folds", opt.folds, "K of the K-fold cross-validation that scores the net against a linear "
                                         "baseline and refits it for the sensitivities' intervals")
        ->check(CLI::Range(std::size_t(2), std::size_t(20)))->capture_default_str()->group(tables);
    cli.add_option("--attribution-target", opt.attribution_target,
                   "classification tables: take the sensitivity of the predicted class's log-odds (logodds, the "
                   "default: it does not saturate) or of its probability (prob)")
        ->check(CLI::IsMember({"logodds", "prob"}))->group(tables);
    cli.add_option("--group-threshold", opt.group_threshold,
                   "features whose |Spearman rho| on the training rows is at least this form one group, reported once "
                   "with one caveat (a number in (0, 1])")
        ->capture_default_str()->group(tables);

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
    if (cli.count("--weight-decay") > 0 && !(std::isfinite(opt.weight_decay) && opt.weight_decay >= 0)) {
        std::cerr << "train-and-explain: --weight-decay must be a finite number >= 0, got " << opt.weight_decay << "\n";
        return kExitUsage;
    }
    if (!parse_hidden(hidden, opt.hidden)) {
        std::cerr << "train-and-explain: --hidden must be one width or several separated by commas, each 1 to 65536 "
                     "(e.g. 256 or 256,128), got '" << hidden << "'\n";
        return kExitUsage;
    }
    if (!normalize.empty()) {
        std::size_t used = 0, used2 = 0;
        const std::size_t comma = normalize.find(',');
        double mean = 0, sd = 0;
        bool ok = comma != std::string::npos;
        try {
            if (ok) {
                mean = std::stod(normalize.substr(0, comma), &used);
                sd = std::stod(normalize.substr(comma + 1), &used2);
                ok = used == comma && used2 == normalize.size() - comma - 1;
            }
        } catch (const std::exception&) {
            ok = false;
        }
        if (!ok || !std::isfinite(mean) || !std::isfinite(sd) || sd <= 0) {
            std::cerr << "train-and-explain: --normalize must be MEAN,STD with a finite mean and a positive std "
                         "(e.g. 0.1307,0.3081), got '" << normalize << "'\n";
            return kExitUsage;
        }
        opt.normalize = {mean, sd};
    }
    const bool onnx_model = !opt.model.empty() && is_onnx_model(opt.model);
    if ((cli.count("--input-scale") > 0 || !opt.normalize.empty()) && !onnx_model) {
        std::cerr << "train-and-explain: --input-scale and --normalize describe a network trained elsewhere; they "
                     "need --model FILE.onnx\n";
        return kExitUsage;
    }
    if (!opt.scaling.empty() && (!onnx_model || opt.csv.empty())) {
        std::cerr << "train-and-explain: --scaling describes the inputs of a table network trained elsewhere; it needs "
                     "--csv FILE and --model FILE.onnx\n";
        return kExitUsage;
    }
    if (onnx_model && !opt.csv.empty() && opt.target.empty()) {
        std::cerr << "train-and-explain: --model " << opt.model << " with --csv needs --target COLUMN (an ONNX file "
                     "does not say what it predicts)\n";
        return kExitUsage;
    }
    if (onnx_model && !opt.csv.empty() && (cli.count("--input-scale") > 0 || !opt.normalize.empty())) {
        std::cerr << "train-and-explain: --input-scale and --normalize are for image models; a table network's "
                     "standardization goes in --scaling FILE.json\n";
        return kExitUsage;
    }
    if (onnx_model && cli.count("--hidden") > 0) {
        std::cerr << "train-and-explain: --hidden sets the width of a network to train; --model " << opt.model
                  << " brings its own layers (leave --hidden out)\n";
        return kExitUsage;
    }
    if (opt.out.empty()) {
        std::cerr << "train-and-explain: --out must not be empty\n";
        return kExitUsage;
    }
    if (!std::isfinite(opt.group_threshold) || opt.group_threshold <= 0 || opt.group_threshold > 1) {
        std::cerr << "train-and-explain: --group-threshold must be a number in (0, 1], got " << opt.group_threshold << "\n";
        return kExitUsage;
    }
    if (opt.csv.empty() && (cli.count("--attribution-target") > 0 || cli.count("--group-threshold") > 0)) {
        std::cerr << "train-and-explain: --attribution-target and --group-threshold need --csv FILE\n";
        return kExitUsage;
    }
    if (!opt.csv.empty()) {   // a table is small: a smaller network, more epochs, Adam
        if (cli.count("--hidden") == 0) opt.hidden = {32};
        if (cli.count("--epochs") == 0) opt.epochs = 200;
        if (cli.count("--batch") == 0) opt.batch = 32;
        if (cli.count("--optimizer") == 0) opt.optimizer = "adam";
        if (cli.count("--lr") == 0) opt.lr = 0.01;
        if (opt.target.empty() && opt.model.empty()) {
            std::cerr << "train-and-explain: --csv needs --target COLUMN (the column to predict)\n";
            return kExitUsage;
        }
        if (!opt.image.empty()) {
            std::cerr << "train-and-explain: --csv and --image cannot be combined\n";
            return kExitUsage;
        }
    } else if (!opt.target.empty() || !opt.task.empty() || !opt.features.empty() || !opt.meta.empty() ||
               cli.count("--missing") + cli.count("--weight-decay") + cli.count("--patience") + cli.count("--folds") > 0) {
        std::cerr << "train-and-explain: --target, --task, --features, --meta, --missing, --weight-decay, --patience and "
                     "--folds need --csv FILE\n";
        return kExitUsage;
    }
    if (opt.serve && (!opt.csv.empty() || !opt.image.empty())) {
        std::cerr << "train-and-explain: --serve cannot be combined with --csv or --image\n";
        return kExitUsage;
    }
    if (!opt.serve && (cli.count("--host") > 0 || cli.count("--port") > 0)) {
        std::cerr << "train-and-explain: --host and --port need --serve\n";
        return kExitUsage;
    }
    if (opt.data.empty())
        opt.data = opt.dataset == "fashion" ? "/usr/share/datasets/fashion-mnist" : "data/mnist";
    return -1;
}

}  // namespace app
