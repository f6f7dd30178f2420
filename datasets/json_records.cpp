// datasets/json_records.cpp — JSON records into the CSV reader's text table: nlohmann/json parses, a small scanner finds
// the line each record starts on (nlohmann keeps no positions), so errors name a line as the CSV reader's do.
#include "datasets/json_records.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace datasets {

namespace {

const char* kLayout = "a JSON table must be an array of flat records, [{\"column\": value, ...}, ...], as pandas' "
                      "to_json(orient=\"records\") writes";

// The 1-based line on which each element of the top-level array starts. Only called on text nlohmann has accepted.
std::vector<std::size_t> element_lines(std::string_view text) {
    std::vector<std::size_t> lines;
    std::size_t line = 1, depth = 0;
    bool in_string = false, escaped = false, expecting = false;
    for (char ch : text) {
        if (ch == '\n') ++line;
        if (in_string) {
            if (escaped) escaped = false;
            else if (ch == '\\') escaped = true;
            else if (ch == '"') in_string = false;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
        if (depth == 1 && expecting && ch != ']') {
            lines.push_back(line);
            expecting = false;
        }
        if (ch == '"') in_string = true;
        else if (ch == '[' || ch == '{') { if (++depth == 1) expecting = true; }
        else if (ch == ']' || ch == '}') --depth;
        else if (ch == ',' && depth == 1) expecting = true;
    }
    return lines;
}

std::string type_name(const nlohmann::ordered_json& v) {
    if (v.is_object()) return "an object";
    if (v.is_array()) return "an array";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "true/false";
    if (v.is_null()) return "null";
    return "a number";
}

}  // namespace

CsvTable parse_json_records(std::string_view text, const std::string& source, std::size_t max_bytes) {
    if (text.size() > max_bytes)
        throw std::runtime_error(source + ": " + std::to_string(text.size()) + " bytes is over the limit of " +
                                 std::to_string(max_bytes) + " bytes");
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);   // UTF-8 byte-order mark
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(source + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_array()) throw std::runtime_error(source + ": the top level is " + type_name(j) + ", not an array; " + kLayout);
    if (j.empty()) throw std::runtime_error(source + ": an empty array, no records");
    const std::vector<std::size_t> starts = element_lines(text);
    CsvTable t;
    t.source = source;
    std::unordered_map<std::string, std::size_t> index;                // key -> column
    for (std::size_t r = 0; r < j.size(); ++r) {
        const std::size_t line = r < starts.size() ? starts[r] : 0;
        const std::string at = source + ":" + std::to_string(line) + ": record " + std::to_string(r + 1);
        const auto& rec = j[r];
        if (!rec.is_object()) throw std::runtime_error(at + " is " + type_name(rec) + ", not an object; " + kLayout);
        std::vector<std::string> row(t.columns.size());
        for (const auto& [key, v] : rec.items()) {
            if (key.empty()) throw std::runtime_error(at + ": a key with no name");
            auto it = index.find(key);
            if (it == index.end()) {                                    // a new column: missing in earlier records
                it = index.emplace(key, t.columns.size()).first;
                t.columns.push_back(key);
                for (auto& earlier : t.rows) earlier.emplace_back();
                row.emplace_back();
            }
            std::string& field = row[it->second];
            if (v.is_object() || v.is_array())
                throw std::runtime_error(at + ", '" + key + "': " + type_name(v) + "; " + kLayout +
                                         " (numbers, text, true/false or null)");
            if (v.is_string()) field = v.get<std::string>();
            else if (v.is_boolean()) field = v.get<bool>() ? "true" : "false";
            else if (v.is_number()) field = v.dump();
            // null stays "" (missing)
        }
        t.rows.push_back(std::move(row));
        t.lines.push_back(line);
    }
    if (t.columns.empty()) throw std::runtime_error(source + ": no record has a key, so the table has no columns");
    return t;
}

CsvTable read_json_records(const std::string& path, std::size_t max_bytes) {
    return parse_json_records(read_text_file(path, max_bytes, "JSON"), path, max_bytes);
}

CsvTable read_table(const std::string& path, std::size_t max_bytes) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext == ".json") return read_json_records(path, max_bytes);
    if (ext != ".csv") {                                                 // look at the first byte that is not a space
        std::ifstream f(path, std::ios::binary);
        char ch = 0;
        while (f.get(ch) && std::isspace(static_cast<unsigned char>(ch))) {}
        if (f && ch == '[') return read_json_records(path, max_bytes);
    }
    return read_csv(path, max_bytes);
}

}  // namespace datasets
