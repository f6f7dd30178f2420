// tests/test_datasets.cpp — the IDX readers and Dataset on tiny files written here: every rejection, raw and .gz.
// No real data here (that is tests/test_datasets_real.cpp, suite slow).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <new>
#include <random>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "datasets/dataset.hpp"
#include "datasets/table_columns.hpp"

namespace fs = std::filesystem;
using datasets::DataError;
using datasets::Dataset;
using Bytes = std::vector<std::uint8_t>;

// ---- The largest single operator-new request since the last reset: proves a lying header allocates nothing big;
// and the sum of all requests: proves a file is decoded into its final buffer, not read into a second one first.
// noinline: once inlined into callers, g++ pairs malloc/free with the standard new/delete and warns.
static std::atomic<std::size_t> largest_new{0}, total_new{0};
__attribute__((noinline)) void* operator new(std::size_t n) {
    total_new += n;
    std::size_t seen = largest_new.load();
    while (n > seen && !largest_new.compare_exchange_weak(seen, n)) {}
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

// An IDX file built by hand: magic 00 00 type ndim, big-endian uint32 dims, then the payload.
Bytes idx(const std::vector<std::uint32_t>& dims, const Bytes& payload, std::uint8_t type = 0x08) {
    Bytes b{0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (std::uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(d >> shift));
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

// n bytes start, start+1, ... (wrapping at 256).
Bytes counting(std::size_t n, unsigned start = 0) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + i);
    return b;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "nnsense-datasets-XXXXXX").string();
        REQUIRE(mkdtemp(t.data()) != nullptr);
        path = t;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, const Bytes& b) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    REQUIRE(f.good());
}

void write_gz(const std::string& path, const Bytes& b) {
    gzFile f = gzopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    if (!b.empty()) REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
    REQUIRE(gzclose(f) == Z_OK);
}

Bytes read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The bytes of b gzipped by zlib's own gzip writer.
Bytes gzipped(const Bytes& b) {
    TempDir dir;
    write_gz(dir / "x.gz", b);
    return read_file(dir / "x.gz");
}

// The message of the DataError that f throws (a failed check if it throws none).
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    FAIL_CHECK("expected a DataError");
    return "";
}

// A message must be one line and contain every part (the file's name and the problem).
void check_says(const std::string& msg, std::initializer_list<std::string> parts) {
    CHECK_MESSAGE(msg.find('\n') == std::string::npos, "message has a newline: " << msg);
    for (const std::string& part : parts)
        CHECK_MESSAGE(msg.find(part) != std::string::npos, "message \"" << msg << "\" lacks \"" << part << "\"");
}

std::string read_error(const std::string& path) {
    return error_of([&] { datasets::read_idx(path); });
}

std::string parse_error(const Bytes& b, const std::string& name) {
    return error_of([&] { datasets::parse_idx(b.data(), b.size(), name); });
}

// A dataset of n examples of rows x cols where every byte of example i is 10·i, label i % classes.
Dataset tiny(std::size_t n, std::size_t rows, std::size_t cols, std::size_t classes = 10) {
    Dataset d;
    d.name = "tiny";
    for (std::size_t c = 0; c < classes; ++c) d.class_names.push_back("class " + std::to_string(c));
    d.rows = rows;
    d.cols = cols;
    d.images.resize({n, rows * cols});
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < rows * cols; ++j) d.images(i, j) = static_cast<std::uint8_t>(10 * i);
        d.labels.push_back(static_cast<std::uint8_t>(i % classes));
    }
    return d;
}

}  // namespace

// ------------------------------------------------------------------------------------------ reading

