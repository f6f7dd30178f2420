// datasets/table_plan.cpp — fitting, applying and saving the encoding of table_plan.hpp.
#include "datasets/table_plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace datasets {

namespace {

bool is_text_kind(ColumnKind k) { return k != ColumnKind::Numeric && k != ColumnKind::Date; }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string list(const std::vector<std::string>& v, std::size_t most = 10) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < most; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > most) s += ", ...";
    return s;
}

}  // namespace

std::vector<std::string> TablePlan::inputs() const {
    std::vector<std::string> names;
    for (const PlannedColumn& c : columns) {
        if (c.kind == ColumnKind::Categorical)
            for (const std::string& l : c.levels) names.push_back(c.name + "=" + l);
        else
            names.push_back(c.name);
        if (c.indicator) names.push_back(c.name + "_missing");
    }
    return names;
}

std::size_t TablePlan::first_input(std::size_t c) const {
    std::size_t k = 0;
    for (std::size_t i = 0; i < c; ++i)
        k += (columns[i].kind == ColumnKind::Categorical ? columns[i].levels.size() : 1) + columns[i].indicator;
    return k;
}

TablePlan fit_plan(const TypedTable& t, const std::vector<std::string>& features, const std::vector<std::size_t>& train_rows) {
    TablePlan plan;
    for (const std::string& name : features) {
        const TableColumn& col = t.columns[t.column(name)];
        PlannedColumn p;
        p.name = name;
        p.kind = is_text_kind(col.kind) ? ColumnKind::Categorical : col.kind;
        p.indicator = col.missing > 0;
        std::vector<double> values;
        std::map<std::string, std::size_t> freq;
        for (std::size_t r : train_rows) {
            if (col.text[r].empty()) continue;
            if (p.kind == ColumnKind::Categorical) ++freq[col.text[r]];
            else values.push_back(col.values[r]);
        }
        if (values.empty() && freq.empty())
            throw std::runtime_error(t.source + ": column '" + name + "' has no value in the " +
                                     std::to_string(train_rows.size()) + " training rows; leave it out (--features)");
        if (p.kind == ColumnKind::Categorical) {
            std::size_t best = 0;
            for (const auto& [level, n] : freq) {               // sorted; ties go to the first level
                p.levels.push_back(level);
                if (n > best) best = n, p.fill_level = level;
            }
        } else {
            p.fill = median(values);
        }
        plan.columns.push_back(std::move(p));
    }
    return plan;
}

Encoded encode(const TablePlan& plan, const TypedTable& t, Unseen unseen, const std::string& model) {
    const std::size_t N = t.size();
    Encoded e;
    e.x = xt::zeros<double>({N, plan.inputs().size()});
    e.counts.resize(plan.columns.size());
    for (std::size_t c = 0; c < plan.columns.size(); ++c) {
        const PlannedColumn& p = plan.columns[c];
        const std::size_t ci = t.column(p.name);
        const TableColumn& col = t.columns[ci];
        const std::string at = ": column '" + p.name + "' (" + std::to_string(ci + 1) + "): ";
        const std::size_t k0 = plan.first_input(c);
        const std::size_t ind = k0 + (p.kind == ColumnKind::Categorical ? p.levels.size() : 1);
        if (p.kind != ColumnKind::Categorical && col.kind != ColumnKind::AllMissing && col.kind != p.kind) {
            if (col.kind == ColumnKind::Mixed) throw std::runtime_error(col.problem + "; " + model + " takes numbers there");
            throw std::runtime_error(t.source + at + "holds " + kind_name(col.kind) + " values, but " + model +
                                     " was trained on it as " + kind_name(p.kind));
        }
        ColumnCounts& n = e.counts[c];
        for (std::size_t r = 0; r < N; ++r) {
            const std::string& s = col.text[r];
            bool missing = s.empty();
            if (missing && !p.has_fill)
                throw std::runtime_error(t.where(r) + at + "missing value (" + model + " was saved without fill values; "
                                         "fill the field, or retrain)");
            if (p.kind == ColumnKind::Categorical) {
                auto it = std::lower_bound(p.levels.begin(), p.levels.end(), s);
                if (!missing && (it == p.levels.end() || *it != s)) {
                    if (unseen == Unseen::Error)
                        throw std::runtime_error(t.where(r) + at + "'" + s + "' is not one of the " +
                                                 std::to_string(p.levels.size()) + " levels " + model + " was trained on (" +
                                                 list(p.levels) + "); correct it, or empty the field to have it imputed");
                    if (n.unseen++ == 0) n.first_unseen = s;
                    missing = true;
                }
                if (missing) it = std::lower_bound(p.levels.begin(), p.levels.end(), p.fill_level);
                e.x(r, k0 + static_cast<std::size_t>(it - p.levels.begin())) = 1;
            } else {
                e.x(r, k0) = missing ? p.fill : col.values[r];
            }
            if (missing && s.empty()) ++n.imputed;
            if (p.indicator && missing) e.x(r, ind) = 1;
        }
    }
    return e;
}

nlohmann::json plan_json(const TablePlan& plan) {
    nlohmann::json cols = nlohmann::json::array();
    for (const PlannedColumn& p : plan.columns) {
        nlohmann::json j = {{"name", p.name}, {"kind", kind_name(p.kind)}, {"indicator", p.indicator}};
        if (p.kind == ColumnKind::Categorical) j["levels"] = p.levels, j["fill_level"] = p.fill_level;
        else j["fill"] = p.fill;
        cols.push_back(j);
    }
    return {{"columns", cols}};
}

TablePlan plan_from_json(const nlohmann::json& j, const std::string& where) {
    TablePlan plan;
    try {
        for (const auto& c : j.at("columns")) {
            PlannedColumn p;
            p.name = c.at("name").get<std::string>();
            const std::string kind = c.at("kind").get<std::string>();
            p.kind = kind == "numeric" ? ColumnKind::Numeric : kind == "date" ? ColumnKind::Date
                   : kind == "categorical" ? ColumnKind::Categorical
                   : throw std::runtime_error(where + ": table.plan: column '" + p.name + "' has kind '" + kind +
                                              "' (numeric, date or categorical)");
            p.indicator = c.at("indicator").get<bool>();
            if (p.kind == ColumnKind::Categorical) {
                p.levels = c.at("levels").get<std::vector<std::string>>();
                p.fill_level = c.at("fill_level").get<std::string>();
                if (p.levels.empty() || !std::is_sorted(p.levels.begin(), p.levels.end()) ||
                    !std::binary_search(p.levels.begin(), p.levels.end(), p.fill_level))
                    throw std::runtime_error(where + ": table.plan: column '" + p.name + "' needs sorted levels that "
                                             "include its fill_level");
            } else {
                p.fill = c.at("fill").get<double>();
                if (!std::isfinite(p.fill)) throw std::runtime_error(where + ": table.plan: column '" + p.name + "' fill is not finite");
            }
            plan.columns.push_back(std::move(p));
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(where + ": table.plan is not as nnsense writes it (" + e.what() + ")");
    }
    return plan;
}

TablePlan numeric_plan(const std::vector<std::string>& features) {
    TablePlan plan;
    for (const std::string& f : features) {
        PlannedColumn p;
        p.name = f;
        p.has_fill = false;
        plan.columns.push_back(std::move(p));
    }
    return plan;
}

}  // namespace datasets
