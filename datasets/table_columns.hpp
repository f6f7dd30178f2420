// datasets/table_columns.hpp — what each column of a table read from CSV or JSON holds: numbers, ISO dates, a few text
// levels (a category), an identifier, nothing at all, or a mix of numbers and text; and which columns become features.
// The encoding into model inputs (imputation, one-hot) is table_plan.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/csv.hpp"

namespace datasets {

enum class ColumnKind {
    Numeric,       // every value a finite number
    Date,          // every value an ISO date (YYYY-MM-DD, optionally THH:MM[:SS]): read as a fractional year
    Categorical,   // text with at most kMaxAutoLevels distinct values
    ManyLevels,    // text with more levels than that, but not an identifier
    Identifier,    // text with a distinct value in more than half the rows (a car's name): left out unless asked for
    AllMissing,    // no value in any row
    Mixed,         // numbers and text in one column, or a number that is NaN, infinite or too large: `problem` says where
};
const char* kind_name(ColumnKind kind);   // "numeric", "date", "categorical", ...

// More levels than this and a text column is not one-hot encoded unless --features names it.
constexpr std::size_t kMaxAutoLevels = 20;

struct TableColumn {
    std::string name;
    ColumnKind kind = ColumnKind::Numeric;
    std::vector<std::string> text;   // [rows] the field without surrounding spaces; "" where missing
    std::vector<double> values;      // [rows] Numeric and Date: the number (a date as a fractional year); NaN otherwise
    std::size_t missing = 0;         // rows without a value
    std::size_t levels = 0;          // distinct non-missing texts
    std::string problem;             // Mixed: "<file>:<line>: column 'b' (2): 'abc' is not a number, but ..." (no remedy)
};

struct TypedTable {
    std::string source;                     // the file name, used in every error message
    std::vector<TableColumn> columns;
    std::vector<std::size_t> lines;         // [rows] the line each row (or JSON record) starts on
    std::size_t size() const { return lines.size(); }
    // Index of the column named `name`; throws "<source>: no column 'name' (columns: a, b, c)".
    std::size_t column(const std::string& name) const;
    std::string where(std::size_t r) const { return source + ":" + std::to_string(lines.at(r)); }
};

// Types every column of `t` (an empty field is a missing value; a ';' file's numbers may have decimal commas).
TypedTable type_columns(const CsvTable& t);

// The rows `rows` of `t`, in that order; missing and levels are recounted, the kinds kept.
TypedTable keep_rows(const TypedTable& t, const std::vector<std::size_t>& rows);

// The feature columns: `named` (--features) as given, or else every column but `target` and `exclude` (--meta) whose
// kind a model can read (numeric, date, categorical). Appends a note for each column left out or converted ("column
// 'Name' left out: an identifier, 311 distinct values in 406 rows; ..."). Throws a one-line error naming the file and
// column, and what to do, for a mixed column, a named column with no value, and a named text column of over 1000 levels.
std::vector<std::string> choose_features(const TypedTable& t, const std::string& target, const std::vector<std::string>& named,
                                         const std::vector<std::string>& exclude, std::vector<std::string>& notes);

// "1970-01-01" -> 1970.0, "2012-07-02" -> 2012 + 183/366, with an optional time "T12:00[:00[.5]][Z]" (or a space for
// the T) as a fraction of the day. False unless the whole text is such a date with a valid month and day.
bool parse_iso_date(std::string_view s, double& year);

}  // namespace datasets
