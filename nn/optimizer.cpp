// nn/optimizer.cpp — the factory that turns an OptimizerKind (named "sgd", "adam") into an optimizer.
// The update rules themselves are in nn/sgd.hpp and nn/adam.hpp.
#include "nn/optimizer.hpp"

#include <stdexcept>
#include <string>

#include "nn/adam.hpp"
#include "nn/sgd.hpp"

namespace nn {

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& c) {
    switch (c.kind) {
        case OptimizerKind::Sgd: return std::make_unique<SGD<T>>(c.momentum, c.nesterov, c.weight_decay);
        case OptimizerKind::Adam: return std::make_unique<Adam<T>>(c.beta1, c.beta2, c.eps, c.weight_decay);
    }
    throw std::invalid_argument("make_optimizer: OptimizerKind " + std::to_string(static_cast<int>(c.kind)) +
                                " is not an optimizer");
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerConfig&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerConfig&);

}  // namespace nn
