// examples/train_and_explain/make_table.cpp — make-table: writes the ground-truth table of datasets/synthetic_table.hpp as a CSV file
// (y = sin(x1) + 0.5·x2² + 0.005·x3_g + noise), so a run's sensitivities can be compared with the true derivatives.
#include <iostream>

#include <CLI/CLI.hpp>

#include "datasets/synthetic_table.hpp"
#include "nn/training/atomic_file.hpp"

int main(int argc, char** argv) {
    CLI::App cli{"make-table: write the ground-truth table y = sin(x1) + 0.5*x2^2 + 0.005*x3_g + noise as CSV "
                 "(columns x1, x2, x3_g, noise[, x1_copy], age, y; see datasets/synthetic_table.hpp)", "make-table"};
    std::size_t rows = 4000;
    std::uint64_t seed = 1;
    bool copy = false;
    std::string out = "table.csv";
    cli.add_option("--rows", rows, "number of rows")->check(CLI::Range(std::size_t(10), std::size_t(10000000)))->capture_default_str();
    cli.add_option("--seed", seed, "random seed")->capture_default_str();
    cli.add_flag("--near-copy", copy, "add x1_copy = x1 + N(0, 0.05^2), a near-copy of x1 the target does not use");
    cli.add_option("--out", out, "the CSV file to write")->capture_default_str();
    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "make-table: " << e.what() << " (see --help)\n";
        return 2;
    }
    if (out.empty()) {
        std::cerr << "make-table: --out: empty file name (see --help)\n";
        return 2;
    }
    try {
        nn::training::write_file_atomic(out, datasets::to_csv(datasets::sin_table(rows, seed, copy)));
    } catch (const std::exception& e) {
        std::cerr << "make-table: " << e.what() << "\n";
        return 1;
    }
    std::cout << "wrote " << rows << " rows to " << out << "\n";
    return 0;
}
