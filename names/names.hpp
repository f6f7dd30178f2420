// names/names.hpp — one idiom for an enum and its names: a table of {value, name} rows, read both ways.
// Header only, the standard library only, so that every folder may include it (datasets/ as well as nn/).
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace names {

// One row per enum value, in the enum's order: {Activation::Relu, "relu"}.
template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

// value's name; `unknown` for a value the table lacks (a byte read from a file, say).
template <class E, std::size_t N>
const char* name_of(const NameTable<E, N>& table, E value, const char* unknown = "?") {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return unknown;
}

// "a, b or c": the valid names, for an error message.
template <class E, std::size_t N>
std::string name_list(const NameTable<E, N>& table) {
    std::string list;
    for (std::size_t i = 0; i < N; ++i)
        list += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + table[i].second;
    return list;
}

// The value named `text`; otherwise throws std::invalid_argument "unknown <what> '<text>' (expected a, b or c)".
template <class E, std::size_t N>
E parse_name(const NameTable<E, N>& table, const std::string& text, const std::string& what) {
    for (const auto& [v, name] : table)
        if (text == name) return v;
    throw std::invalid_argument("unknown " + what + " '" + text + "' (expected " + name_list(table) + ")");
}

}  // namespace names
