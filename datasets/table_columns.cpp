// datasets/table_columns.cpp — the column typing rules of table_columns.hpp, and ISO dates as fractional years.
#include "datasets/table_columns.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <unordered_set>

#include "names/names.hpp"

namespace datasets {

namespace {

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

std::string shown(const std::string& s) {   // a field inside an error message, cut to 40 bytes
    std::string out = s.substr(0, 40);
    if (s.size() > 40) out += "...";
    for (char& ch : out)
        if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
    return "'" + out + "'";
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& value) {
    if (at + n > s.size()) return false;
    value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        value = value * 10 + (s[i] - '0');
    }
    return true;
}

std::string count_of(std::size_t n, const std::string& what) {   // "1 number", "29 numbers"
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Levels and missing values of a column from its text.
void count(TableColumn& c) {
    std::unordered_set<std::string> distinct;
    c.missing = 0;
    for (const std::string& s : c.text) {
        if (s.empty()) ++c.missing;
        else distinct.insert(s);
    }
    c.levels = distinct.size();
}

}  // namespace

namespace {
const names::NameTable<ColumnKind, 7> kKindNames = {{{ColumnKind::Numeric, "numeric"},
                                                     {ColumnKind::Date, "date"},
                                                     {ColumnKind::Categorical, "categorical"},
                                                     {ColumnKind::ManyLevels, "text (many levels)"},
                                                     {ColumnKind::Identifier, "identifier"},
                                                     {ColumnKind::AllMissing, "all missing"},
                                                     {ColumnKind::Mixed, "mixed"}}};
}  // namespace

const char* kind_name(ColumnKind kind) { return names::name_of(kKindNames, kind); }

bool parse_iso_date(std::string_view s, double& year) {
    int y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0;
    if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' || !digits(s, 8, 2, d))
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap(y))) return false;
    double seconds = 0;
    std::size_t at = 10;
    if (at < s.size()) {
        if ((s[at] != 'T' && s[at] != ' ') || !digits(s, at + 1, 2, hh) || at + 3 >= s.size() || s[at + 3] != ':' ||
            !digits(s, at + 4, 2, mm) || hh > 23 || mm > 59)
            return false;
        at += 6;
        if (at < s.size() && s[at] == ':') {
            if (!digits(s, at + 1, 2, ss) || ss > 60) return false;
            at += 3;
            if (at < s.size() && s[at] == '.') {
                std::size_t k = at + 1;
                while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
                if (k == at + 1) return false;
                seconds = std::stod(std::string(s.substr(at, k - at)));
                at = k;
            }
        }
        if (at < s.size() && s[at] == 'Z') ++at;
        if (at != s.size()) return false;
        seconds += hh * 3600.0 + mm * 60.0 + ss;
    }
    int doy = d - 1;
    for (int k = 0; k < m - 1; ++k) doy += days[k] + (k == 1 && leap(y));
    year = y + (doy + seconds / 86400.0) / (leap(y) ? 366.0 : 365.0);
    return true;
}

std::size_t TypedTable::column(const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c].name == name) return c;
    std::string list;
    for (std::size_t c = 0; c < columns.size() && c < 20; ++c) list += (c ? ", " : "") + columns[c].name;
    if (columns.size() > 20) list += ", ...";
    throw std::runtime_error(source + ": no column '" + name + "' (columns: " + list + ")");
}

