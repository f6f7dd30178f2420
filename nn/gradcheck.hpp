// nn/gradcheck.hpp — proving a tape gradient right: central finite differences, one element at a time.
// Checks the gradients of a function you record; it does not train or fix anything. Chapter 7 reads it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "nn/tape.hpp"

namespace nn {

// Records a function on a fresh tape from its leaves (one per input, in order) and returns its output.
template <class T>
using Recorder = std::function<Var(Tape<T>& tape, const std::vector<Var>& leaves)>;

// How far the tape's gradient (a, "analytic") is from the finite-difference one (n, "numeric").
struct GradCheckResult {
    double max_abs_error = 0;                    // max |a - n|; infinite where a or n is NaN or infinite
    double max_rel_error = 0;                    // max |a - n| / max(|a|, |n|, tiny); infinite likewise
    std::size_t worst_row = 0, worst_col = 0;    // the element with the largest relative error
    double worst_analytic = 0, worst_numeric = 0;
    bool ok(double tolerance) const { return max_rel_error <= tolerance; }
};

inline std::ostream& operator<<(std::ostream& os, const GradCheckResult& r) {
    const auto flags = os.flags();
    const auto precision = os.precision();
    os.setf(std::ios::scientific, std::ios::floatfield);
    os.precision(1);
    os << "max abs " << r.max_abs_error << ", max rel " << r.max_rel_error << " at (" << r.worst_row << ", "
       << r.worst_col << "): ";
    os.precision(6);
    os << "tape " << r.worst_analytic << " vs numeric " << r.worst_numeric;
    os.flags(flags);
    os.precision(precision);
    return os;
}

// s = Σ seed ⊙ f(inputs): the one number whose gradient backward(output, seed) computes.
template <class T>
double seeded_output(const Recorder<T>& f, Tape<T>& tape, const std::vector<Tensor<T>>& inputs,
                     const Tensor<T>& seed) {
    tape.clear();                                                  // reuses the buffers of the last call
    std::vector<Var> leaves;
    for (const Tensor<T>& x : inputs) leaves.push_back(tape.leaf(x, true));
    const Tensor<T>& y = tape.value(f(tape, leaves));
    if (y.shape() != seed.shape())
        throw std::invalid_argument("gradcheck: seed is [" + std::to_string(seed.shape(0)) + ", " +
                                    std::to_string(seed.shape(1)) + "] but the output is [" +
                                    std::to_string(y.shape(0)) + ", " + std::to_string(y.shape(1)) + "]");
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += double(seed.data()[i]) * double(y.data()[i]);
    return s;
}

// The tape's answer: record f once, backward(output, seed), read the gradient of leaf `wrt`.
template <class T>
Tensor<T> tape_gradient(const Recorder<T>& f, const std::vector<Tensor<T>>& inputs, std::size_t wrt,
                        const Tensor<T>& seed) {
    if (wrt >= inputs.size())
        throw std::invalid_argument("gradcheck: wrt = " + std::to_string(wrt) + " but there are only " +
                                    std::to_string(inputs.size()) + " inputs");
    Tape<T> tape;
    std::vector<Var> leaves;
    for (const Tensor<T>& x : inputs) leaves.push_back(tape.leaf(x, true));
    tape.backward(f(tape, leaves), seed);
    return tape.grad(leaves[wrt]);
}

// The finite-difference answer, element by element: ds/dx ≈ (s(x + h) - s(x - h)) / 2h.
// The error of this formula shrinks like h², but rounding in s grows like eps/h: h = 1e-5 suits double.
template <class T>
Tensor<T> numeric_gradient(const Recorder<T>& f, std::vector<Tensor<T>> inputs, std::size_t wrt,
                           const Tensor<T>& seed, T h) {
    if (wrt >= inputs.size())
        throw std::invalid_argument("gradcheck: wrt = " + std::to_string(wrt) + " but there are only " +
                                    std::to_string(inputs.size()) + " inputs");
    Tape<T> tape;
    Tensor<T>& x = inputs[wrt];
    Tensor<T> dx(x.shape());                                       // same shape as the leaf
    for (std::size_t i = 0; i < x.size(); ++i) {
        const T saved = x.data()[i];
        const T up = saved + h, down = saved - h;                  // rounded to T: use the step we really took
        x.data()[i] = up;
        const double s_up = seeded_output(f, tape, inputs, seed);
        x.data()[i] = down;
        const double s_down = seeded_output(f, tape, inputs, seed);
        x.data()[i] = saved;
        dx.data()[i] = static_cast<T>((s_up - s_down) / (double(up) - double(down)));
    }
    return dx;
}

// Compare two gradients element by element and remember the worst one.
template <class T>
GradCheckResult compare_gradients(const Tensor<T>& analytic, const Tensor<T>& numeric, double tiny) {
    if (analytic.shape() != numeric.shape())
        throw std::invalid_argument("gradcheck: the two gradients have different shapes");
    GradCheckResult r;
    for (std::size_t i = 0; i < analytic.size(); ++i) {
        const double a = analytic.data()[i], n = numeric.data()[i];
        // A NaN or infinity on either side fails the check: a NaN would lose every comparison below and slip
        // through (the numeric side is 0/0 when x ± h both round back to x).
        const bool finite = std::isfinite(a) && std::isfinite(n);
        const double abs_err = finite ? std::abs(a - n) : std::numeric_limits<double>::infinity();
        const double rel_err = finite ? abs_err / std::max({std::abs(a), std::abs(n), tiny}) : abs_err;
        r.max_abs_error = std::max(r.max_abs_error, abs_err);
        if (i == 0 || rel_err > r.max_rel_error) {
            r.max_rel_error = rel_err;
            r.worst_row = i / analytic.shape(1);
            r.worst_col = i % analytic.shape(1);
            r.worst_analytic = a;
            r.worst_numeric = n;
        }
    }
    return r;
}

// All of it, for every input: result[k] compares the tape's gradient of leaf k with central differences.
// `tiny` keeps the relative error finite where both gradients are (nearly) zero.
template <class T>
std::vector<GradCheckResult> gradcheck(const Recorder<T>& f, const std::vector<Tensor<T>>& inputs,
                                       const Tensor<T>& seed, T h, double tiny = 1e-8) {
    std::vector<GradCheckResult> results;
    for (std::size_t k = 0; k < inputs.size(); ++k)
        results.push_back(compare_gradients(tape_gradient(f, inputs, k, seed),
                                            numeric_gradient(f, inputs, k, seed, h), tiny));
    return results;
}

}  // namespace nn
