// datasets/csv.hpp — a table read from a CSV file: a header row, then rows of fields (RFC 4180 quoting, ',' or ';').
// Text only, plus the checked conversion of a column to numbers; which columns feed a model is examples/train_and_explain/table_stage.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace datasets {

struct CsvTable {
    std::string source;                          // the file name, used in every error message
    char delimiter = ',';                        // ',' or ';' (whichever the header row has more of, outside quotes)
    std::vector<std::string> columns;            // header names, unique, non-empty
    std::vector<std::vector<std::string>> rows;  // [rows][columns] fields, quotes removed
    std::vector<std::size_t> lines;              // [rows]: the 1-based line each row starts on (the header is line 1)

    std::size_t size() const { return rows.size(); }
    // Index of the column named `name`; throws "<source>: no column 'name' (columns: a, b, c)".
    std::size_t column(const std::string& name) const;
    // Column `c` as numbers. Throws a one-line error naming the file, line and column for an empty field
    // ("missing value"), a field that is not a number, NaN/Inf, or a number too large for a double
    // ("<source>:7: column 'x2' (3): 'abc' is not a number"). A number too small for a double reads as 0.
    std::vector<double> numbers(std::size_t c) const;
    // True when every field of column `c` parses as a finite number.
    bool is_numeric(std::size_t c) const;
    // Field (r, c) as a finite number, read as parse_number does (a decimal comma in a ';' file); false if it is not.
    bool number_at(std::size_t r, std::size_t c, double& value) const;
    // Why field (r, c) is not a number, as the one-line error numbers() throws (missing value, NaN or Inf, too large,
    // not a number).
    std::string not_a_number(std::size_t r, std::size_t c) const;
};

// The default size limit: 256 MiB of text.
constexpr std::size_t kMaxCsvBytes = std::size_t(256) << 20;

// Parses CSV text. Accepts a UTF-8 byte-order mark, CRLF or LF line ends, a missing final line end, quoted fields
// with embedded delimiters, newlines and "" escapes; blank lines are skipped. Throws std::runtime_error with one line
// naming `source`, the line and (where it applies) the column for: no header row (empty input), an empty or duplicate
// header name, a row whose field count differs from the header's, a quote inside an unquoted field, text after a
// closing quote, a quoted field that never closes, no data rows, more than `max_bytes` of text.
CsvTable parse_csv(std::string_view text, const std::string& source, std::size_t max_bytes = kMaxCsvBytes);

// The whole file at `path` as text; throws one line naming it for a directory ("is a directory, not a <kind> file"),
// a file that cannot be opened or read, or one over `max_bytes` (checked before reading). Used by every table reader.
std::string read_text_file(const std::string& path, std::size_t max_bytes, const char* kind);

// Reads and parses the file at `path` (the size limit is checked before reading).
CsvTable read_csv(const std::string& path, std::size_t max_bytes = kMaxCsvBytes);

// One field as a finite double ("1e3", "-0.5", " 2 "): false if it is empty, not a number, NaN or Inf.
bool parse_number(std::string_view field, double& value);

}  // namespace datasets
