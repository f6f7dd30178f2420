// examples/train_and_explain/net.cpp — turning --model (a saved directory or an ONNX file) into the Net the stages
// explain, the input scaling of a network trained elsewhere, and model.onnx beside every saved model.
#include "examples/train_and_explain/net.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nn/onnx/from_mlp.hpp"
#include "nn/onnx/read.hpp"
#include "nn/onnx/write.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace fs = std::filesystem;

namespace app {

bool is_onnx_model(const std::string& path) {
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".onnx") == 0) return true;
    std::error_code ec;
    return fs::is_regular_file(path, ec);   // not a directory: let the ONNX reader say what it is
}

Net net_of(const nn::MLP<float>& model) { return Net(nn::onnx::from_mlp(model)); }

ForeignNet load_foreign_image_net(const Options& opt) {
    ForeignNet f;
    f.stack = nn::onnx::read_onnx(opt.model);
    for (const std::string& n : f.stack.notes) f.notes.push_back(n);
    // The pixels nnsense feeds are x in [0, 1]; the model wants z = (a·x − mean) / std.
    const double a = opt.input_scale == "0..255" ? 255.0 : 1.0;
    const double mean = opt.normalize.empty() ? 0.0 : opt.normalize[0];
    const double sd = opt.normalize.empty() ? 1.0 : opt.normalize[1];
    if (a != 1.0 || !opt.normalize.empty()) {
        std::ostringstream note;   // "inputs: the model takes (255·x − 33.3) / 78.6 of pixels x in [0, 1] (...)"
        const std::string ax = a != 1.0 ? "255·x" : "x";
        note << "inputs: the model takes ";
        if (opt.normalize.empty()) note << ax;
        else note << "(" << ax << " − " << mean << ") / " << sd;
        note << " of pixels x in [0, 1] (folded into layer 1: the maps explain the [0, 1] pixels)";
        f.stack = nn::onnx::fold_input_affine(std::move(f.stack), {a / sd}, {-mean / sd}, note.str());
        f.notes.push_back(note.str());
    } else {
        f.notes.push_back("inputs: pixels in [0, 1], as nnsense feeds them (--input-scale, --normalize to change)");
    }
    switch (f.stack.head) {
        case nn::onnx::Head::None:
            f.notes.push_back("the graph ends in logits: nnsense appends a softmax for the probabilities");
            break;
        case nn::onnx::Head::Softmax:
            f.notes.push_back("the graph ends in a softmax: nnsense explains it on the logits before it, then its own softmax");
            break;
        case nn::onnx::Head::LogSoftmax:
            f.notes.push_back("the graph ends in a log-softmax: nnsense takes the logits before it and its own softmax");
            break;
    }
    f.report = {{"source", opt.model},
                {"format", "onnx"},
                {"network", nn::onnx::describe(f.stack)},
                {"input_scale", opt.input_scale.empty() ? "0..1" : opt.input_scale},
                {"normalize", opt.normalize.empty() ? nlohmann::ordered_json(nullptr)
                                                    : nlohmann::ordered_json{{"mean", mean}, {"std", sd}}},
                {"softmax_appended", f.stack.head == nn::onnx::Head::None},
                {"notes", f.notes}};
    return f;
}

TableScaling read_table_scaling(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error(path + ": cannot open the --scaling file");
    const std::string layout = " (expected {\"features\": [names], \"mean\": [numbers], \"std\": [numbers > 0]})";
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": not valid JSON: " + e.what() + layout);
    }
    TableScaling s;
    try {
        if (!j.is_object() || !j.contains("features") || !j.contains("mean") || !j.contains("std"))
            throw std::runtime_error("needs the keys features, mean and std");
        s.features = j.at("features").get<std::vector<std::string>>();
        s.mean = j.at("mean").get<std::vector<double>>();
        s.sd = j.at("std").get<std::vector<double>>();
        if (j.contains("target_mean")) s.target_mean = j.at("target_mean").get<double>();
        if (j.contains("target_sd")) s.target_sd = j.at("target_sd").get<double>();
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": " + e.what() + layout);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": " + e.what() + layout);
    }
    if (s.features.empty() || s.mean.size() != s.features.size() || s.sd.size() != s.features.size())
        throw std::runtime_error(path + ": " + std::to_string(s.features.size()) + " features, " +
                                 std::to_string(s.mean.size()) + " means and " + std::to_string(s.sd.size()) +
                                 " stds; give one mean and one std per feature");
    for (std::size_t k = 0; k < s.features.size(); ++k)
        if (!std::isfinite(s.mean[k]) || !std::isfinite(s.sd[k]) || s.sd[k] <= 0)
            throw std::runtime_error(path + ": feature '" + s.features[k] + "': mean " + std::to_string(s.mean[k]) +
                                     ", std " + std::to_string(s.sd[k]) + "; a std must be a finite number > 0");
    if (!std::isfinite(s.target_mean) || !std::isfinite(s.target_sd) || s.target_sd <= 0)
        throw std::runtime_error(path + ": target_mean and target_sd must be finite, target_sd > 0");
    return s;
}

nn::training::Evaluation evaluate_net(const Net& net, const datasets::Dataset& data) {
    Net copy(net);
    const nn::training::LogitsFn logits = [&copy](const nn::Tensor<float>& x) {
        return sensitivity::maps::predict(sensitivity::maps::Model<float>(copy), x, sensitivity::maps::Output::Logits);
    };
    return nn::training::evaluate(logits, net.in(), net.out(), data);
}

void save_model_with_onnx(const nn::MLP<float>& model, const std::string& dir, const nn::training::ModelInfo& info) {
    nn::training::save_model(model, dir, info);
    nn::onnx::write_onnx(nn::onnx::from_mlp(model), (fs::path(dir) / "model.onnx").string());
}

}  // namespace app
