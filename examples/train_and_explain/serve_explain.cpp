// examples/train_and_explain/serve_explain.cpp — the explorer's explanation: one forward on the explainer's own tape, two backward walks
// (one-hot, then +1/−1), and Integrated Gradients; the pool that gives each request an explainer of its own.
#include "examples/train_and_explain/serve_explain.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "nn/argmax.hpp"
#include "sensitivity/maps/attribution.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace app {

Explainer::Explainer(const Net& model) : model_(model) {
    model_.reset();  // the copy keeps only the parameters' nodes of the original's tape
}

Explanation Explainer::explain(const ExplainRequest& request) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t D = model_.in(), C = model_.out();
    if (request.x.size() != D)
        throw RequestError(400, "input has " + std::to_string(request.x.size()) + " values, the model takes " +
                                    std::to_string(D));
    for (int c : {request.target, request.a, request.b})
        if (c >= static_cast<int>(C)) throw RequestError(400, "class " + std::to_string(c) + " is not a class of the model");
    nn::Tensor<float> x({1, D});  // [1, D]
    std::copy(request.x.begin(), request.x.end(), x.begin());

    Explanation e;
    e.input = request.x;
    {
        sensitivity::maps::InputGradient<float> grad(model_, sensitivity::maps::Output::Softmax);  // rewinds the tape when it goes
        const nn::Tensor<float>& p = grad.forward(x);                         // [1, C]
        e.probabilities.assign(p.begin(), p.end());
        e.prediction = nn::argmax_rows(p)[0];
        std::vector<int> order(C);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return p(0, i) > p(0, j); });

        e.target = request.target >= 0 ? request.target : e.prediction;
        const nn::Tensor<float>& dp = grad.backward_classes({e.target});  // [1, D]: ∂p_target/∂x
        e.saliency.resize(D);
        std::transform(dp.begin(), dp.end(), e.saliency.begin(), [](float v) { return std::abs(v); });

        e.a = request.a >= 0 ? request.a : order[0];
        e.b = request.b >= 0 ? request.b : order[1];
        const nn::Tensor<float>& ddiff = grad.backward_difference(e.a, e.b);  // [1, D]: ∂(p_a − p_b)/∂x
        e.class_difference.assign(ddiff.begin(), ddiff.end());
    }
    sensitivity::maps::IgOptions ig;  // exact for one relu hidden layer (nnsense's MLP), else the 64-step midpoint rule
    ig.rule = sensitivity::maps::has_exact_ig(sensitivity::maps::Model<float>(model_)) ? sensitivity::maps::IgRule::KinkAware : sensitivity::maps::IgRule::Midpoint;
    const nn::Tensor<float> a = sensitivity::maps::integrated_gradients(model_, x, {e.target}, ig, sensitivity::maps::Output::Logits);  // [1, D]
    e.integrated_gradients.assign(a.begin(), a.end());
    e.compute_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return e;
}

ExplainerPool::ExplainerPool(const Net& model, std::size_t workers) {
    explainers_.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) {
        explainers_.emplace_back(model);
        free_.push_back(i);
    }
}

Explanation ExplainerPool::explain(const ExplainRequest& request) {
    std::size_t i;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        returned_.wait(lock, [&] { return !free_.empty(); });
        i = free_.back();
        free_.pop_back();
    }
    struct GiveBack {  // also when explain() throws
        ExplainerPool& pool;
        std::size_t i;
        ~GiveBack() {
            {
                std::lock_guard<std::mutex> lock(pool.mutex_);
                pool.free_.push_back(i);
            }
            pool.returned_.notify_one();
        }
    } give_back{*this, i};
    return explainers_[i].explain(request);
}

nlohmann::ordered_json explanation_json(const Explanation& e, const std::vector<std::string>& class_names) {
    nlohmann::ordered_json j;  // keys in reading order
    j["api_version"] = 1;
    j["prediction"] = e.prediction;
    j["class_names"] = class_names;
    j["probabilities"] = e.probabilities;
    j["input"] = e.input;
    j["saliency_class"] = e.target;
    j["saliency"] = e.saliency;
    j["pair"] = {e.a, e.b};
    j["class_difference"] = e.class_difference;
    j["integrated_gradients_class"] = e.target;
    j["integrated_gradients"] = e.integrated_gradients;
    j["compute_ms"] = e.compute_ms;
    return j;
}

}  // namespace app
