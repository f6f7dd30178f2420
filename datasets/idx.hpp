// datasets/idx.hpp — the IDX file format of MNIST: check the header, gunzip if needed, return the bytes.
// Only the format (unsigned-byte arrays of 1 to 3 dimensions); what the bytes mean is datasets/dataset.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace datasets {

// Every problem with a data file or folder. The message is one line naming the file and what is wrong.
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Bounds a header must stay within, so a malicious header cannot make us allocate terabytes.
constexpr std::size_t max_idx_items = 100'000'000;           // the first dimension (images or labels)
constexpr std::size_t max_idx_side = 4096;                   // every other dimension (image rows, cols)
constexpr std::size_t max_idx_payload = std::size_t(1) << 32;  // 4 GiB of payload in all

// An IDX array of unsigned bytes: dims as in the header, the payload as one row per item.
struct IdxArray {
    std::uint32_t magic = 0;               // 0x00000801 labels, 0x00000803 images
    std::vector<std::size_t> dims;         // {N} for labels, {N, rows, cols} for images
    xt::xtensor<std::uint8_t, 2> items;    // [N, product of dims[1..]] ([N, 1] for labels), bytes as stored
};

// Parses a whole IDX file held in memory, raw or gzip-compressed (told apart by the gzip magic 1f 8b,
// so the ".gz" suffix is not needed). `name` only goes into error messages. A gzip header announcing more than
// 1032 times the compressed size (deflate's limit) is refused before anything is allocated. Throws DataError for any
// malformed input and never reads outside [data, data + size); this is the fuzzing entry point.
IdxArray parse_idx(const std::uint8_t* data, std::size_t size, const std::string& name);

// Reads the file at `path` (raw or .gz) with parse_idx's checks and messages, decoding the payload straight into
// IdxArray::items: a raw file is read into it, a gzip file is held compressed and inflated into it (no second copy).
IdxArray read_idx(const std::string& path);

// "60000x28x28": the dims as the error messages print them.
std::string dims_str(const std::vector<std::size_t>& dims);

}  // namespace datasets
