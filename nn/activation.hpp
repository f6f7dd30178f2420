// nn/activation.hpp — which nonlinearity sits between two dense layers, and its name in files and flags.
// Only the choice and its name: the ops themselves are nn/ops.hpp, the network that uses them nn/mlp.hpp.
#pragma once

#include <string>

namespace nn {

enum class Activation { Relu, Sigmoid, Tanh };
const char* activation_name(Activation a);
Activation parse_activation(const std::string& name);  // "relu" | "sigmoid" | "tanh", else throws

}  // namespace nn
