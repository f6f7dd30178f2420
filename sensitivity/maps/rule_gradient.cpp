// sensitivity/maps/rule_gradient.cpp — the one loop behind LRP, DeepLIFT, guided backprop and deconvnet: record, then
// walk the tape backward under their rules. The rules themselves are nn/ops/*_rules.hpp.
#include "sensitivity/maps/rule_gradient.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "nn/chunks.hpp"
#include "sensitivity/maps/sample_gradients.hpp"

namespace sensitivity::maps {

template <class T>
void require_relu_stack(const ModelView<T>& model, const char* who) {
    if (model.layers.empty() || model.activation != nn::Activation::Relu)
        throw std::invalid_argument(std::string(who) + ": needs a stack of dense layers with relu between them (" +
                                    (model.layers.empty() ? "the model does not say it is one" : "its activation is not relu") +
                                    "): its rules replace relu's and the dense layer's backward");
}

template <class T>
nn::Tensor<T> rule_gradient(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                            const nn::RuleSet<T>& rules_in, const char* who, Output out, const nn::Tensor<T>* baseline,
                            std::size_t chunk) {
    check_targets(model, x, targets, who);
    if (out != Output::Logits)
        throw std::invalid_argument(std::string(who) + ": explains the logit only (the softmax has no backward rule)");
    const std::size_t N = x.shape(0), D = model.in, C = model.out;
    if (baseline && (baseline->shape(1) != D || (baseline->shape(0) != 1 && baseline->shape(0) != N)))
        throw std::invalid_argument(std::string(who) + ": the baseline must be [1, D] or [N, D]");
    for (int t : targets)
        if (t < 0 || static_cast<std::size_t>(t) >= C)
            throw std::invalid_argument(std::string(who) + ": class " + std::to_string(t) + " is outside 0.." +
                                        std::to_string(C - 1));
    nn::Tensor<T> maps({N, D});                                          // [N, D]
    nn::Tape<T>& tape = *model.tape;
    const nn::FrozenLeaves<T> frozen(tape, model.parameters);           // destroyed last: flags back after the rewind
    const nn::RewindOnExit<T> scope(tape);
    nn::RuleSet<T> rules = rules_in;
    nn::Tensor<T> seed;                                                  // [B, C]
    nn::for_each_chunk(N, chunk, who, [&](std::size_t row0, std::size_t B) {
        tape.rewind(scope.mark());
        int first_ref = -1;
        if (baseline) {                                                  // the reference pass, on the same tape
            nn::Var x0 = tape.leaf(B, D, false);                         // [B, D]
            for (std::size_t n = 0; n < B; ++n) {
                const std::size_t r = baseline->shape(0) == 1 ? 0 : row0 + n;
                std::copy(baseline->data() + r * D, baseline->data() + (r + 1) * D, tape.value(x0).data() + n * D);
            }
            model.logits(x0);
            first_ref = x0.id;
        }
        nn::Var xv = tape.leaf(B, D, true);                              // [B, D]
        std::copy(x.data() + row0 * D, x.data() + (row0 + B) * D, tape.value(xv).data());
        nn::Var logits = model.logits(xv);                               // [B, C]
        if (baseline) rules.with_reference(static_cast<std::size_t>(xv.id - first_ref));   // node i reads node i − shift
        nn::reshape_to(seed, B, C);
        seed.fill(T(0));
        for (std::size_t n = 0; n < B; ++n) seed(n, static_cast<std::size_t>(targets[row0 + n])) = T(1);
        tape.zero_grad(xv);
        tape.backward(logits, seed, rules);
        const nn::Tensor<T>& g = tape.grad(xv);                          // [B, D]
        std::copy(g.data(), g.data() + B * D, maps.data() + row0 * D);
    });
    return maps;
}

template void require_relu_stack(const ModelView<float>&, const char*);
template void require_relu_stack(const ModelView<double>&, const char*);
template nn::Tensor<float> rule_gradient(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                         const nn::RuleSet<float>&, const char*, Output, const nn::Tensor<float>*,
                                         std::size_t);
template nn::Tensor<double> rule_gradient(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                          const nn::RuleSet<double>&, const char*, Output, const nn::Tensor<double>*,
                                          std::size_t);

}  // namespace sensitivity::maps
