// examples/train_and_explain/serve_explain.hpp — one explanation for the explorer's API: probabilities and three maps of one 28x28 input.
// Only the computation (sensitivity/ does the math); decoding a request is serve_request.hpp, HTTP is serve.hpp.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/train_and_explain/serve_request.hpp"
#include "examples/train_and_explain/net.hpp"
#include "nn/onnx/from_mlp.hpp"

namespace app {

struct Explanation {
    int prediction = 0;
    std::vector<float> probabilities;          // [C]: softmax, sums to 1
    std::vector<float> input;                  // [784]: what the network saw, in [0, 1]
    int target = 0;                            // the class of the saliency and IG maps
    std::vector<float> saliency;               // [784]: |∂p_target/∂x|
    int a = 0, b = 0;                          // the pair of the class difference
    std::vector<float> class_difference;       // [784]: ∂(p_a − p_b)/∂x, signed
    std::vector<float> integrated_gradients;   // [784]: IG of the logit l_target from the black image (exact for one relu hidden layer, 64 midpoint steps otherwise)
    double compute_ms = 0;                     // time spent here
};

// Owns a copy of the model, and with it a tape of its own: one Explainer serves one request at a time.
class Explainer {
public:
    explicit Explainer(const Net& model);
    explicit Explainer(const nn::MLP<float>& model) : Explainer(Net(nn::onnx::from_mlp(model))) {}
    // Defaults: target = the predicted class; pair = (predicted, runner-up). Throws RequestError(400) for a class
    // the model does not have.
    Explanation explain(const ExplainRequest& request);

private:
    Net model_;
};

// `workers` explainers for the server's worker threads; explain() borrows a free one (waits if all are busy), so no
// tape is ever shared between two requests.
class ExplainerPool {
public:
    ExplainerPool(const Net& model, std::size_t workers);
    Explanation explain(const ExplainRequest& request);
    std::size_t size() const { return explainers_.size(); }

private:
    std::vector<Explainer> explainers_;
    std::vector<std::size_t> free_;            // indices of explainers not in use
    std::mutex mutex_;
    std::condition_variable returned_;
};

// The API's 200 answer (docs/14-draw-a-digit.md): prediction, probabilities, input, the three maps and their classes.
nlohmann::ordered_json explanation_json(const Explanation& e, const std::vector<std::string>& class_names);

}  // namespace app
