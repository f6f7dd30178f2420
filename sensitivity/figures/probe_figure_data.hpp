// sensitivity/figures/probe_figure_data.hpp — what a probe figure shows, as plain numbers: per-row score and accuracy, the line.
// Filled from a probe's result by sensitivity/probes/probe_curve.cpp; the figures library knows nothing of probes or nn.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sensitivity::figures {

struct CurveRange {
    double lo = 0, hi = 0;
};

// One row of the probe's table: the probed quantity p, the mean and sd of the correct-class score, the accuracy.
struct CurveRow {
    double p = 0;
    double mean_score = 0, std_score = 0, accuracy = 0;
};

// The fitted line score ≈ intercept + slope·p and the intervals of its slope (they pivot at x_mean).
struct CurveFit {
    double slope = 0, intercept = 0;
    CurveRange ci50, ci95;     // of the slope
    std::string significance;  // printed in the title as it is
    CurveRange fit_range;      // smallest and largest p fitted
    double x_mean = 0;         // mean p of the fitted points
    std::optional<double> lack_of_fit;   // χ²/dof of the rows around the line
    bool misfit = false;       // the line misfits the rows: say so on the plot
};

// Where the mean score (or accuracy) falls to `level`, half its value at the first p, with a 95% interval;
// an empty number means "not within the probed range".
struct CurveHalf {
    double level = 0;
    std::optional<double> point, lo, hi;
};

struct ProbeCurve {
    std::string name;         // "rotation", "ink_mass", "class"
    std::string units;        // of p; may be empty
    bool categorical = false;  // p is a class: points are not joined, there is no slope
    std::vector<CurveRow> rows;
    std::optional<CurveFit> fit;
    std::optional<CurveHalf> half_score;   // perturbation probes
};

}  // namespace sensitivity::figures
