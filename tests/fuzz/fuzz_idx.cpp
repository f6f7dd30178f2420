// tests/fuzz/fuzz_idx.cpp — libFuzzer target: datasets::parse_idx on arbitrary bytes (raw IDX and gzip-compressed IDX).
// Only the in-memory parser; reading files and the MNIST loaders are covered by tests/test_datasets.cpp.
#include <cstddef>
#include <cstdint>

#include "datasets/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const datasets::IdxArray a = datasets::parse_idx(data, size, "fuzz.idx");
        // What parse_idx promises on success: one row per item of the first dimension.
        if (a.dims.empty() || a.items.shape(0) != a.dims[0]) __builtin_trap();
    } catch (const datasets::DataError&) {
        // the documented way to reject a malformed file
    }
    return 0;
}
