// examples/train_and_explain/table_groups.hpp — the table mode's second looks at the features: Spearman groups (one caveat each) and
// permutation importance on the held-out rows, beside the Jacobian table. The statistics are sensitivity/tables/; this is the glue.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/train_and_explain/table.hpp"
#include "sensitivity/tables/features.hpp"
#include "sensitivity/tables/groups.hpp"
#include "sensitivity/tables/permutation.hpp"

namespace app {

// What the table's sensitivity is of: the regression target, or for classification the predicted class's log-odds
// (default) or probability (--attribution-target prob). Throws UsageError for --attribution-target on a regression.
struct AttributionTarget {
    bool log_odds = false;             // classification, log-odds of the predicted class
    std::string name;                  // for headers and figures: "y", "log-odds of the predicted class", ...
};
AttributionTarget attribution_target(const Options& opt, const TableRun& t);

struct TableGroups {
    double threshold = 0.8;
    std::vector<sensitivity::tables::FeatureGroup> groups;
    std::vector<sensitivity::tables::GroupSensitivity> sensitivity;   // one per group
    std::vector<int> group_of;                                        // per feature: its group's index, or -1
};

// Spearman ρ on the training rows (every row for a saved model), groups at opt.group_threshold, the sensitivity along
// each group's direction from Jsel [N, D]; sets every feature's correlated_with to its group's other members.
// `numeric` holds the input index (column of t.x) of each feature, `names` its name.
TableGroups group_features(const Options& opt, const TableRun& t, const xt::xtensor<double, 2>& Jsel,
                           std::vector<sensitivity::tables::FeatureSensitivity>& features,
                           const std::vector<std::size_t>& numeric, const std::vector<std::string>& names);

// Permutation importance on the validation rows, per feature and per group (the group's columns shuffled as one
// block), in the training loss (cross-entropy, or the squared error of the standardized target). Empty without a target.
struct TableImportance {
    std::vector<sensitivity::tables::PermutationImportance> features, groups;
    std::vector<std::size_t> jacobian_rank, permutation_rank;        // per feature, 1 = most important
    std::vector<bool> disagree;                                       // per feature: ranks differ by more than the limit
    std::size_t limit = 0;                                            // rank_disagreement_limit(D)
    std::size_t rows = 0, repeats = 0;
    std::string loss;
    bool empty() const { return features.empty(); }
};
TableImportance permutation_stage(const Options& opt, const TableRun& t, const TableGroups& g,
                                  const std::vector<sensitivity::tables::FeatureSensitivity>& features,
                                  const std::vector<std::size_t>& numeric);

// The terminal table (columns as wide as their widest cell), one line per group, one caveat line per group. With
// `refit` (t.report["refit"], null for a --model run) the refit columns stand beside the one fit's and rank the rows.
void print_features(std::ostream& os, const AttributionTarget& target, std::size_t rows,
                    const std::vector<sensitivity::tables::FeatureSensitivity>& features, const TableGroups& g,
                    const TableImportance& imp, const nlohmann::ordered_json& refit);

// One footnote per group for the feature bars: "G1 (a, b, c) move together (|rho| >= 0.86): ...".
std::vector<std::string> group_notes(const TableGroups& g);

// The "groups" and "permutation" sections of metrics.json.
nlohmann::ordered_json groups_json(const TableGroups& g, const TableImportance& imp);
nlohmann::ordered_json permutation_json(const TableImportance& imp, const std::vector<std::string>& names);

}  // namespace app
