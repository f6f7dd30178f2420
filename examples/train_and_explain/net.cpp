// examples/train_and_explain/net.cpp — turning --model (a saved directory or an ONNX file) into the Net the stages
// explain, the input scaling of a network trained elsewhere, and model.onnx beside every saved model.
#include "examples/train_and_explain/net.hpp"

#include <filesystem>
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
