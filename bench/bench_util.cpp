// bench/bench_util.cpp — the shared plumbing of the bench programs: clock, memory, gemm peak, temp dirs, peers.
// No benchmark lives here; each program (bench_train.cpp, bench_jacobian.cpp) decides what to measure.
#include "bench/bench_util.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <xtensor-blas/xblas.hpp>
#include <xtensor/xtensor.hpp>

#include "nn/training/threads.hpp"

// OpenBLAS's build string. Not from <cblas.h>: it clashes with the CBLAS declarations xtensor-blas brings in.
// Its thread count and kernel name come from nn/training/threads.hpp.
extern "C" char* openblas_get_config(void);

#ifndef NNSENSE_SOURCE_ROOT
#define NNSENSE_SOURCE_ROOT "."
#endif

namespace bench {

double now_seconds() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    if (v.empty()) throw std::invalid_argument("median of an empty list");
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

PeakMemory peak_memory() {
    PeakMemory m;
    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) == 0) m.maxrss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;  // KiB on Linux
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0) m.vmhwm_mib = std::stod(line.substr(6)) / 1024.0;            // "VmHWM:  1234 kB"
    return m;
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string one, five, fifteen;
    if (!(f >> one >> five >> fifteen)) return "?";
    return one + " " + five + " " + fifteen;
}

std::string openblas_config() { return std::string(openblas_get_config()) + " (core " + nn::training::blas_kernel() + ")"; }
void set_blas_threads(int threads) { nn::training::set_threads(threads); }
int blas_threads() { return nn::training::threads(); }

double gemm_gflops(const GemmShape& s, int blocks, double block_seconds) {
    using M = xt::xtensor<float, 2>;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    auto random = [&](std::size_t r, std::size_t c) {
        M m({r, c});
        for (auto& v : m) v = u(rng);
        return m;
    };
    const M A = s.ta ? random(s.K, s.M) : random(s.M, s.K);    // op(A) is [M, K]
    const M B = s.tb ? random(s.N, s.K) : random(s.K, s.N);    // op(B) is [K, N]
    M C({s.M, s.N});                                            // [M, N]
    auto call = [&] { xt::blas::gemm(A, B, C, s.ta, s.tb); };

    // Warm-up, and how many calls fill one block.
    const double t0 = now_seconds();
    int calls = 0;
    while (now_seconds() - t0 < block_seconds) { call(); ++calls; }
    std::vector<double> gflops;
    for (int b = 0; b < blocks; ++b) {
        const double t = now_seconds();
        for (int i = 0; i < calls; ++i) call();
        gflops.push_back(s.flops() * calls / (now_seconds() - t) / 1e9);
    }
    return median(gflops);
}

TempDir::TempDir(const std::string& prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/" + prefix + "XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error(templ + ": cannot create a temporary directory");
    path_ = buf.data();
}
TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);                     // best effort: never throw from a destructor
}

namespace {
// A shell word: 'it''s' style single quotes, safe for any path.
std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}
}  // namespace

PeerResult run_peer(const std::string& python, const std::string& script, const std::vector<std::string>& args) {
    PeerResult r;
    if (access(python.c_str(), X_OK) != 0) {
        r.error = python + " is not an executable (Debian's python3 with python3-torch is needed for the peer)";
        return r;
    }
    if (!std::filesystem::exists(script)) {
        r.error = script + ": peer script not found (pass --peers DIR)";
        return r;
    }
    std::string cmd = quote(python) + " " + quote(script);
    for (const auto& a : args) cmd += " " + quote(a);
    std::fflush(stdout);
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) {
        r.error = "cannot start " + python;
        return r;
    }
    std::string out;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe)) out += buf.data();
    const int status = pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        r.error = script + " failed (exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                  "); its error output is above";
        return r;
    }
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] != '{') continue;
        try {
            r.json = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error&) {
        }
    }
    if (!r.json) r.error = script + " printed no JSON line";
    return r;
}

std::string source_root() { return NNSENSE_SOURCE_ROOT; }

}  // namespace bench
