// datasets/idx.cpp — parsing IDX bytes, raw or gzip, with every check a hostile or damaged file calls for.
// No MNIST knowledge here: pairing images with labels, class names and data folders are in dataset.cpp.
#define ZLIB_CONST  // zlib's next_in becomes a pointer to const: we never write to the input
#include "datasets/idx.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <zlib.h>

#include "names/names.hpp"

namespace datasets {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
    throw DataError(name + ": " + problem);
}

std::string hex(unsigned v, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%0*x", digits, v);
    return buf;
}

std::uint32_t big_endian_u32(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

// The IDX type byte (the third byte of the magic) and what it means.
const names::NameTable<std::uint8_t, 6> kTypeNames = {{{0x08, "unsigned byte"},
                                                       {0x09, "signed byte"},
                                                       {0x0B, "int16"},
                                                       {0x0C, "int32"},
                                                       {0x0D, "float32"},
                                                       {0x0E, "float64"}}};
const char* type_name(std::uint8_t type) { return names::name_of(kTypeNames, type, "not an IDX type"); }

// What an IDX header says: magic (00 00 type ndim), big-endian uint32 dims, then the payload.
struct Header {
    std::uint32_t magic = 0;
    std::vector<std::size_t> dims;
    std::size_t header_bytes = 0;   // 4 + 4·ndim
    std::size_t payload_bytes = 0;  // product of dims
};

// Checks the header at the start of p[0..n). `source` is "file" or "decompressed data" in messages.
Header parse_header(const std::uint8_t* p, std::size_t n, const std::string& name, const std::string& source) {
    if (n == 0) fail(name, source + " is empty");
    if (n < 4)
        fail(name, "truncated header: " + source + " has " + std::to_string(n) +
                       " bytes, the IDX magic number needs 4");
    Header h;
    h.magic = big_endian_u32(p);
    if (p[0] != 0 || p[1] != 0)
        fail(name, "not an IDX file: magic number is " + hex(h.magic, 8) +
                       ", expected 0x00000803 (images) or 0x00000801 (labels)");
    if (p[2] != 0x08)
        fail(name, "IDX data type " + hex(p[2], 2) + " (" + type_name(p[2]) +
                       ") is not supported, only 0x08 (unsigned byte)");
    const std::size_t ndim = p[3];
    if (ndim < 1 || ndim > 3)
        fail(name, "IDX header has " + std::to_string(ndim) + " dimensions, expected 1 (labels) to 3 (images)");
    h.header_bytes = 4 + 4 * ndim;
    if (n < h.header_bytes)
        fail(name, "truncated header: " + source + " has " + std::to_string(n) + " bytes, a " +
                       std::to_string(ndim) + "-dimension IDX header needs " + std::to_string(h.header_bytes));
    for (std::size_t i = 0; i < ndim; ++i) h.dims.push_back(big_endian_u32(p + 4 + 4 * i));

    const std::string says = "header says " + dims_str(h.dims) + ": ";
    for (std::size_t i = 0; i < ndim; ++i)
        if (h.dims[i] == 0)
            fail(name, says + "dimension " + std::to_string(i + 1) + " is 0, every dimension must be > 0");
    if (h.dims[0] > max_idx_items)
        fail(name, says + std::to_string(h.dims[0]) + " items is more than the limit of " +
                       std::to_string(max_idx_items));
    for (std::size_t i = 1; i < ndim; ++i)
        if (h.dims[i] > max_idx_side)
            fail(name, says + "dimension " + std::to_string(i + 1) + " is " + std::to_string(h.dims[i]) +
                           ", more than the limit of " + std::to_string(max_idx_side));
    h.payload_bytes = 1;
    for (std::size_t d : h.dims)
        if (__builtin_mul_overflow(h.payload_bytes, d, &h.payload_bytes))
            fail(name, says + "the payload size overflows");
    if (h.payload_bytes > max_idx_payload)
        fail(name, says + "a payload of " + std::to_string(h.payload_bytes) +
                       " bytes is more than the limit of 4 GiB");
    return h;
}

// Room for the checked payload as one row per item, uninitialised: the caller writes exactly payload_bytes
// into items.data(). The payload goes straight into its final buffer, never through a second one.
IdxArray make_array(const Header& h) {
    IdxArray a;
    a.magic = h.magic;
    a.dims = h.dims;
    a.items.resize({h.dims[0], h.payload_bytes / h.dims[0]});  // [N, bytes per item]
    return a;
}

std::string payload_mismatch(std::size_t got, const Header& h, const std::string& what) {
    std::string s = what + " is " + std::to_string(got) + " bytes, header says " + dims_str(h.dims) + " = " +
                    std::to_string(h.payload_bytes);
    if (got < h.payload_bytes) return s + " (truncated file?)";
    return s + " (" + std::to_string(got - h.payload_bytes) + " bytes of trailing garbage)";
}

IdxArray parse_raw(const std::uint8_t* data, std::size_t size, const std::string& name) {
    const Header h = parse_header(data, size, name, "file");
    const std::size_t got = size - h.header_bytes;
    if (got != h.payload_bytes) fail(name, payload_mismatch(got, h, "payload"));
    IdxArray a = make_array(h);
    std::copy_n(data + h.header_bytes, h.payload_bytes, a.items.data());
    return a;
}

// A gzip stream over an in-memory buffer that hands out its decompressed bytes a few at a time,
// so the caller decides how much to inflate (and so how much to allocate) from what it has checked.
class Gunzip {
public:
    Gunzip(const std::uint8_t* data, std::size_t size, const std::string& name)
        : name_(name), next_(data), left_(size) {
        if (inflateInit2(&z_, 15 + 16) != Z_OK)  // 15: largest window; +16: expect a gzip header
            fail(name_, "zlib could not start decompressing (out of memory?)");
    }
    ~Gunzip() { inflateEnd(&z_); }
    Gunzip(const Gunzip&) = delete;
    Gunzip& operator=(const Gunzip&) = delete;

    // Inflates up to n bytes into out. Returns fewer only when the gzip stream has ended (checksum verified).
    std::size_t read(std::uint8_t* out, std::size_t n) {
        std::size_t got = 0;
        while (got < n && !ended_) {
            if (z_.avail_in == 0 && left_ > 0) {  // zlib counts in uInt: feed a large buffer in pieces
                z_.next_in = next_;
                z_.avail_in = static_cast<uInt>(std::min<std::size_t>(left_, UINT_MAX));
                next_ += z_.avail_in;
                left_ -= z_.avail_in;
            }
            const std::size_t want = std::min<std::size_t>(n - got, UINT_MAX);
            z_.next_out = out + got;
            z_.avail_out = static_cast<uInt>(want);
            const int rc = inflate(&z_, Z_NO_FLUSH);
            got += want - z_.avail_out;
            if (rc == Z_STREAM_END) ended_ = true;
            else if (rc == Z_BUF_ERROR && z_.avail_in == 0 && left_ == 0)
                fail(name_, "truncated gzip data: the compressed stream stops after " +
                                std::to_string(z_.total_out) + " decompressed bytes, before its end marker");
            else if (rc == Z_MEM_ERROR) fail(name_, "out of memory while decompressing gzip data");
            else if (rc != Z_OK) {
                const std::string why = z_.msg ? z_.msg : "error " + std::to_string(rc);
                fail(name_, "corrupt gzip data (zlib: " + why + ")");
            }
        }
        return got;
    }
    // Compressed bytes after the end of the gzip stream.
    std::size_t unread() const { return z_.avail_in + left_; }

private:
    std::string name_;
    z_stream z_{};
    const std::uint8_t* next_;
    std::size_t left_;
    bool ended_ = false;
};

// zlib's FAQ: the most deflate can compress is 1032:1 (a 258-byte match in one bit, roughly).
constexpr std::size_t kMaxDeflateRatio = 1032;

IdxArray parse_gzip(const std::uint8_t* data, std::size_t size, const std::string& name) {
    Gunzip gz(data, size, name);
    std::uint8_t head[16];  // magic + at most 3 dims
    std::size_t n = gz.read(head, 4);
    if (n == 4 && head[0] == 0 && head[1] == 0 && head[3] >= 1 && head[3] <= 3)
        n += gz.read(head + 4, 4 * std::size_t(head[3]));
    const Header h = parse_header(head, n, name, "decompressed data");

    // Deflate cannot expand data more than 1032:1, so a header announcing more than that of the compressed size is a
    // lie: count what the stream really holds in a small scratch buffer, for the message, and allocate nothing more.
    // Past that check the payload is inflated straight into its final buffer.
    if (h.payload_bytes / kMaxDeflateRatio > size) {
        std::vector<std::uint8_t> scratch(1 << 16);
        std::size_t got = 0, n_read = 0;
        do got += n_read = gz.read(scratch.data(), scratch.size());
        while (n_read == scratch.size());
        fail(name, payload_mismatch(got, h, "decompressed payload"));
    }
    IdxArray a = make_array(h);
    const std::size_t got = gz.read(a.items.data(), h.payload_bytes);
    if (got < h.payload_bytes) fail(name, payload_mismatch(got, h, "decompressed payload"));
    std::uint8_t extra;
    if (gz.read(&extra, 1) == 1)
        fail(name, "decompressed data goes on past the " + dims_str(h.dims) + " = " +
                       std::to_string(h.payload_bytes) + " byte payload (trailing garbage)");
    if (gz.unread() > 0)
        fail(name, std::to_string(gz.unread()) + " bytes of trailing garbage after the end of the gzip stream");
    return a;
}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::string dims_str(const std::vector<std::size_t>& dims) {
    std::string s;
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
    return s;
}

IdxArray parse_idx(const std::uint8_t* data, std::size_t size, const std::string& name) {
    if (data == nullptr && size != 0) fail(name, "no buffer to parse (null pointer)");
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) return parse_gzip(data, size, name);
    return parse_raw(data, size, name);
}

