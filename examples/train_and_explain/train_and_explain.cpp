// examples/train_and_explain/train_and_explain.cpp — the program users meet: train the MLP (or load one), then explain it.
// Only the order of the stages and the exit codes; each stage lives in its own examples/ file.
#include <exception>
#include <filesystem>
#include <iostream>

#include <malloc.h>

#include "examples/train_and_explain/interrupt.hpp"
#include "examples/train_and_explain/options.hpp"
#include "examples/train_and_explain/stages.hpp"

int main(int argc, char** argv) {
    // Buffers of 1 MiB and more get their own mapping, and free() gives them back to the system at once. glibc's
    // default threshold starts at 128 KiB but rises to the size of each mapped buffer freed (up to 32 MiB), after
    // which the stages' multi-MB temporaries (chunks of test images, the probes' perturbed copies) come from the heap
    // and stay in the process. Measured with /usr/bin/time -v (docs/appendix-a-performance.md, "Memory"): this line
    // takes the default run's peak RSS from 104.2 to 96.5 MiB. Training allocates nothing per step, so its speed
    // is untouched; bench/ does not use this line.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
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
