// nn/adam.hpp — Adam (Kingma & Ba, 2015) with bias correction and L2 weight decay, as torch.optim.Adam.
// One update rule, written as whole-array xtensor expressions; choosing the learning rate is nn/schedule.hpp's job.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "nn/optimizer.hpp"

namespace nn {

// Per element, at step t = 1, 2, ...:
//   g = dw + wd·w;   m = β1·m + (1-β1)·g;   v = β2·v + (1-β2)·g²
//   w -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)
// m and v start at 0; the bias corrections undo that start for the first steps.
template <class T>
class Adam final : public Optimizer<T> {
public:
    explicit Adam(double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : beta1_(beta1), beta2_(beta2), eps_(static_cast<T>(eps)), wd_(static_cast<T>(weight_decay)) {}

    void step(Tape<T>& tape, const std::vector<Var>& params, double lr) override {
        if (m_.size() != params.size()) {                               // first step: m = v = 0
            m_.clear();
            v_.clear();
            for (Var p : params) {
                m_.push_back(xt::zeros<T>(tape.value(p).shape()));
                v_.push_back(xt::zeros<T>(tape.value(p).shape()));
            }
            t_ = 0;
        }
        ++t_;
        const double c1 = 1.0 - std::pow(beta1_, static_cast<double>(t_));   // bias corrections
        const double c2 = 1.0 - std::pow(beta2_, static_cast<double>(t_));
        const T b1 = static_cast<T>(beta1_), b2 = static_cast<T>(beta2_);
        const T step_size = static_cast<T>(lr / c1);                     // lr / (1-β1^t)
        const T inv_sqrt_c2 = static_cast<T>(1.0 / std::sqrt(c2));       // 1 / sqrt(1-β2^t)
        for (std::size_t i = 0; i < params.size(); ++i) {
            Tensor<T>& w = tape.value(params[i]);
            const Tensor<T>& dw = tape.grad(params[i]);
            Tensor<T>& m = m_[i];
            Tensor<T>& v = v_[i];
            // Whole-array expressions (SIMD through xsimd; a plain loop would not vectorise std::sqrt).
            xt::noalias(m) = b1 * m + (T(1) - b1) * (dw + wd_ * w);
            xt::noalias(v) = b2 * v + (T(1) - b2) * xt::square(dw + wd_ * w);
            xt::noalias(w) -= step_size * m / (xt::sqrt(v) * inv_sqrt_c2 + eps_);
        }
    }
    const char* name() const override { return "adam"; }
    std::size_t steps() const { return t_; }

private:
    double beta1_, beta2_;
    T eps_, wd_;
    std::size_t t_ = 0;
    std::vector<Tensor<T>> m_, v_;      // first and second moments, one per parameter
};

}  // namespace nn
