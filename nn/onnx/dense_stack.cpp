// nn/onnx/dense_stack.cpp — the description's one-line summary and the check that data fit the model's input.
// No ONNX here: a DenseStack is plain numbers.
#include "nn/onnx/dense_stack.hpp"

#include <stdexcept>

namespace nn::onnx {

std::string describe(const DenseStack& s) {
    std::string widths = std::to_string(s.input_width), acts;
    for (const Dense& l : s.layers) {
        widths += "-" + std::to_string(l.out());
        acts += std::string(acts.empty() ? "" : ", ") + activation_name(l.act);
    }
    return widths + " (" + acts + "; head " + head_name(s.head) + ")";
}

void check_input_width(const DenseStack& s, std::size_t width, const std::string& what) {
    if (width == s.input_width) return;
    const std::string source = s.source.empty() ? "the model" : s.source;
    throw std::runtime_error(source + ": the model takes " + std::to_string(s.input_width) + " inputs per row; " +
                             what + " has " + std::to_string(width));
}

}  // namespace nn::onnx
