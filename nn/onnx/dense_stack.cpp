// nn/onnx/dense_stack.cpp — the description's one-line summary and the check that data fit the model's input.
// No ONNX here: a DenseStack is plain numbers.
#include "nn/onnx/dense_stack.hpp"

#include <cmath>
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

DenseStack fold_input_affine(DenseStack s, const std::vector<double>& scale, const std::vector<double>& shift,
                             const std::string& note) {
    if (s.layers.empty()) throw std::invalid_argument("fold_input_affine: the stack has no layer");
    const std::size_t D = s.input_width;
    const auto entry = [D](const std::vector<double>& v, const char* name, std::size_t j) {
        if (v.size() != 1 && v.size() != D)
            throw std::invalid_argument(std::string("fold_input_affine: ") + name + " has " + std::to_string(v.size()) +
                                        " entries, the model takes " + std::to_string(D) + " inputs");
        const double e = v.size() == 1 ? v[0] : v[j];
        if (!std::isfinite(e)) throw std::invalid_argument(std::string("fold_input_affine: ") + name + " is not finite");
        return e;
    };
    Dense& first = s.layers.front();
    for (std::size_t j = 0; j < D; ++j) {
        const double a = entry(scale, "scale", j), c = entry(shift, "shift", j);
        for (std::size_t u = 0; u < first.out(); ++u) {
            first.b[u] += c * first.W(j, u);                              // b + shift·W (with the unscaled W)
            first.W(j, u) *= a;                                           // diag(scale)·W
        }
    }
    s.notes.push_back(note);
    return s;
}

}  // namespace nn::onnx
