// datasets/csv.cpp — the CSV state machine (fields, quotes, line counting) and the checked number conversion.
// Hand-written so that every error can name its line: a quoted field may span lines, so rows and lines differ.
#include "datasets/csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <unordered_set>

namespace datasets {

namespace {

[[noreturn]] void fail(const std::string& source, std::size_t line, const std::string& what) {
    throw std::runtime_error(source + ":" + std::to_string(line) + ": " + what);
}

std::string shown(std::string_view s) {   // a field inside an error message, cut to 40 bytes
    std::string out(s.substr(0, 40));
    if (s.size() > 40) out += "...";
    for (char& ch : out)
        if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
    return "'" + out + "'";
}

// ',' or ';': whichever of the two the first line has more of outside quotes (',' on a tie).
char detect_delimiter(std::string_view text) {
    std::size_t commas = 0, semicolons = 0;
    bool quoted = false;
    for (char ch : text) {
        if (ch == '"') quoted = !quoted;
        else if (!quoted && (ch == '\n' || ch == '\r')) break;
        else if (!quoted && ch == ',') ++commas;
        else if (!quoted && ch == ';') ++semicolons;
    }
    return semicolons > commas ? ';' : ',';
}

}  // namespace

bool parse_number(std::string_view s, double& value) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.size() > 1 && s.front() == '+' && (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.'))
        s.remove_prefix(1);                      // "+1.5" is 1.5; "+-1" stays "not a number"
    if (s.empty()) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc::result_out_of_range && end == s.data() + s.size()) {
        // Too small (1e-400 underflows to 0 or a subnormal: a fine number) or too large (1e400: not finite).
        const double r = std::strtod(std::string(s).c_str(), nullptr);
        if (!std::isfinite(r)) return false;
        value = r;
        return true;
    }
    return ec == std::errc() && end == s.data() + s.size() && std::isfinite(value);
}

std::size_t CsvTable::column(const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c] == name) return c;
    std::string list;
    for (std::size_t c = 0; c < columns.size() && c < 20; ++c) list += (c ? ", " : "") + columns[c];
    if (columns.size() > 20) list += ", ...";
    throw std::runtime_error(source + ": no column '" + name + "' (columns: " + list + ")");
}

bool CsvTable::number_at(std::size_t r, std::size_t c, double& value) const {
    std::string field = rows.at(r).at(c);
    if (delimiter == ';') std::replace(field.begin(), field.end(), ',', '.');   // 1,5 is one and a half there
    return parse_number(field, value);
}

bool CsvTable::is_numeric(std::size_t c) const {
    double v = 0;
    for (std::size_t r = 0; r < rows.size(); ++r)
        if (!number_at(r, c, v)) return false;
    return true;
}

std::string CsvTable::not_a_number(std::size_t r, std::size_t c) const {
    std::string field = rows.at(r).at(c);
    if (delimiter == ';') std::replace(field.begin(), field.end(), ',', '.');
    const std::string where = source + ":" + std::to_string(lines[r]) + ": column '" + columns[c] + "' (" +
                              std::to_string(c + 1) + "): ";
    std::string_view t = field;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.empty()) return where + "missing value";
    double v = 0;
    const auto [end, ec] = std::from_chars(t.data() + (t.front() == '+'), t.data() + t.size(), v);
    if (ec == std::errc::result_out_of_range)
        return where + shown(t) + " is too large for a double; every value must be a finite number";
    if (ec == std::errc() && end == t.data() + t.size() && !std::isfinite(v))
        return where + shown(t) + " is NaN or infinite; every value must be a finite number";
    return where + shown(t) + " is not a number";
}

