// sensitivity/figures/ticks.cpp — the 1-2-5 step and the ticks on its multiples.
#include "sensitivity/figures/ticks.hpp"

#include <cmath>
#include <stdexcept>

namespace sensitivity::figures {

double nice_step(double lo, double hi, int max_ticks) {
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || max_ticks < 2)
        throw std::invalid_argument("nice_step: need finite lo < hi and max_ticks >= 2");
    const double rough = (hi - lo) / (max_ticks - 1);
    double p = std::pow(10.0, std::floor(std::log10(rough)));
    for (;; p *= 10)
        for (double m : {1.0, 2.0, 5.0}) {
            const double step = m * p;
            // the number of ticks on multiples of `step` within [lo, hi]
            const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
            if (last - first + 1 <= max_ticks) return step;
        }
}

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
    const double step = nice_step(lo, hi, max_ticks);
    const double digits = std::max(0.0, -std::floor(std::log10(step)));   // decimals the step needs
    const double scale = std::pow(10.0, digits);
    std::vector<double> out;
    for (double k = std::ceil(lo / step - 1e-9); k <= std::floor(hi / step + 1e-9); ++k)
        out.push_back(std::round(k * step * scale) / scale + 0.0);   // + 0.0: no "-0" label
    return out;
}

}  // namespace sensitivity::figures
