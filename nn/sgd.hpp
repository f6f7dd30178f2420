// nn/sgd.hpp — stochastic gradient descent with momentum (optionally Nesterov) and L2 weight decay.
// One update rule, written as a plain loop; choosing the learning rate is nn/schedule.hpp's job.
#pragma once

#include <cstddef>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "nn/optimizer.hpp"

namespace nn {

// PyTorch's convention (torch.optim.SGD), per element, with μ = momentum and wd = weight decay:
//   g = dw + wd·w;   v = μ·v + g;   w -= lr·(nesterov ? g + μ·v : v)
// v starts at 0, so the first step is w -= lr·g without Nesterov and w -= lr·(1 + μ)·g with it; μ = 0 is plain SGD
// throughout.
template <class T>
class SGD final : public Optimizer<T> {
public:
    explicit SGD(double momentum = 0.9, bool nesterov = false, double weight_decay = 0)
        : mu_(static_cast<T>(momentum)), wd_(static_cast<T>(weight_decay)), nesterov_(nesterov) {}

    void step(Tape<T>& tape, const std::vector<Var>& params, double lr) override {
        if (velocity_.size() != params.size()) {                        // first step: v = 0
            velocity_.clear();
            for (Var p : params) velocity_.push_back(xt::zeros<T>(tape.value(p).shape()));
        }
        const T rate = static_cast<T>(lr);
        for (std::size_t i = 0; i < params.size(); ++i) {
            T* w = tape.value(params[i]).data();
            const T* dw = tape.grad(params[i]).data();
            T* v = velocity_[i].data();
            const std::size_t n = velocity_[i].size();
            for (std::size_t k = 0; k < n; ++k) {
                const T g = dw[k] + wd_ * w[k];
                v[k] = mu_ * v[k] + g;
                w[k] -= rate * (nesterov_ ? g + mu_ * v[k] : v[k]);
            }
        }
    }
    const char* name() const override { return nesterov_ ? "sgd-nesterov" : "sgd"; }

private:
    T mu_, wd_;
    bool nesterov_;
    std::vector<Tensor<T>> velocity_;   // one per parameter, same shape
};

}  // namespace nn
