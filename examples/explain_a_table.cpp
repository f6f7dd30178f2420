// examples/explain_a_table.cpp — train a small net on a table with a known answer, then ask which features it uses.
// A short program to copy: standardize, train_table, the input Jacobian, per-feature sensitivities in raw and SD units.
#include <cmath>
#include <cstdio>
#include <exception>

#include "datasets/synthetic_table.hpp"
#include "nn/training/train_table.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "sensitivity/tables/features.hpp"

static int run() {
    // y = sin(x1) + 0.5·x2² + 0.005·x3_g + noise; the column "noise" is not used by y (datasets/synthetic_table.hpp).
    const datasets::SyntheticTable table = datasets::sin_table(2000, 7, false);
    const std::size_t N = table.rows.size(), D = table.features.size();      // the features are the first D columns
    xt::xtensor<double, 2> raw({N, D});                                      // [N, D]
    std::vector<double> mean(D + 1, 0), sd(D + 1, 0);                        // per feature, then y
    for (std::size_t j = 0; j <= D; ++j) {
        const std::size_t col = j < D ? j : table.columns.size() - 1;
        for (const auto& row : table.rows) mean[j] += row[col] / double(N);
        for (const auto& row : table.rows) sd[j] += (row[col] - mean[j]) * (row[col] - mean[j]) / double(N);
        sd[j] = std::sqrt(sd[j]);
    }
    nn::training::TableData train{nn::Tensor<float>({N, D}), nn::Tensor<float>({N, 1}), {}};
    for (std::size_t n = 0; n < N; ++n) {
        for (std::size_t j = 0; j < D; ++j) {
            raw(n, j) = table.rows[n][j];
            train.x(n, j) = float((raw(n, j) - mean[j]) / sd[j]);            // standardized features
        }
        train.y(n, 0) = float((table.rows[n].back() - mean[D]) / sd[D]);   // standardized target
    }

    nn::training::TrainConfig config;
    config.hidden = {32}, config.epochs = 60, config.batch = 64, config.optimizer = nn::OptimizerKind::Adam, config.lr = 0.01;
    config.activation = nn::Activation::Tanh;
    nn::MLP<float> model = nn::training::make_mlp(config, D, 1);
    const auto curve = nn::training::train_table(model, train, train, config);
    std::printf("trained %zu epochs, loss %.4f (standardized y)\n", curve.epochs.size(), curve.epochs.back().train_loss);

    // ∂y/∂x in raw units: the tape's Jacobian on standardized values, times sd(y)/sd(x_j).
    const xt::xtensor<float, 3> J = sensitivity::maps::jacobian(model, train.x, sensitivity::maps::Output::Logits);
    xt::xtensor<double, 2> dy_dx({N, D});                                    // [N, D]
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < D; ++j) dy_dx(n, j) = J(n, 0, j) * sd[D] / sd[j];
    const auto features = sensitivity::tables::feature_sensitivity(dy_dx, raw, table.features);
    const auto order = sensitivity::tables::rank_by_per_sd(features);
    for (std::size_t k : order)
        std::printf("  %-6s mean |dy/dx| %.4f per unit, %.3f per SD\n", features[k].name.c_str(), features[k].mean_abs,
                    features[k].mean_abs_per_sd);
    const bool noise_last = features[order.back()].name == "noise";
    std::printf("the unused column ranks last: %s\n", noise_last ? "yes" : "NO");
    return noise_last ? 0 : 1;
}

int main() {   // a missing file or a bad number: one line, exit 1
    try { return run(); } catch (const std::exception& e) { std::fprintf(stderr, "explain-a-table: %s\n", e.what()); return 1; }
}
