// bench/bench_util.hpp — what the bench programs share: a clock, medians, peak memory, the in-process gemm
// peak, temp dirs with .npy files, and running a Python peer. Not a benchmark itself; the library never uses it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xnpy.hpp>

#include "nn/training/atomic_file.hpp"

namespace bench {

double now_seconds();                               // a monotonic clock, in seconds
double median(std::vector<double> v);               // of a non-empty list

// Peak resident memory of this process so far: getrusage's ru_maxrss and /proc/self/status VmHWM, in MiB.
struct PeakMemory {
    double maxrss_mib = 0;
    double vmhwm_mib = 0;                           // 0 if /proc is not there
};
PeakMemory peak_memory();

// /proc/loadavg's three load averages ("2.10 1.05 0.40"), to show how busy the machine was; "?" without /proc.
std::string load_average();

// OpenBLAS as linked: its build config ("OpenBLAS 0.3.21 DYNAMIC_ARCH ... Cooperlake MAX_THREADS=64") and threads.
std::string openblas_config();
void set_blas_threads(int threads);
int blas_threads();

// One matrix product as the engine calls it: C[M, N] = op(A)·op(B), with op a transpose when ta/tb is set.
struct GemmShape {
    std::string name;                               // e.g. "X·W1"
    std::size_t M, N, K;
    bool ta = false, tb = false;
    double flops() const { return 2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K); }
};
// Median GFLOP/s of xt::blas::gemm on that shape (float, row-major), over `blocks` timed blocks of calls
// lasting about `block_seconds` each, after a warm-up.
double gemm_gflops(const GemmShape& s, int blocks = 15, double block_seconds = 0.02);

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when this goes out of scope.
class TempDir {
public:
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// Writes an expression as .npy through nn::training::write_file_atomic (temporary name, then rename), so a reader never
// sees half a file.
template <class E>
void save_npy(const std::string& path, const E& e) {
    nn::training::write_file_atomic(path, xt::dump_npy(e));
}

// The result of running a peer script: its last stdout line that parses as a JSON object, or why there is none.
struct PeerResult {
    std::optional<nlohmann::json> json;
    std::string error;                              // set when json is empty: one line saying what went wrong
};
// Runs `python script args...` through popen. A missing interpreter, a script that fails (its stderr passes
// through to ours) or output without a JSON line give an error instead of throwing.
PeerResult run_peer(const std::string& python, const std::string& script, const std::vector<std::string>& args);

// Where the source tree is (for bench/peers/ and data/mnist/), as meson knew it at configure time.
std::string source_root();

}  // namespace bench