TEST_CASE("IDX image and label files read back exactly as written, raw or gzipped") {
    TempDir dir;
    const Bytes pixels = counting(2 * 3 * 4, 7), labels = {4, 0, 9, 9, 1};
    write_file(dir / "images", idx({2, 3, 4}, pixels));
    write_gz(dir / "images.gz", idx({2, 3, 4}, pixels));
    write_file(dir / "labels", idx({5}, labels));
    write_gz(dir / "labels.gz", idx({5}, labels));
    for (const char* name : {"images", "images.gz"}) {
        CAPTURE(name);
        const datasets::IdxArray a = datasets::read_idx(dir / name);
        CHECK(a.magic == 0x00000803u);
        CHECK(a.dims == std::vector<std::size_t>{2, 3, 4});
        CHECK(a.items.shape(0) == 2);
        CHECK(a.items.shape(1) == 12);
        CHECK(Bytes(a.items.begin(), a.items.end()) == pixels);
    }
    for (const char* name : {"labels", "labels.gz"}) {
        CAPTURE(name);
        const datasets::IdxArray a = datasets::read_idx(dir / name);
        CHECK(a.magic == 0x00000801u);
        CHECK(a.dims == std::vector<std::size_t>{5});
        CHECK(Bytes(a.items.begin(), a.items.end()) == labels);
    }
}

TEST_CASE("gzip is recognised by its magic bytes, not by the file name") {
    TempDir dir;
    const Bytes file = idx({3}, {1, 2, 3});
    write_gz(dir / "gzip-without-suffix", file);
    write_file(dir / "raw-with-suffix.gz", file);
    CHECK(datasets::read_idx(dir / "gzip-without-suffix").dims == std::vector<std::size_t>{3});
    CHECK(datasets::read_idx(dir / "raw-with-suffix.gz").dims == std::vector<std::size_t>{3});
}

TEST_CASE("parse_idx reads an in-memory buffer and names it in its errors") {
    const Bytes file = idx({2}, {5, 6});
    CHECK(datasets::parse_idx(file.data(), file.size(), "buf").dims == std::vector<std::size_t>{2});
    const Bytes gz = gzipped(file);
    CHECK(datasets::parse_idx(gz.data(), gz.size(), "buf").dims == std::vector<std::size_t>{2});
    check_says(error_of([] { datasets::parse_idx(nullptr, 0, "my-buffer"); }), {"my-buffer: ", "is empty"});
}

TEST_CASE("a missing file, a directory, an unopenable path and a non-regular file are each rejected by name") {
    TempDir dir;
    check_says(read_error(dir / "nope"), {dir / "nope: ", "no such file"});
    fs::create_directory(dir / "sub");
    check_says(read_error(dir / "sub"), {dir / "sub: ", "is a directory"});
    fs::create_symlink(dir / "loop-b", dir / "loop-a");  // a -> b -> a: open fails even for root
    fs::create_symlink(dir / "loop-a", dir / "loop-b");
    check_says(read_error(dir / "loop-a"), {dir / "loop-a: ", "cannot open for reading"});
    REQUIRE(mkfifo((dir / "fifo").c_str(), 0600) == 0);
    check_says(read_error(dir / "fifo"), {dir / "fifo: ", "is not a regular file"});
    if (geteuid() != 0) {  // root reads files whatever their mode
        write_file(dir / "locked", idx({1}, {0}));
        fs::permissions(dir / "locked", fs::perms::none);
        check_says(read_error(dir / "locked"), {dir / "locked: ", "cannot open for reading"});
    } else {
        MESSAGE("running as root, which reads mode-000 files: that case is skipped (the symlink loop above fails the same open)");
    }
}

