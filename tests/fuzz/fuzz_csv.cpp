// tests/fuzz/fuzz_csv.cpp — libFuzzer target: datasets::parse_csv and the number conversion on arbitrary bytes.
// Only the in-memory reader; the CLI's use of it (column choice, training) is tests/test_bad_input.cpp.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "datasets/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const datasets::CsvTable t =
            datasets::parse_csv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv", 1 << 20);
        // What parse_csv promises on success: a non-empty header, and every row as wide as it, with its line.
        if (t.columns.empty() || t.rows.empty() || t.lines.size() != t.rows.size()) __builtin_trap();
        for (const auto& row : t.rows)
            if (row.size() != t.columns.size()) __builtin_trap();
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const bool numeric = t.is_numeric(c);
            try {
                (void)t.numbers(c);
                if (!numeric) __builtin_trap();              // numbers() and is_numeric() must agree
            } catch (const std::runtime_error&) {
                if (numeric) __builtin_trap();
            }
        }
    } catch (const std::runtime_error&) {
        // the documented way to reject a malformed table
    }
    return 0;
}