std::vector<double> CsvTable::numbers(std::size_t c) const {
    std::vector<double> out(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
        if (!number_at(r, c, out[r])) throw std::runtime_error(not_a_number(r, c));
    return out;
}

CsvTable parse_csv(std::string_view text, const std::string& source, std::size_t max_bytes) {
    if (text.size() > max_bytes)
        throw std::runtime_error(source + ": " + std::to_string(text.size()) + " bytes is over the limit of " +
                                 std::to_string(max_bytes) + " bytes");
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);   // UTF-8 byte-order mark
    CsvTable t;
    t.source = source;
    t.delimiter = detect_delimiter(text);

    std::vector<std::string> fields;
    std::string field;
    std::size_t line = 1, row_line = 1;
    bool have_header = false;
    // Ends a record: the header first, then data rows of exactly the header's width. Blank lines are skipped.
    const auto end_row = [&]() {
        if (fields.size() == 1 && fields[0].empty()) { fields.clear(); return; }
        if (!have_header) {
            std::unordered_set<std::string> seen;
            for (std::size_t c = 0; c < fields.size(); ++c) {
                if (fields[c].empty())
                    fail(source, row_line, "header column " + std::to_string(c + 1) + " has no name");
                if (!seen.insert(fields[c]).second)
                    fail(source, row_line, "duplicate header name " + shown(fields[c]) + " (column " +
                                               std::to_string(c + 1) + ")");
            }
            t.columns = std::move(fields);
            have_header = true;
        } else {
            if (fields.size() != t.columns.size())
                fail(source, row_line, "row has " + std::to_string(fields.size()) + " fields, the header has " +
                                           std::to_string(t.columns.size()) + " (column " +
                                           std::to_string(std::min(fields.size(), t.columns.size()) + 1) + ")");
            t.rows.push_back(std::move(fields));
            t.lines.push_back(row_line);
        }
        fields.clear();
    };
    const auto column_here = [&]() { return "column " + std::to_string(fields.size() + 1); };

    enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted };
    State state = State::FieldStart;
    std::size_t quote_line = 0;
    const char d = t.delimiter;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        const bool newline = ch == '\n' || ch == '\r';
        if (newline && ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;   // CRLF is one line end
        switch (state) {
            case State::FieldStart:
            case State::Unquoted:
                if (ch == d) {
                    fields.push_back(std::move(field));
                    field.clear();
                    state = State::FieldStart;
                } else if (newline) {
                    fields.push_back(std::move(field));
                    field.clear();
                    end_row();
                    state = State::FieldStart;
                    row_line = ++line;
                } else if (ch == '"') {
                    if (state == State::Unquoted)
                        fail(source, line, column_here() + ": a quote inside an unquoted field (quote the whole field)");
                    state = State::Quoted;
                    quote_line = line;
                } else {
                    field += ch;
                    state = State::Unquoted;
                }
                break;
            case State::Quoted:
                if (ch == '"') state = State::QuoteInQuoted;
                else if (newline) { field += '\n'; ++line; }
                else field += ch;
                break;
            case State::QuoteInQuoted:
                if (ch == '"') { field += '"'; state = State::Quoted; }
                else if (ch == d) { fields.push_back(std::move(field)); field.clear(); state = State::FieldStart; }
                else if (newline) {
                    fields.push_back(std::move(field));
                    field.clear();
                    end_row();
                    state = State::FieldStart;
                    row_line = ++line;
                } else {
                    fail(source, line, column_here() + ": text after the closing quote of a field");
                }
                break;
        }
    }
    if (state == State::Quoted)
        fail(source, quote_line, column_here() + ": a quoted field that never closes");
    if (state != State::FieldStart || !fields.empty()) {   // the last line had no line end
        fields.push_back(std::move(field));
        end_row();
    }
    if (!have_header) throw std::runtime_error(source + ": empty file (expected a header row)");
    if (t.rows.empty()) throw std::runtime_error(source + ": a header row but no data rows");
    return t;
}

std::string read_text_file(const std::string& path, std::size_t max_bytes, const char* kind) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw std::runtime_error(path + ": is a directory, not a " + kind + " file");
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
    f.seekg(0, std::ios::end);
    const std::streamoff size = f.tellg();
    if (size < 0) throw std::runtime_error(path + ": cannot read (not a regular file?)");
    if (static_cast<std::size_t>(size) > max_bytes)
        throw std::runtime_error(path + ": " + std::to_string(size) + " bytes is over the limit of " +
                                 std::to_string(max_bytes) + " bytes");
    std::string text(static_cast<std::size_t>(size), '\0');
    f.seekg(0);
    if (!f.read(text.data(), size)) throw std::runtime_error(path + ": read error");
    return text;
}

CsvTable read_csv(const std::string& path, std::size_t max_bytes) {
    return parse_csv(read_text_file(path, max_bytes, "CSV"), path, max_bytes);
}

}  // namespace datasets