TEST_CASE("every malformed header is rejected, raw and gzipped, with a message naming the file and the problem") {
    struct Case {
        const char* what;
        Bytes bytes;
        std::vector<std::string> says;  // "@" stands for "file" (raw) or "decompressed data" (gzip)
    };
    Bytes cut_3d = idx({2, 3, 4}, {});
    cut_3d.resize(12);
    const std::vector<Case> cases = {
        {"empty", {}, {"@ is empty"}},
        {"shorter than the magic", {0, 0, 8}, {"truncated header: @ has 3 bytes", "magic number needs 4"}},
        {"dims cut off", cut_3d, {"truncated header: @ has 12 bytes", "3-dimension IDX header needs 16"}},
        {"not IDX", {'P', 'K', 3, 4, 0, 0, 0, 0}, {"not an IDX file", "magic number is 0x504b0304"}},
        {"float32", idx({2}, Bytes(8), 0x0D), {"data type 0x0d (float32) is not supported", "only 0x08"}},
        {"0 dimensions", {0, 0, 8, 0}, {"0 dimensions", "expected 1 (labels) to 3 (images)"}},
        {"4 dimensions", idx({1, 1, 1, 1}, {1}), {"4 dimensions", "expected 1 (labels) to 3 (images)"}},
        {"a zero dimension", idx({2, 0, 4}, {}), {"header says 2x0x4", "dimension 2 is 0"}},
        {"too many items", idx({100000001}, {}), {"100000001 items", "limit of 100000000"}},
        {"too wide", idx({1, 28, 4097}, {}), {"header says 1x28x4097", "dimension 3 is 4097", "limit of 4096"}},
        {"over 4 GiB", idx({257, 4096, 4096}, {}), {"header says 257x4096x4096", "more than the limit of 4 GiB"}},
    };
    TempDir dir;
    for (bool gz : {false, true}) {
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            CAPTURE(gz);
            CAPTURE(c.what);
            const std::string path = dir / ("case" + std::to_string(i) + (gz ? ".gz" : ""));
            gz ? write_gz(path, c.bytes) : write_file(path, c.bytes);
            const std::string msg = read_error(path);
            check_says(msg, {path + ": "});
            for (std::string part : c.says) {
                if (const auto at = part.find('@'); at != std::string::npos)
                    part.replace(at, 1, gz ? "decompressed data" : "file");
                check_says(msg, {part});
            }
        }
    }
}

TEST_CASE("a raw payload shorter or longer than the header says is rejected with both sizes") {
    TempDir dir;
    write_file(dir / "short", idx({2, 3, 4}, counting(23)));
    check_says(read_error(dir / "short"),
               {dir / "short: ", "payload is 23 bytes, header says 2x3x4 = 24", "truncated"});
    write_file(dir / "long", idx({2, 3, 4}, counting(29)));
    check_says(read_error(dir / "long"),
               {dir / "long: ", "payload is 29 bytes, header says 2x3x4 = 24", "5 bytes of trailing garbage"});
}

TEST_CASE("the limits are exactly 10^8 items, 4096 per side and 4 GiB in all") {
    // At the limit the header is accepted, so the complaint is the missing payload, not the limit.
    check_says(parse_error(idx({100000000}, {}), "n"), {"payload is 0 bytes, header says 100000000 = 100000000"});
    check_says(parse_error(idx({1, 4096, 4096}, {}), "n"), {"payload is 0 bytes, header says 1x4096x4096"});
    check_says(parse_error(idx({256, 4096, 4096}, {}), "n"), {"header says 256x4096x4096 = 4294967296"});
    check_says(parse_error(idx({1, 4097, 1}, {}), "n"), {"dimension 2 is 4097, more than the limit of 4096"});
}

