// tests/fuzz/fuzz_table.cpp — libFuzzer target: a table from arbitrary bytes (JSON records when it starts with '[', else
// CSV), typed, its features chosen, a plan fitted on half the rows and every row encoded. The CLI's use is test_bad_input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "datasets/json_records.hpp"
#include "datasets/table_columns.hpp"
#include "datasets/table_plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const datasets::CsvTable raw = !text.empty() && text[0] == '['
                                           ? datasets::parse_json_records(text, "fuzz.json", 1 << 20)
                                           : datasets::parse_csv(text, "fuzz.csv", 1 << 20);
        if (raw.columns.empty() || raw.rows.empty() || raw.lines.size() != raw.rows.size()) __builtin_trap();
        for (const auto& row : raw.rows)
            if (row.size() != raw.columns.size()) __builtin_trap();
        const datasets::TypedTable t = datasets::type_columns(raw);
        if (t.columns.size() != raw.columns.size() || t.size() != raw.size()) __builtin_trap();
        std::vector<std::string> notes;
        const auto features = datasets::choose_features(t, t.columns[0].name, {}, {}, notes);
        std::vector<std::size_t> train;
        for (std::size_t r = 0; r < t.size(); r += 2) train.push_back(r);
        const datasets::TablePlan plan = datasets::fit_plan(t, features, train);
        const datasets::Encoded e = datasets::encode(plan, t, datasets::Unseen::Impute);
        // What encode promises: one row per row, one column per input, finite values, one level set per category.
        if (e.x.shape(0) != t.size() || e.x.shape(1) != plan.inputs().size()) __builtin_trap();
        for (double v : e.x)
            if (!std::isfinite(v)) __builtin_trap();
        for (std::size_t c = 0; c < plan.columns.size(); ++c) {
            if (plan.columns[c].kind != datasets::ColumnKind::Categorical) continue;
            for (std::size_t r = 0; r < t.size(); ++r) {
                double ones = 0;
                for (std::size_t l = 0; l < plan.columns[c].levels.size(); ++l) ones += e.x(r, plan.first_input(c) + l);
                if (ones != 1) __builtin_trap();
            }
        }
        const datasets::TablePlan back = datasets::plan_from_json(datasets::plan_json(plan), "fuzz");
        if (back.inputs() != plan.inputs()) __builtin_trap();
    } catch (const std::runtime_error&) {
        // the documented way to reject a table
    }
    return 0;
}
