// docs/solutions/probes_significant_but_negligible.cpp — chapter 13, exercise 2: an interval that excludes zero is not
// yet a slope that matters. The floor sorts three property probes into high, negligible and uncertain.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "sensitivity/probes/probe_stats.hpp"

namespace pr = sensitivity::probes;

// A property probe's table: p uniform in [0, 100] (think ink mass), score = 0.9 + slope·p + noise (sd 0.05).
struct Verdict {
    pr::SlopeEstimate fit;
    double floor;
    std::string label;
};
Verdict probe(std::size_t n, double slope, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> p(0, 100);
    std::normal_distribution<double> noise(0, 0.05);
    std::vector<double> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = p(rng);
        y[i] = 0.9 + slope * x[i] + noise(rng);
    }
    Verdict v;
    v.fit = pr::hc3_slope(x, y);
    v.floor = pr::slope_floor(x, 0.02);               // 0.02 of score across the 5–95% range of p: about 2.2e-4
    v.label = pr::significance(v.fit.ci95, v.floor);
    std::printf("n = %6zu, true slope %.0e: slope %.2e, 95%% [%.2e, %.2e], floor %.2e -> %s%s\n", n, slope,
                v.fit.slope, v.fit.ci95.lo, v.fit.ci95.hi, v.floor, v.label.c_str(),
                v.fit.ci95.excludes_zero() ? " (the interval excludes 0)" : "");
    return v;
}

int main() {
    const Verdict tiny_many = probe(200000, 2e-5, 1);  // a tiny slope, measured very precisely
    const Verdict tiny_few = probe(50, 2e-5, 2);       // the same slope from 50 examples
    const Verdict big = probe(200000, 2e-3, 3);        // a slope 10 times the floor
    // Across the whole range of p, 2e-5 moves the score by 0.002: real (the interval excludes 0) and negligible.
    const bool ok = tiny_many.fit.ci95.excludes_zero() && tiny_many.label == "negligible" &&
                    tiny_few.label == "uncertain" && big.label == "high";
    std::printf("%s\n", ok ? "as expected: 'excludes zero' and 'matters' are different questions" : "UNEXPECTED");
    return ok ? 0 : 1;
}
