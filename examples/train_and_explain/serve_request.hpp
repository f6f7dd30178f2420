// examples/train_and_explain/serve_request.hpp — the body of POST /api/v1/explain decoded into the network's 784 inputs and its options.
// Pure: bytes in, values or a RequestError out. No socket and no model: the server, tests/test_serve.cpp and the
// fuzz target tests/fuzz/fuzz_serve_request.cpp all call this one function.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace app {

// Limits of the explorer's API (docs/14-draw-a-digit.md). A larger body is answered 413 by the server before it is
// read into memory; a picture is refused before decoding when its header claims more than 2048x2048 pixels.
constexpr std::size_t kMaxRequestBytes = std::size_t(2) << 20;     // 2 MiB
constexpr std::size_t kMaxPictureSide = 2048;
constexpr std::size_t kMaxPicturePixels = std::size_t(4) << 20;    // 4 Mi pixels

// A request the server refuses: the HTTP status (400 bad body, 415 unknown Content-Type) and one line saying why.
struct RequestError : std::runtime_error {
    RequestError(int status, const std::string& message) : std::runtime_error(message), status(status) {}
    int status;
};

struct ExplainRequest {
    std::vector<float> x;          // [784]: the network's input, in [0, 1] (byte / 255, white ink on black)
    bool picture = false;          // true: decoded from a PNG/JPEG and preprocessed like --image
    int target = -1;               // "class": the class of the saliency and IG maps; -1 = the predicted class
    int a = -1, b = -1;            // "pair": the class difference ∂(p_a − p_b)/∂x; -1 = predicted / runner-up
};

// Decodes a body by its Content-Type (parameters such as "; charset=utf-8" are ignored, case does not matter):
//   application/json      {"pixels": [784 numbers in 0..255, row-major], "class": c, "pair": [a, b]} — the pixels are
//                         the 28x28 input as-is (like a row of the MNIST IDX file), class and pair optional;
//   image/png, image/jpeg a picture of any size up to the limits, preprocessed exactly as --image does
//                         (datasets::mnist_preprocess: crop to the ink, 20x20, centred by centre of mass).
// `query` holds the URL's parameters; "class" (an integer) and "pair" ("a,b") are read there too — the only way to
// pass them with a picture. A JSON field wins over the same query parameter. Classes must be in [0, classes).
// Throws RequestError(400) for anything malformed (one line naming the field), RequestError(415) for another type.
ExplainRequest decode_explain_request(const std::string& content_type, const std::string& body,
                                      const std::vector<std::pair<std::string, std::string>>& query,
                                      std::size_t classes = 10);

// {"error": "<message>"} as one line of JSON (the message made printable and cut to 300 characters).
std::string error_json(const std::string& message);

}  // namespace app