TEST_CASE("gzip: short or long payload, corrupt data, bad checksum, cut stream and bytes after it are each rejected") {
    TempDir dir;
    const Bytes good = gzipped(idx({2, 3, 4}, counting(24)));
    REQUIRE(good.size() > 20);
    REQUIRE(datasets::parse_idx(good.data(), good.size(), "good").dims.size() == 3);
    struct Case {
        const char* what;
        Bytes bytes;
        std::vector<std::string> says;
    };
    Bytes bad_crc = good, bad_block = good, after = good;
    bad_crc[good.size() - 6] ^= 0xff;  // the CRC-32 is bytes [-8, -4)
    bad_block[10] = 0xff;              // the first deflate block header: BTYPE 11 is reserved
    after.insert(after.end(), {1, 2, 3});
    const std::vector<Case> cases = {
        {"short payload", gzipped(idx({2, 3, 4}, counting(23))),
         {"decompressed payload is 23 bytes, header says 2x3x4 = 24", "truncated"}},
        {"long payload", gzipped(idx({2, 3, 4}, counting(30))),
         {"goes on past the 2x3x4 = 24 byte payload", "trailing garbage"}},
        {"bad checksum", bad_crc, {"corrupt gzip data", "incorrect data check"}},
        {"bad block", bad_block, {"corrupt gzip data", "invalid block type"}},
        {"cut in the middle", Bytes(good.begin(), good.begin() + 20), {"truncated gzip data"}},
        {"cut in the trailer", Bytes(good.begin(), good.end() - 3), {"truncated gzip data"}},
        {"bytes after the stream", after, {"3 bytes of trailing garbage after the end of the gzip stream"}},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        CAPTURE(cases[i].what);
        const std::string path = dir / ("case" + std::to_string(i) + ".gz");
        write_file(path, cases[i].bytes);
        const std::string msg = read_error(path);
        check_says(msg, {path + ": "});
        for (const std::string& part : cases[i].says) check_says(msg, {part});
    }
}

TEST_CASE("a header that claims 3.9 GB over a 100-byte payload is rejected without allocating it") {
    const Bytes raw = idx({5000000, 28, 28}, counting(100));  // under every limit, but a lie
    const Bytes gz = gzipped(raw);
    for (const Bytes* b : {&raw, &gz}) {
        largest_new = 0;
        check_says(parse_error(*b, "liar"), {"liar: ", "payload is 100 bytes, header says 5000000x28x28 = 3920000000"});
        CHECK(largest_new.load() < (std::size_t(4) << 20));
    }
}

TEST_CASE("read_idx decodes the payload straight into the array: no second copy of it is ever allocated") {
    TempDir dir;
    std::mt19937 rng(7);
    Bytes pixels(1000 * 28 * 28);  // random bytes: gzip cannot shrink them, the compressed file is as big as the payload
    for (auto& b : pixels) b = static_cast<std::uint8_t>(rng());
    const Bytes file = idx({1000, 28, 28}, pixels);
    write_file(dir / "raw", file);
    write_gz(dir / "raw.gz", file);
    const std::size_t P = pixels.size(), gz_size = fs::file_size(dir / "raw.gz");
    for (const char* name : {"raw", "raw.gz"}) {
        CAPTURE(name);
        const std::size_t held = std::string(name) == "raw" ? 0 : gz_size;  // a gzip file is held compressed
        total_new = 0;
        const datasets::IdxArray a = datasets::read_idx(dir / name);
        const std::size_t allocated = total_new.load();
        REQUIRE(a.items.size() == P);
        CHECK(std::equal(pixels.begin(), pixels.end(), a.items.data()));
        // The array itself comes from xsimd's aligned allocator, not operator new; what new served is the compressed
        // bytes of a gzip file and small change (names, zlib's window). A buffer of the file or the payload adds P.
        CHECK(allocated >= held);
        CHECK(allocated < held + P / 4);
    }
}

TEST_CASE("every truncation and random mutation of a valid file is parsed or rejected with DataError, nothing else") {
    const Bytes images = idx({2, 3, 4}, counting(24)), labels = idx({6}, {0, 1, 2, 3, 4, 5});
    std::mt19937 rng(2024);
    for (const Bytes& base : {images, labels, gzipped(images), gzipped(labels)}) {
        for (std::size_t n = 0; n < base.size(); ++n)  // a strict prefix is never a valid file
            CHECK_THROWS_AS(datasets::parse_idx(base.data(), n, "prefix"), DataError);
        std::size_t parsed = 0, rejected = 0;
        for (int trial = 0; trial < 3000; ++trial) {
            Bytes b = base;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
            try {
                const datasets::IdxArray a = datasets::parse_idx(b.data(), b.size(), "mutant");
                std::size_t product = 1;
                for (std::size_t d : a.dims) product *= d;
                CHECK(a.items.size() == product);
                ++parsed;
            } catch (const DataError&) {
                ++rejected;
            }
        }
        CHECK(rejected > 0);
        CHECK(parsed + rejected == 3000);
    }
}