TypedTable type_columns(const CsvTable& t) {
    TypedTable out;
    out.source = t.source;
    out.lines = t.lines;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        TableColumn col;
        col.name = t.columns[c];
        col.values.assign(t.size(), nan);
        std::size_t numbers = 0, dates = 0, first_text = t.size(), first_number = t.size(), bad_number = t.size();
        for (std::size_t r = 0; r < t.size(); ++r) {
            col.text.push_back(trimmed(t.rows[r][c]));
            const std::string& s = col.text.back();
            if (s.empty()) continue;
            double v = 0;
            if (t.number_at(r, c, v)) {
                col.values[r] = v;
                ++numbers;
                if (first_number == t.size()) first_number = r;
                continue;
            }
            if (parse_iso_date(s, v)) {
                col.values[r] = v;
                ++dates;
            }
            if (first_text == t.size()) first_text = r;
            // NaN, Inf and numbers too large for a double: refused as numbers, never taken for text
            double x = 0;
            const char* b = s.data() + (s[0] == '+');
            const auto [end, ec] = std::from_chars(b, s.data() + s.size(), x);
            if (end == s.data() + s.size() && (ec == std::errc::result_out_of_range || (ec == std::errc() && !std::isfinite(x))) &&
                bad_number == t.size())
                bad_number = r;
        }
        count(col);
        const std::size_t present = t.size() - col.missing, texts = present - numbers;
        const std::string where = ": column '" + col.name + "' (" + std::to_string(c + 1) + "): ";
        if (present == 0) {
            col.kind = ColumnKind::AllMissing;
        } else if (bad_number < t.size()) {
            col.kind = ColumnKind::Mixed;
            col.problem = t.not_a_number(bad_number, c);
        } else if (numbers == present) {
            col.kind = ColumnKind::Numeric;
        } else if (dates == present) {
            col.kind = ColumnKind::Date;
        } else if (numbers > 0) {
            col.kind = ColumnKind::Mixed;
            if (numbers >= texts)
                col.problem = out.where(first_text) + where + shown(col.text[first_text]) + " is not a number, but the column "
                              "is otherwise numeric (" + count_of(numbers, "number") + ", " + count_of(texts, "text value") + ")";
            else
                col.problem = out.where(first_number) + where + shown(col.text[first_number]) + " is a number, but the "
                              "column is otherwise text (" + count_of(texts, "text value") + ", " + count_of(numbers, "number") + ")";
        } else {
            col.kind = col.levels > std::max<std::size_t>(2, present / 2) ? ColumnKind::Identifier
                       : col.levels > kMaxAutoLevels                     ? ColumnKind::ManyLevels
                                                                          : ColumnKind::Categorical;
        }
        if (col.kind != ColumnKind::Numeric && col.kind != ColumnKind::Date) col.values.assign(t.size(), nan);
        out.columns.push_back(std::move(col));
    }
    return out;
}

std::vector<std::string> choose_features(const TypedTable& t, const std::string& target, const std::vector<std::string>& named,
                                         const std::vector<std::string>& exclude, std::vector<std::string>& notes) {
    const std::string remedy = "; correct the field (leave it empty if the value is missing), or leave the column out "
                               "(--features, --meta)";
    std::vector<std::string> chosen;
    const auto use = [&](const TableColumn& c, bool asked) {
        const std::string col = "column '" + c.name + "'";
        switch (c.kind) {
            case ColumnKind::Mixed: throw std::runtime_error(c.problem + remedy);
            case ColumnKind::AllMissing:
                if (asked) throw std::runtime_error(t.source + ": " + col + " (--features) has no value in any of the " +
                                                    std::to_string(t.size()) + " rows; leave it out of --features");
                notes.push_back(col + " left out: no value in any row");
                return;
            case ColumnKind::Identifier:
            case ColumnKind::ManyLevels:
                if (!asked) {
                    notes.push_back(col + " left out: " +
                                    (c.kind == ColumnKind::Identifier ? "an identifier, " : "text with many levels, ") +
                                    std::to_string(c.levels) + " distinct values in " + std::to_string(t.size() - c.missing) +
                                    " rows (name it in --features to one-hot encode it anyway)");
                    return;
                }
                if (c.levels > 1000)
                    throw std::runtime_error(t.source + ": " + col + " (--features) has " + std::to_string(c.levels) +
                                             " distinct values, over the 1000 levels one-hot encoding takes; leave it out");
                notes.push_back(col + ": " + std::to_string(c.levels) + " levels, one-hot encoded as --features asks");
                break;
            case ColumnKind::Date: {
                std::size_t r = 0;
                while (c.text[r].empty()) ++r;                     // a Date column has a value somewhere
                char year[32];
                std::snprintf(year, sizeof year, "%.3f", c.values[r]);
                notes.push_back(col + ": ISO dates, read as a fractional year (" + c.text[r] + " is " + year + ")");
                break;
            }
            case ColumnKind::Numeric:
            case ColumnKind::Categorical: break;
        }
        chosen.push_back(c.name);
    };
    if (!named.empty()) {
        for (const std::string& n : named) use(t.columns[t.column(n)], true);
        return chosen;
    }
    for (const TableColumn& c : t.columns)
        if (c.name != target && std::find(exclude.begin(), exclude.end(), c.name) == exclude.end()) use(c, false);
    return chosen;
}

TypedTable keep_rows(const TypedTable& t, const std::vector<std::size_t>& rows) {
    TypedTable out;
    out.source = t.source;
    for (std::size_t r : rows) out.lines.push_back(t.lines.at(r));
    for (const TableColumn& c : t.columns) {
        TableColumn k;
        k.name = c.name;
        k.kind = c.kind;
        k.problem = c.problem;
        for (std::size_t r : rows) {
            k.text.push_back(c.text[r]);
            k.values.push_back(c.values[r]);
        }
        count(k);
        out.columns.push_back(std::move(k));
    }
    return out;
}

}  // namespace datasets
