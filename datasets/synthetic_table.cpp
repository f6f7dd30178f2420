// datasets/synthetic_table.cpp — draws the ground-truth table of synthetic_table.hpp and writes it as CSV.
// The derivatives are written down by hand from the formula; nothing here is estimated.
#include "datasets/synthetic_table.hpp"

#include <cmath>
#include <cstdio>
#include <random>

namespace datasets {

SyntheticTable sin_table(std::size_t n, std::uint64_t seed, bool near_copy) {
    SyntheticTable t;
    t.features = {"x1", "x2", "x3_g", "noise"};
    if (near_copy) t.features.push_back("x1_copy");
    t.columns = t.features;
    t.columns.push_back("age");
    t.columns.push_back("y");
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> z(0.0, 1.0);
    t.rows.reserve(n);
    t.dy_dx.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double x1 = -3 + 6 * u(rng), x2 = -1.5 + 3 * u(rng), x3 = 1000 * u(rng), noise = z(rng);
        const double copy = x1 + 0.05 * z(rng);
        const double age = 10 * u(rng);
        const double y = std::sin(x1) + 0.5 * x2 * x2 + 0.005 * x3 + (0.05 + 0.02 * age) * z(rng);
        std::vector<double> row = {x1, x2, x3, noise};
        std::vector<double> d = {std::cos(x1), x2, 0.005, 0.0};
        if (near_copy) { row.push_back(copy); d.push_back(0.0); }
        row.push_back(age);
        row.push_back(y);
        t.rows.push_back(std::move(row));
        t.dy_dx.push_back(std::move(d));
    }
    return t;
}

std::string to_csv(const SyntheticTable& table) {
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c) out += (c ? "," : "") + table.columns[c];
    out += '\n';
    char buf[32];
    for (const auto& row : table.rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            std::snprintf(buf, sizeof buf, "%.9g", row[c]);
            if (c) out += ',';
            out += buf;
        }
        out += '\n';
    }
    return out;
}

}  // namespace datasets
