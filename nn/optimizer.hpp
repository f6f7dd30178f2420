// nn/optimizer.hpp — what every optimizer does: update the parameters on a tape from their gradients.
// Only the interface and the factory; the update rules are in nn/sgd.hpp and nn/adam.hpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "names/names.hpp"
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

// Which update rule make_optimizer builds, and its name in flags and metrics.json.
enum class OptimizerKind { Sgd, Adam };
inline constexpr names::NameTable<OptimizerKind, 2> kOptimizerNames = {
    {{OptimizerKind::Sgd, "sgd"}, {OptimizerKind::Adam, "adam"}}};
inline const char* optimizer_name(OptimizerKind kind) { return names::name_of(kOptimizerNames, kind); }
// "sgd" | "adam"; anything else throws "unknown optimizer 'x' (expected sgd or adam)".
inline OptimizerKind parse_optimizer(const std::string& name) {
    return names::parse_name(kOptimizerNames, name, "optimizer");
}

// Everything make_optimizer needs; unused fields are ignored (momentum by Adam, betas by SGD).
struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::Sgd;
    double momentum = 0.9;         // SGD
    bool nesterov = true;          // SGD
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;   // Adam
    double weight_decay = 0;       // both: L2 term wd·w added to the gradient
};

// OptimizerKind::Sgd -> SGD, OptimizerKind::Adam -> Adam.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerConfig& config);

}  // namespace nn