// ------------------------------------------------------------------------------------------ Dataset

TEST_CASE("load_idx_pair wants an image file and a label file of equal count, labels below the class count") {
    TempDir dir;
    write_file(dir / "images", idx({3, 2, 2}, counting(12)));
    write_file(dir / "labels", idx({3}, {0, 2, 1}));
    const Dataset d = datasets::load_idx_pair(dir / "images", dir / "labels", "pair", {"a", "b", "c"});
    CHECK(d.name == "pair");
    CHECK(d.size() == 3);
    CHECK(d.rows == 2);
    CHECK(d.cols == 2);
    CHECK(d.pixels() == 4);
    CHECK(d.labels == Bytes{0, 2, 1});
    CHECK(Bytes(d.images.begin(), d.images.end()) == counting(12));
    CHECK(d.class_names == std::vector<std::string>{"a", "b", "c"});

    check_says(error_of([&] { datasets::load_idx_pair(dir / "labels", dir / "labels", "x", {"a", "b", "c"}); }),
               {dir / "labels: ", "expected an image file (magic 0x00000803"});
    check_says(error_of([&] { datasets::load_idx_pair(dir / "images", dir / "images", "x", {"a", "b", "c"}); }),
               {dir / "images: ", "expected a label file (magic 0x00000801"});
    write_file(dir / "labels4", idx({4}, {0, 0, 0, 0}));
    check_says(error_of([&] { datasets::load_idx_pair(dir / "images", dir / "labels4", "x", {"a", "b", "c"}); }),
               {dir / "images has 3 images but ", dir / "labels4 has 4 labels"});
    write_file(dir / "labels-big", idx({3}, {0, 2, 3}));
    check_says(error_of([&] { datasets::load_idx_pair(dir / "images", dir / "labels-big", "x", {"a", "b", "c"}); }),
               {dir / "labels-big: ", "label 3 at index 2 is >= 3 classes"});
    CHECK_THROWS_AS(datasets::load_idx_pair(dir / "images", dir / "labels", "x", {}), std::invalid_argument);
}

TEST_CASE_TEMPLATE("batch and to_float give byte/255: 0 -> 0 and 255 -> 1 exactly, everything in [0, 1]", T, float,
                   double) {
    Dataset d;
    d.rows = 1;
    d.cols = 4;
    d.images = xt::xtensor<std::uint8_t, 2>{{0, 51, 102, 255}, {255, 0, 1, 254}};
    d.labels = {1, 0};
    xt::xtensor<T, 2> x;
    const std::size_t first = 0;
    d.batch(&first, 1, x);
    REQUIRE(x.shape(0) == 1);
    REQUIRE(x.shape(1) == 4);
    CHECK(x(0, 0) == T(0));
    CHECK(x(0, 1) == doctest::Approx(0.2));
    CHECK(x(0, 2) == doctest::Approx(0.4));
    CHECK(x(0, 3) == T(1));
    const xt::xtensor<T, 2> y = d.to_float<T>(0, 2);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 4; ++j) {
            CHECK(y(i, j) >= T(0));
            CHECK(y(i, j) <= T(1));
            CHECK(y(i, j) == doctest::Approx(d.images(i, j) / 255.0).epsilon(1e-6));
        }
    CHECK(y(1, 0) == T(1));
    CHECK(y(1, 1) == T(0));
}

