// examples/train_and_explain/serve_request.cpp — JSON pixels or a PNG/JPEG picture -> the 784 inputs and the options of one explanation.
// Validation only (shape, range, finiteness, types); the picture path is datasets/image_file.cpp, shared with --image.
#include "examples/train_and_explain/serve_request.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "datasets/image_file.hpp"

namespace app {

namespace {

[[noreturn]] void bad(const std::string& message) { throw RequestError(400, message); }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// "image/PNG; charset=x" -> "image/png"
std::string media_type(const std::string& content_type) {
    std::string t = lower(content_type.substr(0, content_type.find(';')));
    const auto first = t.find_first_not_of(" \t"), last = t.find_last_not_of(" \t");
    return first == std::string::npos ? "" : t.substr(first, last - first + 1);
}

// A class index from a JSON value or a query string, in [0, classes).
int class_index(const nlohmann::json& v, std::size_t classes, const std::string& what) {
    if (!v.is_number_integer()) bad(what + ": expected an integer class in 0.." + std::to_string(classes - 1));
    if (v.is_number_unsigned() && v.get<std::uint64_t>() >= classes)   // a huge value would wrap as int64
        bad(what + ": class " + std::to_string(v.get<std::uint64_t>()) + " is outside 0.." + std::to_string(classes - 1));
    const auto c = v.get<std::int64_t>();
    if (c < 0 || c >= static_cast<std::int64_t>(classes))
        bad(what + ": class " + std::to_string(c) + " is outside 0.." + std::to_string(classes - 1));
    return static_cast<int>(c);
}
int class_index(const std::string& s, std::size_t classes, const std::string& what) {
    if (s.empty() || s.size() > 3 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
        bad(what + ": expected an integer class in 0.." + std::to_string(classes - 1));
    return class_index(nlohmann::json(std::stoi(s)), classes, what);
}

void read_pair(const nlohmann::json& v, std::size_t classes, ExplainRequest& r) {
    if (!v.is_array() || v.size() != 2) bad("pair: expected two classes [a, b]");
    r.a = class_index(v[0], classes, "pair[0]");
    r.b = class_index(v[1], classes, "pair[1]");
}

void read_query(const std::vector<std::pair<std::string, std::string>>& query, std::size_t classes, ExplainRequest& r) {
    for (const auto& [key, value] : query) {
        if (key == "class") {
            r.target = class_index(value, classes, "query parameter class");
        } else if (key == "pair") {
            const auto comma = value.find(',');
            if (comma == std::string::npos) bad("query parameter pair: expected two classes a,b");
            r.a = class_index(value.substr(0, comma), classes, "query parameter pair");
            r.b = class_index(value.substr(comma + 1), classes, "query parameter pair");
        } else {
            bad("unknown query parameter '" + key.substr(0, 40) + "' (expected class, pair)");
        }
    }
}

void read_json(const std::string& body, std::size_t classes, ExplainRequest& r) {
    // The request is an object holding one flat array: anything nested deeper is refused while parsing, so a body
    // of a million '[' cannot build a deep tree.
    constexpr int kMaxDepth = 3;
    const nlohmann::json::parser_callback_t shallow = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > kMaxDepth) bad("request body: JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
        return true;
    };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(body, shallow);
    } catch (const nlohmann::json::exception& e) {
        bad(std::string("request body is not valid JSON: ") + e.what());
    }
    if (!j.is_object()) bad("request body: expected a JSON object {\"pixels\": [784 numbers]}");
    for (const auto& [key, value] : j.items()) {
        if (key == "class") {
            r.target = class_index(value, classes, "class");
        } else if (key == "pair") {
            read_pair(value, classes, r);
        } else if (key != "pixels") {
            bad("unknown field '" + key.substr(0, 40) + "' (expected pixels, class, pair)");
        }
    }
    const auto it = j.find("pixels");
    if (it == j.end()) bad("pixels: missing (784 numbers in 0..255, row-major, white ink on black)");
    if (!it->is_array()) bad("pixels: expected an array of 784 numbers");
    if (it->size() != 784) bad("pixels: " + std::to_string(it->size()) + " numbers, expected 784 (28x28, row-major)");
    r.x.resize(784);
    for (std::size_t i = 0; i < 784; ++i) {
        const nlohmann::json& v = (*it)[i];
        if (!v.is_number()) bad("pixels[" + std::to_string(i) + "]: not a number");
        const double d = v.get<double>();
        if (!std::isfinite(d)) bad("pixels[" + std::to_string(i) + "]: not a finite number");
        if (d < 0 || d > 255) bad("pixels[" + std::to_string(i) + "]: " + v.dump() + " is outside 0..255");
        r.x[i] = static_cast<float>(d) / 255.0f;  // as datasets::bytes_to_unit does for a byte
    }
}

void read_picture(const std::string& body, ExplainRequest& r) {
    try {
        const datasets::GrayImage img = datasets::decode_image(reinterpret_cast<const std::uint8_t*>(body.data()),
                                                               body.size(), "request body", kMaxPictureSide,
                                                               kMaxPicturePixels);
        const xt::xtensor<float, 2> digit = datasets::mnist_preprocess(img, "request body");  // [28, 28]
        r.x.assign(digit.begin(), digit.end());
    } catch (const datasets::DataError& e) {
        bad(e.what());
    }
    r.picture = true;
}

}  // namespace

ExplainRequest decode_explain_request(const std::string& content_type, const std::string& body,
                                      const std::vector<std::pair<std::string, std::string>>& query,
                                      std::size_t classes) {
    ExplainRequest r;
    const std::string type = media_type(content_type);
    read_query(query, classes, r);
    if (type == "application/json") {
        read_json(body, classes, r);
    } else if (type == "image/png" || type == "image/jpeg") {
        read_picture(body, r);
    } else {
        throw RequestError(415, "Content-Type '" + type.substr(0, 60) +
                                    "' is not accepted: send application/json, image/png or image/jpeg");
    }
    if ((r.a < 0) != (r.b < 0)) bad("pair: give both classes a and b");
    if (r.a >= 0 && r.a == r.b) bad("pair: a and b must be two different classes");
    return r;
}

std::string error_json(const std::string& message) {
    std::string line;
    for (char c : message.substr(0, 300)) line += std::isprint(static_cast<unsigned char>(c)) ? c : ' ';
    return nlohmann::json{{"error", line}}.dump() + "\n";
}

}  // namespace app
