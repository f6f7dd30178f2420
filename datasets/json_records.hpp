// datasets/json_records.hpp — a table read from a JSON array of flat records, the layout pandas'
// DataFrame.to_json(orient="records") writes. Gives the same text table as the CSV reader; typing is table_columns.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "datasets/csv.hpp"

namespace datasets {

// Parses `[{"a": 1, "b": "x"}, {"a": null, "b": "y"}, ...]` into a CsvTable: the columns are the records' keys in the
// order first seen, a number becomes its shortest text ("11.5"), true/false the words, and null, an empty string or a key
// a record lacks becomes an empty field (a missing value). lines[r] is the line where record r starts. Throws a one-line
// std::runtime_error naming `source` (and the line and record where it applies) for: text that is not JSON, a top level
// that is not an array, an empty array, records without any key, a record that is not an object, a value that is an
// object or an array, an empty key, more than `max_bytes` of text.
CsvTable parse_json_records(std::string_view text, const std::string& source, std::size_t max_bytes = kMaxCsvBytes);

// Reads the file at `path` (the size limit is checked before reading) and parses it.
CsvTable read_json_records(const std::string& path, std::size_t max_bytes = kMaxCsvBytes);

// A CSV file or a JSON array of records: JSON when the name ends in .json or the text starts with '[' (after spaces).
CsvTable read_table(const std::string& path, std::size_t max_bytes = kMaxCsvBytes);

}  // namespace datasets
