// datasets/synthetic_table.hpp — a table made from a known function, so the network's sensitivities can be checked
// against the true derivatives: y = sin(x1) + 0.5·x2² + 0.005·x3_g + noise, with a pure-noise column and a meta column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace datasets {

// Columns, in order (every draw independent unless said otherwise):
//   x1       ~ U(-3, 3)          radians         ∂y/∂x1 = cos(x1)
//   x2       ~ U(-1.5, 1.5)                      ∂y/∂x2 = x2
//   x3_g     ~ U(0, 1000)        grams           ∂y/∂x3_g = 0.005 (tiny per gram, large per SD: the units caveat)
//   noise    ~ N(0, 1)           unused by y     ∂y/∂noise = 0
//   x1_copy  = x1 + N(0, 0.05²)  only with `near_copy`; unused by y (Pearson r with x1 ≈ 0.9996)
//   age      ~ U(0, 10)          meta: never a feature; y's noise sd is 0.05 + 0.02·age (a probe can find it)
//   y        = sin(x1) + 0.5·x2² + 0.005·x3_g + N(0, (0.05 + 0.02·age)²)
struct SyntheticTable {
    std::vector<std::string> columns;               // the names above, y last
    std::vector<std::vector<double>> rows;          // [N][columns]
    std::vector<std::string> features;              // the feature columns (x1, x2, x3_g, noise[, x1_copy])
    std::vector<std::vector<double>> dy_dx;         // [N][features]: the true ∂E[y]/∂feature of each row
};

// N rows from mt19937_64(seed); the same arguments always give the same table.
SyntheticTable sin_table(std::size_t n, std::uint64_t seed, bool near_copy);

// The table as CSV text: a header, then one line per row with 9 significant digits.
std::string to_csv(const SyntheticTable& table);

}  // namespace datasets
