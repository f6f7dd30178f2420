// bench/bench_main.hpp — the skeleton every bench program shares: parse its flags, run its measurement (a warm-up,
// then timed repeats), and turn an exception into a one-line error and exit code 2. A bench is its flags and its run.
#pragma once

#include <cstdio>
#include <exception>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/bench_util.hpp"

namespace bench {

// Parses argv into `app` (--help and a bad flag end here, as CLI11 prints them), then returns run()'s exit code;
// an exception from run() prints "<name>: <what>" on stderr and returns 2.
template <class Run>
int main_of(const char* name, CLI::App& app, int argc, char** argv, Run run) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        return run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 2;
    }
}

// The seconds of each of `repeats` timed calls of f(), after one untimed warm-up call; bench::median() of it is
// the figure a bench prints.
template <class F>
std::vector<double> timed_runs(int repeats, F f) {
    f();
    std::vector<double> seconds;
    for (int r = 0; r < repeats; ++r) {
        const double t0 = now_seconds();
        f();
        seconds.push_back(now_seconds() - t0);
    }
    return seconds;
}

}  // namespace bench