TEST_CASE("batch gathers the listed examples in order, keeps a buffer of the right shape, and rejects bad indices") {
    const Dataset d = tiny(4, 2, 3);
    xt::xtensor<float, 2> x;
    const std::size_t idx[] = {2, 0, 2};
    d.batch(idx, 3, x);
    REQUIRE(x.shape(0) == 3);
    REQUIRE(x.shape(1) == 6);
    for (std::size_t j = 0; j < 6; ++j) {
        CHECK(x(0, j) == doctest::Approx(20 / 255.0));
        CHECK(x(1, j) == 0.f);
        CHECK(x(2, j) == doctest::Approx(20 / 255.0));
    }
    const float* buffer = x.data();
    const std::size_t other[] = {3, 1, 1};
    d.batch(other, 3, x);
    CHECK(x.data() == buffer);
    CHECK(x(0, 0) == doctest::Approx(30 / 255.0));
    CHECK(x(2, 5) == doctest::Approx(10 / 255.0));
    d.batch(other, 2, x);
    CHECK(x.shape(0) == 2);

    std::vector<int> labels{99};
    const std::size_t lidx[] = {3, 0, 1};
    d.batch_labels(lidx, 3, labels);
    CHECK(labels == std::vector<int>{3, 0, 1});

    const std::size_t bad[] = {1, 4};
    CHECK_THROWS_AS(d.batch(bad, 2, x), std::out_of_range);
    CHECK_THROWS_AS(d.batch_labels(bad, 2, labels), std::out_of_range);
}

TEST_CASE("to_float of a range equals batch of the same indices; ranges past the end throw") {
    const Dataset d = tiny(5, 2, 2);
    const xt::xtensor<double, 2> r = d.to_float<double>(1, 3);
    xt::xtensor<double, 2> b;
    const std::size_t idx[] = {1, 2, 3};
    d.batch(idx, 3, b);
    CHECK(r == b);
    CHECK(d.to_float<float>(5, 0).shape(0) == 0);
    CHECK_THROWS_AS(d.to_float<float>(4, 2), std::out_of_range);
    CHECK_THROWS_AS(d.to_float<float>(6, 0), std::out_of_range);
    CHECK_THROWS_AS(d.to_float<float>(1, std::size_t(-1)), std::out_of_range);
}

TEST_CASE("slice copies examples [begin, begin+count) with their labels and outlives its source") {
    Dataset s;
    {
        const Dataset d = tiny(5, 2, 2, 3);
        s = d.slice(1, 3);
        CHECK_THROWS_AS(d.slice(3, 3), std::out_of_range);
    }
    CHECK(s.name == "tiny[1:4]");
    CHECK(s.size() == 3);
    CHECK(s.rows == 2);
    CHECK(s.cols == 2);
    CHECK(s.class_names.size() == 3);
    CHECK(s.labels == Bytes{1, 2, 0});
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 4; ++j) CHECK(s.images(i, j) == 10 * (i + 1));
}

// ------------------------------------------------------------------------------------------ folders

