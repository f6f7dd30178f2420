// docs/snippets/tables_auto_mpg.cpp — chapter 15's walk through Auto MPG (data/tables/cars.json): the baseline first, why
// early stopping, what a refit changes, groups instead of pairs, permutation importance as a check, and off the data.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "datasets/json_records.hpp"
#include "datasets/table_columns.hpp"
#include "datasets/table_plan.hpp"
#include "nn/training/cross_validate.hpp"
#include "nn/training/linear_model.hpp"
#include "sensitivity/maps/jacobian.hpp"
#include "sensitivity/tables/groups.hpp"
#include "sensitivity/tables/permutation.hpp"

namespace nt = nn::training;
namespace st = sensitivity::tables;

int main() {
    const char* dir = std::getenv("NNSENSE_TABLES");                     // data/tables, set by meson
    datasets::TypedTable table = datasets::type_columns(datasets::read_table(std::string(dir ? dir : "data/tables") + "/cars.json"));
    const datasets::TableColumn& mpg = table.columns[table.column("Miles_per_Gallon")];
    std::vector<std::size_t> rows;                                        // the cars with a target
    for (std::size_t r = 0; r < table.size(); ++r)
        if (!mpg.text[r].empty()) rows.push_back(r);
    table = datasets::keep_rows(table, rows);
    std::vector<std::string> notes;
    const auto features = datasets::choose_features(table, "Miles_per_Gallon", {}, {}, notes);   // Name left out
    const std::size_t N = table.size();
    std::vector<std::size_t> all(N);
    for (std::size_t r = 0; r < N; ++r) all[r] = r;
    // For brevity the plan and the standardization are fitted on every row (the program fits them on training rows).
    const datasets::TablePlan plan = datasets::fit_plan(table, features, all);
    const xt::xtensor<double, 2> x = datasets::encode(plan, table, datasets::Unseen::Impute).x;   // [N, D]
    const std::vector<std::string> inputs = plan.inputs();
    const std::size_t D = inputs.size();
    std::vector<double> mean(D + 1, 0), sd(D + 1, 0);                     // per input, then the target
    const auto column = [&](std::size_t j, std::size_t n) { return j < D ? x(n, j) : table.columns[table.column("Miles_per_Gallon")].values[n]; };
    for (std::size_t j = 0; j <= D; ++j) {
        for (std::size_t n = 0; n < N; ++n) mean[j] += column(j, n) / double(N);
        for (std::size_t n = 0; n < N; ++n) sd[j] += std::pow(column(j, n) - mean[j], 2) / double(N);
        sd[j] = sd[j] > 0 ? std::sqrt(sd[j]) : 1;
    }
    nt::TableData data{nn::Tensor<float>({N, D}), nn::Tensor<float>({N, 1}), {}};
    for (std::size_t n = 0; n < N; ++n) {
        for (std::size_t j = 0; j < D; ++j) data.x(n, j) = float((x(n, j) - mean[j]) / sd[j]);
        data.y(n, 0) = float((column(D, n) - mean[D]) / sd[D]);
    }
    std::printf("%zu cars, %zu inputs; mpg sd %.2f\n", N, D, sd[D]);

    // 1. The baseline first, then the net, on the same 5 folds.
    nt::TrainConfig config;
    config.hidden = {32}, config.epochs = 200, config.batch = 32, config.optimizer = nn::OptimizerKind::Adam, config.lr = 0.01;
    config.activation = nn::Activation::Tanh, config.seed = 1;
    double lowest = 1e300, chosen = 0;                                    // the weight decay, chosen as the program does:
    for (double wd : {0.0, 1e-4, 1e-3, 1e-2}) {                           // the lowest validation loss of a 20% split
        config.weight_decay = wd;
        const nt::FittedNet f = nt::fit_table_net(data, 1, config, nt::EarlyStopping{30});
        const double v = f.curve.epochs.at(f.curve.best_epoch - 1).validation_loss;
        if (v < lowest) lowest = v, chosen = wd;
    }
    std::printf("weight decay %g (lowest validation loss %.3f)\n", chosen, lowest);
    const auto folds = nt::kfold(N, 5, 1);
    const auto pm = [](const std::vector<double>& v) {
        const nt::MeanSd m = nt::mean_sd(v);
        char s[64];
        std::snprintf(s, sizeof s, "%.3f ± %.3f", m.mean, m.sd);
        return std::string(s);
    };
    for (double wd : {0.0, chosen}) {
        config.weight_decay = wd;
        std::vector<double> ridge_r2, net_r2, gain;
        for (const auto& held : folds) {
            const nt::TableData train = nt::subset(data, nt::complement(N, held)), test = nt::subset(data, held);
            const nt::LinearModel ridge = nt::fit_baseline(train, 1, 1);
            nt::FittedNet net = nt::fit_table_net(train, 1, config, nt::EarlyStopping{30});
            ridge_r2.push_back(nt::score(nt::predict(ridge, test.x), test).r2);
            net_r2.push_back(nt::score(nn::predict_logits(net.model, test.x), test).r2);
            gain.push_back(net_r2.back() - ridge_r2.back());
        }
        std::printf("5-fold R²: ridge %s, net (weight decay %g) %s, the net's gain per fold %s\n", pm(ridge_r2).c_str(), wd,
                    pm(net_r2).c_str(), pm(gain).c_str());
    }

    // 2. Why early stopping: the same net on the first fold's training rows, 200 epochs, kept at its best epoch or not.
    const nt::TableData train = nt::subset(data, nt::complement(N, folds[0])), test = nt::subset(data, folds[0]);
    nt::FittedNet stopped = nt::fit_table_net(train, 1, config, nt::EarlyStopping{30});
    nt::FittedNet full = nt::fit_table_net(train, 1, config, nt::EarlyStopping{0});
    const auto& curve = full.curve.epochs;
    const auto best = std::min_element(curve.begin(), curve.end(), [](const nt::TableEpoch& a, const nt::TableEpoch& b) {
        return a.validation_loss < b.validation_loss;
    });
    std::printf("without stopping: validation loss lowest %.3f at epoch %zu, %.3f at epoch %zu; held-out R² %.3f\n",
                best->validation_loss, best->epoch, curve.back().validation_loss, curve.back().epoch,
                nt::score(nn::predict_logits(full.model, test.x), test).r2);
    std::printf("with patience 30: kept epoch %zu of %zu run; held-out R² %.3f\n", stopped.curve.best_epoch,
                stopped.curve.epochs.size(), nt::score(nn::predict_logits(stopped.model, test.x), test).r2);

    // 3. What a refit changes: per-SD sensitivity of the numeric inputs for two fits (seeds 1 and 2) on the same rows.
    std::vector<std::size_t> numeric;
    for (std::size_t j = 0; j < D; ++j)
        if (inputs[j].find('=') == std::string::npos && inputs[j].find("_missing") == std::string::npos) numeric.push_back(j);
    std::vector<nt::FittedNet> fits;
    for (std::uint64_t seed : {1, 2}) {
        config.seed = seed;
        fits.push_back(nt::fit_table_net(data, 1, config, nt::EarlyStopping{30}));
    }
    std::printf("per SD of mpg, mean |dy/dx|·sd:     seed 1  seed 2\n");
    std::vector<std::vector<double>> per_sd(2);
    for (std::size_t f = 0; f < 2; ++f) {
        const auto J = sensitivity::maps::jacobian(fits[f].model, data.x, sensitivity::maps::Output::Logits);   // [N, 1, D]
        for (std::size_t j : numeric) {
            double s = 0;
            for (std::size_t n = 0; n < N; ++n) s += std::abs(J(n, 0, j)) * sd[D] / double(N);   // per SD of input j
            per_sd[f].push_back(s);
        }
    }
    for (std::size_t k = 0; k < numeric.size(); ++k)
        std::printf("  %-32s %6.2f  %6.2f\n", inputs[numeric[k]].c_str(), per_sd[0][k], per_sd[1][k]);

    // 4. Groups instead of pairs: Spearman's rho of the numeric inputs, pairs at |rho| >= 0.8, and their groups.
    xt::xtensor<double, 2> xn = xt::zeros<double>({N, numeric.size()});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t k = 0; k < numeric.size(); ++k) xn(n, k) = x(n, numeric[k]);
    const auto rho = st::spearman_matrix(xn);
    std::size_t pairs = 0;
    for (std::size_t a = 0; a < numeric.size(); ++a)
        for (std::size_t b = a + 1; b < numeric.size(); ++b) pairs += std::abs(rho(a, b)) >= 0.8;
    const auto groups = st::correlated_groups(rho, 0.8);
    std::printf("%zu pairs with |rho| >= 0.8, %zu group(s):", pairs, groups.size());
    for (const auto& g : groups) {
        for (std::size_t k : g.members) std::printf(" %s", inputs[numeric[k]].c_str());
        std::printf(" (weakest |rho| %.2f)\n", g.min_abs_rho);
    }

    // 5. Permutation importance as a check: the first fold's early-stopped net, shuffled columns of its held-out rows.
    xt::xtensor<double, 2> zt = xt::cast<double>(test.x);                // [V, D] standardized held-out rows
    const st::RowLoss loss = [&](const xt::xtensor<double, 2>& z) {
        const nn::Tensor<float> p = nn::predict_logits(stopped.model, nn::Tensor<float>(xt::cast<float>(z)));
        std::vector<double> l(z.shape(0));
        for (std::size_t n = 0; n < l.size(); ++n) l[n] = std::pow(p(n, 0) - test.y(n, 0), 2);
        return l;
    };
    std::vector<std::vector<std::size_t>> blocks;
    for (std::size_t j : numeric) blocks.push_back({j});
    blocks.push_back({});
    for (std::size_t k : groups.at(0).members) blocks.back().push_back(numeric[k]);
    const auto imp = st::permutation_importance(loss, zt, blocks, 20, 1);
    std::printf("rise in held-out squared error (standardized mpg) when shuffled, 20 shuffles [95%% over rows]:\n");
    for (std::size_t b = 0; b < blocks.size(); ++b)
        std::printf("  %-32s %6.3f [%6.3f, %6.3f]\n", b < numeric.size() ? inputs[numeric[b]].c_str() : "the group, together",
                    imp[b].rise, imp[b].lo, imp[b].hi);

    // 6. Off the data: the net's and ridge's mpg for the average car as its weight moves past the heaviest car.
    const std::size_t w = std::find(inputs.begin(), inputs.end(), "Weight_in_lbs") - inputs.begin();
    const nt::LinearModel ridge = nt::fit_baseline(data, 1, 1);
    double lightest = 1e9, heaviest = 0;
    for (std::size_t n = 0; n < N; ++n) lightest = std::min(lightest, x(n, w)), heaviest = std::max(heaviest, x(n, w));
    std::printf("weights in the table: %.0f to %.0f lbs; mpg of the average car at weight:\n", lightest, heaviest);
    for (double lbs : {2000.0, 3000.0, 4000.0, 5000.0, 6000.0, 8000.0, 10000.0}) {
        nn::Tensor<float> z = xt::zeros<float>({std::size_t(1), D});       // every input at its mean ...
        z(0, w) = float((lbs - mean[w]) / sd[w]);                          // ... but the weight
        const double net_mpg = mean[D] + sd[D] * nn::predict_logits(fits[0].model, z)(0, 0);
        const double ridge_mpg = mean[D] + sd[D] * nt::predict(ridge, z)(0, 0);
        std::printf("  %6.0f lbs: net %5.1f, ridge %5.1f%s\n", lbs, net_mpg, ridge_mpg, lbs > heaviest ? "  (off the data)" : "");
    }

    // What the chapter relies on, checked: the one group of four, and the group shuffled together costs more than any
    // of its members shuffled alone (the others stand in for a member, not for the whole group).
    std::string members;
    for (std::size_t k : groups.at(0).members) members += inputs[numeric[k]] + " ";
    const bool four = groups.size() == 1 && members == "Cylinders Displacement Horsepower Weight_in_lbs ";
    bool group_above = true;
    for (std::size_t k : groups.at(0).members) group_above = group_above && imp.back().rise > imp[k].rise;
    std::printf("one group of the four engine columns: %s; shuffled together it costs more than any member: %s\n",
                four ? "yes" : "NO", group_above ? "yes" : "NO");
    return four && group_above ? 0 : 1;
}
