// tests/fuzz/fuzz_serve_request.cpp — libFuzzer target: the explorer's request decoder (examples/train_and_explain/serve_request.cpp)
// on arbitrary bodies: JSON pixels, PNG and JPEG pictures (through --image's preprocessing), and other types.
// Byte 0 picks the Content-Type, byte 1 the query parameters; the rest is the body. No socket, no model.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/train_and_explain/serve_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    static const char* const types[] = {"application/json", "image/png", "image/jpeg", "Application/JSON; charset=utf-8",
                                        "text/plain", ""};
    using Query = std::vector<std::pair<std::string, std::string>>;
    static const Query queries[] = {{}, {{"class", "3"}}, {{"pair", "4,9"}}, {{"class", "12"}}, {{"pair", "4"}},
                                    {{"class", "-1"}, {"pair", "9,9"}}, {{"x", "1"}}};
    const std::string type = types[data[0] % (sizeof types / sizeof types[0])];
    const Query& query = queries[data[1] % (sizeof queries / sizeof queries[0])];
    const std::string body(reinterpret_cast<const char*>(data + 2), size - 2);
    try {
        const app::ExplainRequest r = app::decode_explain_request(type, body, query);
        // What the explainer is promised: 784 values in [0, 1], classes in range, a pair of two different classes.
        if (r.x.size() != 784) __builtin_trap();
        for (float v : r.x)
            if (!(v >= 0.0f && v <= 1.0f)) __builtin_trap();
        if (r.target < -1 || r.target > 9 || r.a < -1 || r.a > 9 || r.b < -1 || r.b > 9) __builtin_trap();
        if ((r.a < 0) != (r.b < 0) || (r.a >= 0 && r.a == r.b)) __builtin_trap();
    } catch (const app::RequestError& e) {
        // The documented refusal: 400 or 415, and an error body that is one line of valid JSON.
        if (e.status != 400 && e.status != 415) __builtin_trap();
        const std::string line = app::error_json(e.what());
        if (line.find('\n') != line.size() - 1) __builtin_trap();
        const nlohmann::json j = nlohmann::json::parse(line);
        if (!j.contains("error")) __builtin_trap();
    }
    return 0;
}
