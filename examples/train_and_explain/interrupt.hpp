// examples/train_and_explain/interrupt.hpp — Ctrl-C (SIGINT) and SIGTERM leave no temporary files behind in --out.
// Only the signal handler; the files themselves are written by nn/training/atomic_file.cpp and sensitivity/figures/figure.cpp.
#pragma once

#include <string>

namespace app {

// Installs a SIGINT/SIGTERM/SIGHUP handler that deletes this process's temporaries under `out_dir`
// ("<name>.tmp.<pid>" and "<name>.tmp-<pid>-<n>", at most 4 directories deep) and then dies of the signal
// as it would have without the handler. Completed files are never touched: every file is written under a
// temporary name and renamed, so after an interrupt each output file is either whole or absent.
void remove_temporaries_on_interrupt(const std::string& out_dir);

}  // namespace app
