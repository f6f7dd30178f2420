// nn/optimizer.cpp — the factory that turns a name ("sgd", "adam") into an optimizer.
// The update rules themselves are in nn/sgd.hpp and nn/adam.hpp.
#include "nn/optimizer.hpp"

#include <stdexcept>

#include "nn/adam.hpp"
#include "nn/sgd.hpp"

namespace nn {

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& c) {
    if (c.kind == "sgd") return std::make_unique<SGD<T>>(c.momentum, c.nesterov, c.weight_decay);
    if (c.kind == "adam") return std::make_unique<Adam<T>>(c.beta1, c.beta2, c.eps, c.weight_decay);
    throw std::invalid_argument("unknown optimizer '" + c.kind + "' (expected sgd or adam)");
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerConfig&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerConfig&);

}  // namespace nn
