// examples/train_and_explain.cpp — the program users meet: train the MLP (or load one), then explain it.
// Only the order of the stages and the exit codes; each stage lives in its own examples/ file.
#include <exception>
#include <filesystem>
#include <iostream>

#include "examples/interrupt.hpp"
#include "examples/options.hpp"
#include "examples/stages.hpp"

int main(int argc, char** argv) {
    app::Options opt;
    if (int code = app::parse_options(argc, argv, opt); code >= 0) return code;
    app::remove_temporaries_on_interrupt(opt.out);  // Ctrl-C leaves no *.tmp* files in --out
    try {
        return app::run(opt);
    } catch (const app::UsageError& e) {
        std::cerr << "train-and-explain: " << e.what() << "\n";
        return app::kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "train-and-explain: " << e.what() << "\n";
        return app::kExitData;
    }
}
