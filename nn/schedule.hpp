// nn/schedule.hpp — the learning rate as a function of the step: constant, cosine decay, or step decay.
// Pure functions of the step number; the optimizers (nn/sgd.hpp, nn/adam.hpp) just receive the rate.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "names/names.hpp"

namespace nn {

enum class ScheduleKind { Constant, Cosine, Step };

inline const names::NameTable<ScheduleKind, 3> kScheduleNames = {{{ScheduleKind::Constant, "constant"},
                                                           {ScheduleKind::Cosine, "cosine"},
                                                           {ScheduleKind::Step, "step"}}};
inline ScheduleKind parse_schedule(const std::string& name) {
    return names::parse_name(kScheduleNames, name, "schedule");
}

struct Schedule {
    ScheduleKind kind = ScheduleKind::Cosine;
    double lr = 0.05;               // the base (peak) learning rate
    std::size_t total_steps = 1;    // cosine: number of steps from lr down to final_lr
    double final_lr = 0;            // cosine: the rate reached at step total_steps
    std::size_t step_every = 1;     // step: the rate is multiplied by gamma every step_every steps
    double gamma = 0.1;             // step
};

// The learning rate for step t = 0, 1, 2, ...
//   constant: lr
//   cosine:   final + (lr - final) · (1 + cos(π · min(t, T) / T)) / 2      (T = total_steps)
//   step:     lr · gamma^floor(t / step_every)
inline double learning_rate(const Schedule& s, std::size_t t) {
    switch (s.kind) {
        case ScheduleKind::Constant: return s.lr;
        case ScheduleKind::Cosine: {
            const double T = static_cast<double>(s.total_steps > 0 ? s.total_steps : 1);
            const double progress = std::min(static_cast<double>(t), T) / T;   // 0 -> 1
            return s.final_lr + (s.lr - s.final_lr) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
        }
        case ScheduleKind::Step: {
            const std::size_t every = s.step_every > 0 ? s.step_every : 1;
            return s.lr * std::pow(s.gamma, static_cast<double>(t / every));
        }
    }
    return s.lr;
}

}  // namespace nn
