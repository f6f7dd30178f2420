// examples/train_and_explain/curves_stage.cpp — the training-curves figure of train-and-explain: train loss and validation accuracy per epoch.
// Reads back <out>/metrics.json (written by the training stage); draws nothing when the run loaded --model instead.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/train_and_explain/stages.hpp"
#include "sensitivity/figures/lineplot.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {
// A per-epoch column of metrics.json as numbers; null (no validation split) becomes a gap the figure skips.
sensitivity::figures::Series epoch_series(const nlohmann::json& column, const std::string& label, sensitivity::figures::Rgb colour) {
    sensitivity::figures::Series s;
    s.label = label;
    s.marks = sensitivity::figures::Marks::LinesPoints;
    s.colour = colour;
    for (std::size_t e = 0; e < column.size(); ++e) {
        if (!column[e].is_number()) continue;
        s.x.push_back(static_cast<double>(e + 1));
        s.y.push_back(column[e].get<double>());
    }
    return s;
}
}  // namespace

void training_curves(RunState& st) {
    if (!st.report.contains("training")) return;  // --model: nothing was trained
    const fs::path metrics_path = st.out_dir / "metrics.json";
    std::ifstream in(metrics_path);
    if (!in) throw std::runtime_error(metrics_path.string() + ": cannot read the training metrics for the curves");
    const nlohmann::json m = nlohmann::json::parse(in);

    sensitivity::figures::PlotPanel loss, accuracy;
    loss.ylabel = "train loss";
    loss.ymin = 0;
    loss.series.push_back(epoch_series(m.at("train_loss"), "mean train loss (cross-entropy)", {214, 39, 40}));
    accuracy.ylabel = "validation accuracy";
    accuracy.series.push_back(epoch_series(m.at("validation_accuracy"), "validation accuracy", {31, 119, 180}));
    accuracy.legend = sensitivity::figures::LegendAt::BottomRight;

    sensitivity::figures::LinePlotFigure f;
    f.title = "Training: loss and validation accuracy per epoch";
    f.xlabel = "epoch";
    f.panels = {loss};
    if (!accuracy.series[0].x.empty()) f.panels.push_back(accuracy);  // empty: the run had no validation split
    const double epochs = static_cast<double>(m.at("train_loss").size());
    f.xmin = 0.5;
    f.xmax = epochs + 0.5;
    const fs::path path = st.out_dir / "training_curves.png";
    sensitivity::figures::lineplot_png(path.string(), f);
    st.report["training"]["curves_figure"] = path.lexically_relative(st.out_dir).string();
}

}  // namespace app