TEST_CASE("load_mnist finds raw or .gz files and says how to fetch a missing one") {
    TempDir dir;
    write_file(dir / "train-images-idx3-ubyte", idx({3, 2, 2}, counting(12)));
    write_gz(dir / "train-labels-idx1-ubyte.gz", idx({3}, {7, 8, 9}));
    write_gz(dir / "t10k-images-idx3-ubyte.gz", idx({2, 2, 2}, counting(8, 100)));
    write_file(dir / "t10k-labels-idx1-ubyte", idx({2}, {1, 0}));
    const datasets::Split s = datasets::load_mnist(dir.path.string());
    CHECK(s.train.name == "mnist-train");
    CHECK(s.test.name == "mnist-test");
    CHECK(s.train.size() == 3);
    CHECK(s.test.size() == 2);
    CHECK(s.train.labels == Bytes{7, 8, 9});
    CHECK(s.test.images(1, 3) == 107);
    CHECK(s.train.class_names == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});

    const datasets::Split f = datasets::load_fashion_mnist(dir.path.string());
    CHECK(f.train.name == "fashion-mnist-train");
    REQUIRE(f.train.class_names.size() == 10);
    CHECK(f.train.class_names.front() == "T-shirt/top");
    CHECK(f.train.class_names.back() == "Ankle boot");

    write_file(dir / "t10k-images-idx3-ubyte.gz", idx({2, 3, 3}, counting(18)));
    check_says(error_of([&] { datasets::load_mnist(dir.path.string()); }),
               {dir.path.string() + ": train images are 2x2 but test images are 3x3"});

    fs::remove(dir / "t10k-labels-idx1-ubyte");
    check_says(error_of([&] { datasets::load_mnist(dir.path.string()); }),
               {dir.path.string() + ": missing t10k-labels-idx1-ubyte (run ./setup to fetch MNIST)"});
    check_says(error_of([&] { datasets::load_fashion_mnist(dir.path.string()); }),
               {"missing t10k-labels-idx1-ubyte", "dataset-fashion-mnist"});
    check_says(error_of([&] { datasets::load_mnist(dir / "no-such-dir"); }),
               {dir / "no-such-dir: no such directory (run ./setup to fetch MNIST)"});
    check_says(error_of([&] { datasets::load_mnist(dir / "train-images-idx3-ubyte"); }),
               {dir / "train-images-idx3-ubyte: is not a directory"});
}

TEST_CASE("load_mnist reads only the halves asked for: a test-only load needs no training files") {
    const datasets::Parts test_only{false, true}, train_only{true, false};
    TempDir dir;
    write_file(dir / "t10k-images-idx3-ubyte", idx({2, 2, 2}, counting(8, 100)));
    write_file(dir / "t10k-labels-idx1-ubyte", idx({2}, {1, 0}));
    check_says(error_of([&] { datasets::load_mnist(dir.path.string()); }), {"missing train-images-idx3-ubyte"});
    const datasets::Split s = datasets::load_mnist(dir.path.string(), test_only);
    CHECK(s.train.size() == 0);
    CHECK(s.train.labels.empty());
    CHECK(s.train.name == "mnist-train");
    CHECK(s.train.class_names.size() == 10);
    CHECK(s.test.size() == 2);
    CHECK(s.test.images(1, 3) == 107);
    check_says(error_of([&] { datasets::load_mnist(dir.path.string(), train_only); }),
               {"missing train-images-idx3-ubyte"});

    write_file(dir / "train-images-idx3-ubyte", idx({3, 3, 3}, counting(27)));  // 3x3: the check of equal sides
    write_file(dir / "train-labels-idx1-ubyte", idx({3}, {7, 8, 9}));          // needs both halves
    const datasets::Split t = datasets::load_mnist(dir.path.string(), train_only);
    CHECK(t.train.size() == 3);
    CHECK(t.test.size() == 0);
    CHECK(t.test.name == "mnist-test");
    fs::remove(dir / "t10k-labels-idx1-ubyte");
    CHECK(datasets::load_mnist(dir.path.string(), train_only).train.size() == 3);
}

TEST_CASE("kind_name gives every column kind the name the plan files and the program print") {
    using K = datasets::ColumnKind;
    CHECK(std::string(datasets::kind_name(K::Numeric)) == "numeric");
    CHECK(std::string(datasets::kind_name(K::Date)) == "date");
    CHECK(std::string(datasets::kind_name(K::Categorical)) == "categorical");
    CHECK(std::string(datasets::kind_name(K::ManyLevels)) == "text (many levels)");
    CHECK(std::string(datasets::kind_name(K::Identifier)) == "identifier");
    CHECK(std::string(datasets::kind_name(K::AllMissing)) == "all missing");
    CHECK(std::string(datasets::kind_name(K::Mixed)) == "mixed");
    CHECK(std::string(datasets::kind_name(static_cast<K>(99))) == "?");
}
