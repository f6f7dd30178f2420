// nn/chunks.hpp — the one loop over a batch in chunks of at most `chunk` rows (bounded memory for long inputs).
// Only the loop: what each chunk does is the caller's lambda.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace nn {

// Calls f(begin, count) for consecutive chunks [begin, begin + count) covering rows [0, n), count <= chunk.
// `who` names the caller in the error for chunk = 0.
template <class F>
void for_each_chunk(std::size_t n, std::size_t chunk, const char* who, F&& f) {
    if (chunk == 0) throw std::invalid_argument(std::string(who) + ": chunk must be at least 1 row");
    for (std::size_t begin = 0; begin < n; begin += chunk) f(begin, std::min(chunk, n - begin));
}

}  // namespace nn
