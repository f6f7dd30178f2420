// nn/activation.hpp — which nonlinearity follows a dense layer, its name in files and flags, and the one call that
// records it on a tape. The ops themselves are nn/ops/; the network that uses them is nn/mlp.hpp.
#pragma once

#include <string>

#include "names/names.hpp"
#include "nn/tape.hpp"

namespace nn {

enum class Activation { Relu, Sigmoid, Tanh, LeakyRelu, Gelu, Identity };
inline constexpr names::NameTable<Activation, 6> kActivationNames = {{{Activation::Relu, "relu"},
                                                                {Activation::Sigmoid, "sigmoid"},
                                                                {Activation::Tanh, "tanh"},
                                                                {Activation::LeakyRelu, "leaky_relu"},
                                                                {Activation::Gelu, "gelu"},
                                                                {Activation::Identity, "identity"}}};
// "relu", "leaky_relu", ...
inline const char* activation_name(Activation a) { return names::name_of(kActivationNames, a); }
// relu | sigmoid | tanh | leaky_relu | gelu | identity; anything else throws "unknown activation 'x' (expected ...)".
inline Activation parse_activation(const std::string& name) {
    return names::parse_name(kActivationNames, name, "activation");
}
// "relu, sigmoid, tanh, leaky_relu, gelu or identity"
inline std::string activation_names() { return names::name_list(kActivationNames); }

// The slope of leaky_relu for negative inputs: PyTorch's nn.LeakyReLU() default.
constexpr double kLeakyReluSlope = 0.01;

// Records the activation of z on the tape (Identity records nothing and returns z).
template <class T>
Var activate(Tape<T>& tape, Activation a, Var z) {
    switch (a) {
        case Activation::Relu: return tape.relu(z);
        case Activation::Sigmoid: return tape.sigmoid(z);
        case Activation::Tanh: return tape.tanh(z);
        case Activation::LeakyRelu: return tape.leaky_relu(z, T(kLeakyReluSlope));
        case Activation::Gelu: return tape.gelu(z);
        case Activation::Identity: break;
    }
    return z;
}

}  // namespace nn
