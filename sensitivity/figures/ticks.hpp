// sensitivity/figures/ticks.hpp — where the numbers on a linear axis go: steps of 1, 2 or 5 × 10^k, ticks on multiples of the
// step, so an axis reads 0, 0.2, 0.4 rather than 0, 0.183, 0.366. Log axes are lineplot.cpp's log_ticks.
#pragma once

#include <vector>

namespace sensitivity::figures {

// The smallest step of the form {1, 2, 5} × 10^k that cuts [lo, hi] into at most `max_ticks` - 1 intervals
// (so at most max_ticks ticks). lo < hi and max_ticks >= 2, or it throws std::invalid_argument.
double nice_step(double lo, double hi, int max_ticks = 6);

// The multiples of nice_step(lo, hi, max_ticks) within [lo, hi] (a tick within 1e-9 of a step of an end counts),
// each rounded to the step's decimal so that 0.1 + 0.2 prints as 0.3.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks = 6);

}  // namespace sensitivity::figures