IdxArray read_idx(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) fail(path, "no such file");
    if (ec) fail(path, "cannot open for reading (" + ec.message() + ")");
    if (st.type() == fs::file_type::directory) fail(path, "is a directory, expected an IDX file");
    if (st.type() != fs::file_type::regular) fail(path, "is not a regular file, expected an IDX file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) fail(path, "cannot read its size (" + ec.message() + ")");
    if (size > 16 + max_idx_payload)
        fail(path, "file is " + std::to_string(size) + " bytes, more than an IDX file within the 4 GiB limit");

    errno = 0;
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) fail(path, std::string("cannot open for reading (") + std::strerror(errno) + ")");
    // Reads exactly n bytes at `at` into out, or says why not.
    const auto read_exactly = [&](std::uint8_t* out, std::size_t n, std::size_t at) {
        const std::size_t got = std::fread(out, 1, n, f.get());
        if (got == n) return;
        if (std::ferror(f.get()))
            fail(path, "read error after " + std::to_string(at + got) + " of " + std::to_string(size) + " bytes");
        fail(path, "file shrank from " + std::to_string(size) + " to " + std::to_string(at + got) +
                       " bytes while reading");
    };
    std::uint8_t head[16];  // magic + at most 3 dims, or the start of a gzip stream
    const std::size_t n_head = std::min<std::size_t>(sizeof head, static_cast<std::size_t>(size));
    read_exactly(head, n_head, 0);
    if (n_head >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        // gzip: the compressed bytes in memory (a fifth of the payload for MNIST), inflated into the final buffer.
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
        std::copy_n(head, n_head, bytes.data());
        read_exactly(bytes.data() + n_head, bytes.size() - n_head, n_head);
        return parse_gzip(bytes.data(), bytes.size(), path);
    }
    // Raw: the header checked against the file size, then the payload read straight into the array.
    const Header h = parse_header(head, n_head, path, "file");
    const std::size_t got = static_cast<std::size_t>(size) - h.header_bytes;
    if (got != h.payload_bytes) fail(path, payload_mismatch(got, h, "payload"));
    IdxArray a = make_array(h);
    std::copy_n(head + h.header_bytes, n_head - h.header_bytes, a.items.data());
    read_exactly(a.items.data() + (n_head - h.header_bytes), h.payload_bytes - (n_head - h.header_bytes), n_head);
    return a;
}

}  // namespace datasets
