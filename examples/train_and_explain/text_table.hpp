// examples/train_and_explain/text_table.hpp — a terminal table whose columns are as wide as their widest cell (a 30-character
// column name moves every row's next column, not just its own). Presentation only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace app {

// Characters on screen of UTF-8 text: every byte but continuation bytes (10xxxxxx) counts once.
inline std::size_t display_width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// rows[0] is the header. Columns are separated by two spaces, each padded to its widest cell (left-aligned, or
// right-aligned where `right[i]`); every line starts with `indent` and ends without trailing spaces.
inline std::string text_table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right,
                              const std::string& indent = "  ") {
    std::vector<std::size_t> width;
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], display_width(r[i]));
        }
    std::string out;
    for (const auto& r : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < r.size(); ++i) {
            const std::string pad(width[i] - display_width(r[i]), ' ');
            const bool is_right = i < right.size() && right[i];
            line += (i ? "  " : "") + (is_right ? pad + r[i] : r[i] + pad);
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out += line + "\n";
    }
    return out;
}

}  // namespace app
