// docs/figures/schedules.cpp — a figure of chapter 9: the learning rate over the default run's 10 308 steps,
// for the three schedules of nn/schedule.hpp. Draws docs/figures/ch09-schedules.png and checks its shape.
#include <cmath>
#include <cstdio>
#include <exception>

#include "nn/schedule.hpp"
#include "sensitivity/figures/lineplot.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT.png   (draws the learning-rate schedules of chapter 9)\n", argv[0]);
        return 2;
    }
    const std::size_t steps_per_epoch = 859, T = 12 * steps_per_epoch;   // batch 64 over 55 000 images, 12 epochs
    nn::Schedule cosine{nn::ScheduleKind::Cosine, 0.05, T, 0.0, 1, 0.1};   // the default
    nn::Schedule step{nn::ScheduleKind::Step, 0.05, T, 0.0, 4 * steps_per_epoch, 0.1};   // ÷10 every 4 epochs
    nn::Schedule constant{nn::ScheduleKind::Constant, 0.05, T, 0.0, 1, 0.1};
    using sensitivity::figures::Series;
    Series c{"cosine 0.05 -> 0 (the default)", {}, {}, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::palette(0), 2.5, false};
    Series s{"step: x0.1 every 4 epochs", {}, {}, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::palette(1), 2.0, false};
    Series k{"constant 0.05", {}, {}, {}, sensitivity::figures::Marks::Lines, sensitivity::figures::palette(2), 1.5, true};
    for (std::size_t t = 0; t <= T; t += 12) {
        for (auto [series, sched] : {std::pair{&c, &cosine}, std::pair{&s, &step}, std::pair{&k, &constant}}) {
            series->x.push_back(static_cast<double>(t) / steps_per_epoch);
            series->y.push_back(nn::learning_rate(*sched, t));
        }
    }
    sensitivity::figures::PlotPanel panel;
    panel.ylabel = "learning rate";
    panel.ymin = 0;
    panel.ymax = 0.056;
    panel.legend = sensitivity::figures::LegendAt::TopRight;
    panel.series = {k, s, c};
    sensitivity::figures::LinePlotFigure figure;
    figure.title = "nn::learning_rate over 12 epochs of 859 steps (batch 64)";
    figure.xlabel = "epoch (steps / 859)";
    figure.panels = {panel};
    figure.height = 420;
    try {
        sensitivity::figures::lineplot_png(argv[1], figure);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "schedules: %s\n", e.what());
        return 1;
    }
    // The shape chapter 9 describes: cosine starts at lr, is lr/2 halfway, and ends at 0; step decay drops tenfold.
    const double half = nn::learning_rate(cosine, T / 2), end = nn::learning_rate(cosine, T);
    const double after = nn::learning_rate(step, 4 * steps_per_epoch), before = nn::learning_rate(step, 4 * steps_per_epoch - 1);
    std::printf("cosine: %.4f at step 0, %.4f at step %zu, %.1e at step %zu; step: %.4f -> %.4f at epoch 4\n",
                nn::learning_rate(cosine, 0), half, T / 2, end, T, before, after);
    const bool ok = std::fabs(nn::learning_rate(cosine, 0) - 0.05) < 1e-12 && std::fabs(half - 0.025) < 1e-12 &&
                    end < 1e-12 && std::fabs(after / before - 0.1) < 1e-12;
    if (!ok) std::fprintf(stderr, "schedules: the curves do not have the shape chapter 9 describes\n");
    return ok ? 0 : 1;
}
