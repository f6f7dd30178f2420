// examples/train_and_explain/train_and_explain.cpp — the program users meet: train the MLP (or load one), then explain it.
// Only the order of the stages and the exit codes; each stage lives in its own examples/ file.
#include <exception>
#include <filesystem>
#include <iostream>

#include <malloc.h>

#include "examples/train_and_explain/interrupt.hpp"
#include "examples/train_and_explain/options.hpp"
#include "examples/train_and_explain/stages.hpp"

namespace {

// Buffers of 1 MiB and more get their own mapping, so the stages' multi-MB temporaries go back to the system when
// freed (glibc's threshold otherwise rises with each freed buffer); the measurement: appendix A, "Memory".
void tune_allocator_for_explaining() { mallopt(M_MMAP_THRESHOLD, 1 << 20); }

}  // namespace

int main(int argc, char** argv) {
    tune_allocator_for_explaining();
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
