// nn/optimizer.hpp — what every optimizer does: update the parameters on a tape from their gradients.
// Only the interface and the factory; the update rules are in nn/sgd.hpp and nn/adam.hpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nn/tape.hpp"

namespace nn {

// An optimizer owns its state (velocities, moments), one buffer per parameter, allocated on the
// first step and reused after that. step() reads grad(p) and changes value(p) in place.
template <class T>
class Optimizer {
public:
    virtual ~Optimizer() = default;
    virtual void step(Tape<T>& tape, const std::vector<Var>& params, double lr) = 0;
    virtual const char* name() const = 0;
};

// Everything make_optimizer needs; unused fields are ignored (momentum by Adam, betas by SGD).
struct OptimizerConfig {
    std::string kind = "sgd";      // "sgd" | "adam"
    double momentum = 0.9;         // SGD
    bool nesterov = true;          // SGD
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;   // Adam
    double weight_decay = 0;       // both: L2 term wd·w added to the gradient
};

// "sgd" -> SGD, "adam" -> Adam; anything else throws naming the accepted values.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& config);

}  // namespace nn
