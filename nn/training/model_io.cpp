// nn/training/model_io.cpp — writing and reading the model directory (.npy arrays through xtensor's npy support,
// model.json through nlohmann/json), with a one-line error for every way a file can be wrong.
#include "nn/training/model_io.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>
#include <xtensor/xnpy.hpp>

#include "nn/training/atomic_file.hpp"

namespace nn::training {

namespace fs = std::filesystem;

namespace {

const char* kLayout = "a model directory holds W1.npy, b1.npy, W2.npy, b2.npy and model.json";   // and W3.npy ... for a deeper net

[[noreturn]] void fail(const fs::path& file, const std::string& problem) {
    throw std::runtime_error(file.string() + ": " + problem);
}

std::string shape_str(const std::vector<std::size_t>& shape) {          // numpy style: (784, 256), (256,)
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

std::string read_bytes(const fs::path& file) {
    if (!fs::exists(file)) fail(file, std::string("missing (") + kLayout + ")");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(file, "cannot be opened for reading");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// One expected axis: its size and the model.json key the size comes from.
struct Axis {
    std::size_t size;
    std::string key;
};

// Reads a float32 .npy array and checks it against the expected axes. Returned as a matrix: a 1-D
// array [n] comes back as [1, n] (the tape's bias shape).
Tensor<float> read_array(const fs::path& file, const std::vector<Axis>& axes) {
    const std::string bytes = read_bytes(file);
    // The header length sits at bytes 8-9 (format 1.0) or 8-11 (2.0, 3.0), after "\x93NUMPY" and the version.
    const std::string magic = "\x93NUMPY";
    if (bytes.size() < 10) fail(file, "truncated: " + std::to_string(bytes.size()) + " bytes is too short for a .npy header");
    if (bytes.compare(0, magic.size(), magic) != 0) fail(file, "not a .npy file (it does not start with \\x93NUMPY)");
    const auto u8 = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(bytes[i])); };
    const bool v1 = u8(6) == 1;
    if (!v1 && bytes.size() < 12) fail(file, "truncated inside its .npy header");
    const std::size_t header_end = v1 ? 10 + (u8(8) | u8(9) << 8)
                                      : 12 + (u8(8) | u8(9) << 8 | u8(10) << 16 | u8(11) << 24);
    if (bytes.size() < header_end) fail(file, "truncated inside its .npy header");

    // xtensor's public load_npy reports neither the dtype it found nor a short payload; the
    // npy_file it builds on (xt::detail, xtensor 0.24) exposes both, so it is used directly.
    std::istringstream stream(bytes);
    xt::detail::npy_file npy = [&] {
        try {
            return xt::detail::load_npy_file(stream);
        } catch (const std::exception& e) {
            fail(file, std::string("not a valid .npy file (") + e.what() + ")");
        }
    }();
    const std::vector<std::size_t> shape = npy.m_shape;
    if (npy.m_typestring != "<f4")
        fail(file, "dtype is " + npy.m_typestring + ", expected float32 (<f4); save it with arr.astype(np.float32)");
    std::size_t count = 1;
    for (std::size_t n : shape) count *= n;
    const std::size_t payload = bytes.size() - header_end, expected = count * sizeof(float);
    if (payload < expected)
        fail(file, "truncated: shape " + shape_str(shape) + " needs " + std::to_string(expected) +
                       " data bytes, the file has " + std::to_string(payload));
    if (payload > expected)
        fail(file, std::to_string(payload - expected) + " unexpected bytes after the " + shape_str(shape) + " data");

    std::vector<std::size_t> want;
    for (const Axis& a : axes) want.push_back(a.size);
    if (shape.size() != axes.size())
        fail(file, "shape " + shape_str(shape) + " has " + std::to_string(shape.size()) + " dimensions, expected " +
                       shape_str(want));
    for (std::size_t d = 0; d < axes.size(); ++d)
        if (shape[d] != axes[d].size)
            fail(file, "shape " + shape_str(shape) + " does not match model.json " + axes[d].key + " = " +
                           std::to_string(axes[d].size));

    auto array = std::move(npy).cast<float>();                         // C or Fortran order, owned
    const std::size_t rows = shape.size() == 2 ? shape[0] : 1, cols = shape.back();
    Tensor<float> m({rows, cols});                                     // row-major copy
    if (shape.size() == 2) m = array;
    else std::copy(array.begin(), array.end(), m.begin());
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            if (!std::isfinite(m(r, c))) {
                const std::string where = shape.size() == 2 ? "(" + std::to_string(r) + ", " + std::to_string(c) + ")"
                                                            : "(" + std::to_string(c) + ",)";
                fail(file, "value at " + where + " is " + (std::isnan(m(r, c)) ? "nan" : "inf") +
                               "; the weights must be finite");
            }
    return m;
}

// A required positive integer of the manifest.
std::size_t positive(const nlohmann::json& j, const fs::path& file, const char* key) {
    if (!j.contains(key)) fail(file, std::string("key '") + key + "' is missing");
    const nlohmann::json& v = j[key];
    if (!v.is_number_unsigned() || v.get<std::size_t>() == 0)
        fail(file, std::string("'") + key + "' must be a positive integer, got " + v.dump());
    return v.get<std::size_t>();
}

// "hidden": a positive integer (one hidden layer) or a non-empty list of them.
std::vector<std::size_t> hidden_widths(const nlohmann::json& j, const fs::path& file) {
    if (!j.contains("hidden")) fail(file, "key 'hidden' is missing");
    const nlohmann::json& v = j["hidden"];
    if (!v.is_array()) return {positive(j, file, "hidden")};
    std::vector<std::size_t> h;
    for (const nlohmann::json& e : v) {
        if (!e.is_number_unsigned() || e.get<std::size_t>() == 0)
            fail(file, "'hidden' must be a positive integer or a list of them, got " + v.dump());
        h.push_back(e.get<std::size_t>());
    }
    if (h.empty()) fail(file, "'hidden' must not be an empty list");
    return h;
}

// "relu(x·W1 + b1)·W2 + b2", one act(…) per hidden layer: the logits as model.json states them.
std::string logits_formula(std::size_t layers, const std::string& act) {
    std::string s = "x";
    for (std::size_t k = 1; k <= layers; ++k) {
        s += "·W" + std::to_string(k) + " + b" + std::to_string(k);
        if (k < layers) s = act + "(" + s + ")";
    }
    return s;
}

}  // namespace

nlohmann::json hidden_json(const std::vector<std::size_t>& hidden) {
    return hidden.size() == 1 ? nlohmann::json(hidden[0]) : nlohmann::json(hidden);
}

void save_model(const MLP<float>& model, const std::string& dir, const ModelInfo& info) {
    if (info.rows * info.cols != model.in())
        throw std::invalid_argument("save_model: info rows × cols = " + std::to_string(info.rows) + " × " +
                                    std::to_string(info.cols) + " does not match the model's in = " +
                                    std::to_string(model.in()));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail(dir, "cannot create the model directory (" + ec.message() + ")");
    const Tape<float>& tape = model.tape();
    auto vector_of = [](const Tensor<float>& b) {                      // [1, n] -> 1-D [n]
        xt::xtensor<float, 1> v = xt::zeros<float>({b.size()});
        std::copy(b.begin(), b.end(), v.begin());
        return v;
    };
    nlohmann::json manifest = {
        {"format", "nnsense-mlp"},
        {"format_version", kModelFormatVersion},
        {"in", model.in()},
        {"hidden", hidden_json(model.hidden())},
        {"out", model.out()},
        {"activation", activation_name(model.activation)},
        {"rows", info.rows},
        {"cols", info.cols},
        {"input", "x = pixel byte / 255, row-major [batch, in]"},
        {"logits", logits_formula(model.layers().size(), activation_name(model.activation))},
        {"dataset", info.dataset},
        {"class_names", info.class_names},
        {"seed", info.seed},
        {"test_accuracy", info.test_accuracy},                         // NaN is written as null
    };
    if (!info.table.is_null()) {
        manifest["input"] = info.table.contains("plan")
            ? "x = (input - table.means) / table.sds, inputs in table.inputs order [batch, in], encoded from the "
              "table.features columns by table.plan (missing values filled, text one-hot)"
            : "x = (feature - table.means) / table.sds, columns in table.features order [batch, in]";
        manifest["table"] = info.table;
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (std::size_t k = 0; k < model.layers().size(); ++k) {
        const std::string n = std::to_string(k + 1);
        files.push_back({"W" + n + ".npy", xt::dump_npy(tape.value(model.layer(k).W))});               // [in_k, out_k]
        files.push_back({"b" + n + ".npy", xt::dump_npy(vector_of(tape.value(model.layer(k).b)))});    // [out_k]
    }
    files.push_back({"model.json", manifest.dump(2) + "\n"});                                        // last: readers look for it first
    std::vector<std::string> temporaries;
    try {
        for (const auto& [name, bytes] : files) temporaries.push_back(write_temporary((fs::path(dir) / name).string(), bytes));
        for (std::size_t i = 0; i < files.size(); ++i) {
            commit_file(temporaries[i], (fs::path(dir) / files[i].first).string());
            temporaries[i].clear();
        }
    } catch (...) {
        for (const std::string& t : temporaries)
            if (!t.empty()) std::remove(t.c_str());
        throw;
    }
}

MLP<float> load_model(const std::string& dir, ModelInfo* info_out) {
    if (!fs::is_directory(dir)) fail(dir, std::string("no such model directory (") + kLayout + ")");
    const fs::path manifest_path = fs::path(dir) / "model.json";
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_bytes(manifest_path));
    } catch (const nlohmann::json::exception& e) {  // syntax errors, and numbers too large for a double
        fail(manifest_path, std::string("not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object()) fail(manifest_path, "must hold a JSON object");
    if (!j.contains("format_version") || !j["format_version"].is_number_integer())
        fail(manifest_path, "key 'format_version' is missing or not an integer");
    if (j["format_version"].get<int>() != kModelFormatVersion)
        fail(manifest_path, "format_version " + j["format_version"].dump() + " is not supported (this program reads " +
                                std::to_string(kModelFormatVersion) + ")");
    ModelInfo info;
    info.in = positive(j, manifest_path, "in");
    info.hidden = hidden_widths(j, manifest_path);
    info.out = positive(j, manifest_path, "out");
    if (!j.contains("activation") || !j["activation"].is_string()) fail(manifest_path, "key 'activation' is missing");
    info.activation = j["activation"].get<std::string>();
    Activation act;
    try {
        act = parse_activation(info.activation);
    } catch (const std::invalid_argument&) {
        fail(manifest_path, "activation '" + info.activation + "' is not " + activation_names());
    }
    if (j.contains("rows") || j.contains("cols")) {
        info.rows = positive(j, manifest_path, "rows");
        info.cols = positive(j, manifest_path, "cols");
        if (info.rows * info.cols != info.in)
            fail(manifest_path, "rows × cols = " + std::to_string(info.rows) + " × " + std::to_string(info.cols) +
                                    " does not match in = " + std::to_string(info.in));
    }
    try {
        if (j.contains("dataset") && !j["dataset"].is_null()) info.dataset = j["dataset"].get<std::string>();
        if (j.contains("class_names") && !j["class_names"].is_null())
            info.class_names = j["class_names"].get<std::vector<std::string>>();
        if (j.contains("seed") && !j["seed"].is_null()) info.seed = j["seed"].get<std::uint64_t>();
        if (j.contains("test_accuracy") && !j["test_accuracy"].is_null())
            info.test_accuracy = j["test_accuracy"].get<double>();
        if (j.contains("table") && !j["table"].is_null()) {
            if (!j["table"].is_object()) fail(manifest_path, "key 'table' must hold a JSON object");
            info.table = j["table"];
        }
    } catch (const nlohmann::json::exception& e) {
        fail(manifest_path, std::string("a descriptive field has the wrong type (") + e.what() + ")");
    }
    if (!info.class_names.empty() && info.class_names.size() != info.out)
        fail(manifest_path, "class_names has " + std::to_string(info.class_names.size()) + " names but out = " +
                                std::to_string(info.out));

    // Every array is read and checked before the model is built, so that a manifest promising a huge network
    // fails on its first array instead of allocating that network.
    const fs::path d(dir);
    const std::size_t L = info.hidden.size() + 1;
    // The axes as model.json names them: in, hidden (hidden[0], hidden[1], ... for a deeper net), out.
    auto axis = [&](std::size_t edge) {
        if (edge == 0) return Axis{info.in, "in"};
        if (edge == L) return Axis{info.out, "out"};
        return Axis{info.hidden[edge - 1], L == 2 ? std::string("hidden") : "hidden[" + std::to_string(edge - 1) + "]"};
    };
    std::vector<Tensor<float>> W, b;
    for (std::size_t k = 0; k < L; ++k) {
        const std::string n = std::to_string(k + 1);
        W.push_back(read_array(d / ("W" + n + ".npy"), {axis(k), axis(k + 1)}));   // [in_k, out_k]
        b.push_back(read_array(d / ("b" + n + ".npy"), {axis(k + 1)}));            // [1, out_k]
    }
    MLP<float> model(info.in, info.hidden, info.out, act, 0);
    Tape<float>& tape = model.tape();
    for (std::size_t k = 0; k < L; ++k) {
        tape.value(model.layer(k).W) = std::move(W[k]);
        tape.value(model.layer(k).b) = std::move(b[k]);
    }
    if (info_out) *info_out = info;
    return model;
}

}  // namespace nn::training
