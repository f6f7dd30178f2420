// tests/test_docs.cpp — the tutorial cannot drift: every marked block in docs/*.md equals its source file or output.
// Checks text only; compiling and running the snippets is meson's job (tests/meson.build, snippet_names).
//
// Markers (HTML comments, invisible in rendered Markdown), each on the line right before a fenced block:
//   <!-- snippet: snippets/NAME.cpp -->   the block is the whole file docs/snippets/NAME.cpp
//   <!-- excerpt: ../nn/ops.hpp -->       the block's lines appear, in order and unbroken, in that file
//   <!-- output: snippets/NAME.cpp -->    the block is what the built program snippet_NAME prints
// Paths are relative to docs/. A ```cpp block without a marker is an error.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

namespace fs = std::filesystem;

namespace {

using Lines = std::vector<std::string>;
using Source = std::function<std::optional<std::string>(const std::string& path)>;

Lines split_lines(const std::string& text) {
    Lines lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "<!-- kind: path -->" -> {kind, path}; anything else -> nullopt.
std::optional<std::pair<std::string, std::string>> parse_marker(const std::string& line) {
    const std::string t = trim(line);
    if (t.rfind("<!--", 0) != 0 || t.size() < 7 || t.compare(t.size() - 3, 3, "-->") != 0) return std::nullopt;
    const std::string body = trim(t.substr(4, t.size() - 7));
    const auto colon = body.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string kind = trim(body.substr(0, colon));
    if (kind != "snippet" && kind != "excerpt" && kind != "output") return std::nullopt;
    return std::make_pair(kind, trim(body.substr(colon + 1)));
}

bool is_fence(const std::string& line) { return line.rfind("```", 0) == 0; }

// The first line where two texts differ, as a message; "" when they are equal.
std::string first_difference(const Lines& doc, const Lines& src) {
    for (std::size_t i = 0; i < std::max(doc.size(), src.size()); ++i) {
        const std::string d = i < doc.size() ? "'" + doc[i] + "'" : "(block ended)";
        const std::string s = i < src.size() ? "'" + src[i] + "'" : "(source ended)";
        if (d != s) return "block line " + std::to_string(i + 1) + " is " + d + ", source has " + s;
    }
    return "";
}

bool appears_in(const Lines& block, const Lines& file) {
    if (block.empty() || block.size() > file.size()) return false;
    for (std::size_t start = 0; start + block.size() <= file.size(); ++start)
        if (std::equal(block.begin(), block.end(), file.begin() + static_cast<long>(start))) return true;
    return false;
}

// Every problem in one chapter, each naming "chapter:line" and the marker's path.
// `file` reads a path relative to docs/; `output` runs the snippet with that path and returns its stdout.
std::vector<std::string> check_chapter(const std::string& chapter, const std::string& text, const Source& file,
                                       const Source& output) {
    std::vector<std::string> problems;
    const Lines lines = split_lines(text);
    std::optional<std::pair<std::string, std::string>> marker;
    std::size_t marker_line = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string where = chapter + ":" + std::to_string(i + 1);
        if (auto m = parse_marker(lines[i])) {
            marker = m;
            marker_line = i + 1;
            if (i + 1 >= lines.size() || !is_fence(lines[i + 1]))
                problems.push_back(where + ": marker '" + m->first + ": " + m->second +
                                   "' must be followed directly by a ``` block");
            continue;
        }
        if (!is_fence(lines[i])) continue;
        // A fenced block from line i + 1 to its closing fence.
        const std::string lang = trim(lines[i].substr(3));
        Lines block;
        std::size_t j = i + 1;
        for (; j < lines.size() && !is_fence(lines[j]); ++j) block.push_back(lines[j]);
        if (j == lines.size()) problems.push_back(where + ": this ``` block is never closed");
        const bool marked = marker && marker_line == i;
        if (!marked && (lang == "cpp" || lang == "c++"))
            problems.push_back(where + ": a ```" + lang + " block needs a '<!-- snippet: ... -->' or "
                               "'<!-- excerpt: ... -->' line right before it");
        if (marked) {
            const auto& [kind, path] = *marker;
            const std::string at = chapter + ":" + std::to_string(marker_line) + ": " + kind + " " + path + ": ";
            const std::optional<std::string> src = kind == "output" ? output(path) : file(path);
            if (!src) {
                problems.push_back(at + (kind == "output" ? "cannot run the snippet (is it in snippet_names in tests/meson.build?)"
                                                          : "file not found"));
            } else if (kind == "excerpt") {
                if (!appears_in(block, split_lines(*src)))
                    problems.push_back(at + "the block's " + std::to_string(block.size()) +
                                       " lines do not appear unbroken in the file (first line '" +
                                       (block.empty() ? "" : block[0]) + "')");
            } else if (const std::string diff = first_difference(block, split_lines(*src)); !diff.empty()) {
                problems.push_back(at + "differs: " + diff);
            }
        }
        marker.reset();
        i = j;
    }
    return problems;
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    if (!v) throw std::runtime_error(std::string(name) + " is not set: run through `meson test`");
    return v;
}

std::optional<std::string> read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// "snippets/tape_basics.cpp" -> "<build>/snippet_tape_basics"
fs::path snippet_binary(const std::string& path) {
    return fs::path(env("NNSENSE_SNIPPET_BIN")) / ("snippet_" + fs::path(path).stem().string());
}

// Runs a built snippet and returns its stdout, or nullopt if it is missing or exits non-zero.
std::optional<std::string> run_snippet(const std::string& path) {
    static std::map<std::string, std::optional<std::string>> cache;
    if (auto it = cache.find(path); it != cache.end()) return it->second;
    const fs::path bin = snippet_binary(path);
    std::optional<std::string> out;
    if (fs::exists(bin)) {
        if (FILE* pipe = popen(("'" + bin.string() + "'").c_str(), "r")) {
            std::string text;
            char buf[4096];
            for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
            const int status = pclose(pipe);
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) out = text;
        }
    }
    return cache[path] = out;
}

std::vector<fs::path> chapters() {
    std::vector<fs::path> md;
    for (const auto& e : fs::directory_iterator(env("NNSENSE_DOCS")))
        if (e.path().extension() == ".md") md.push_back(e.path());
    std::sort(md.begin(), md.end());
    return md;
}

}  // namespace

TEST_CASE("every marked block in docs/*.md equals its snippet, excerpt or program output") {
    const fs::path docs = env("NNSENSE_DOCS");
    const Source file = [&](const std::string& p) { return read_file(docs / p); };
    std::size_t markers = 0;
    for (const fs::path& md : chapters()) {
        const std::string text = *read_file(md);
        for (const std::string& line : split_lines(text)) markers += parse_marker(line).has_value();
        for (const std::string& problem : check_chapter("docs/" + md.filename().string(), text, file, run_snippet))
            FAIL_CHECK(problem);
    }
    CHECK(markers > 0);
}

TEST_CASE("every docs/snippets/*.cpp is shown by a chapter and built and run by meson") {
    const fs::path docs = env("NNSENSE_DOCS");
    std::string all;
    for (const fs::path& md : chapters()) all += *read_file(md);
    std::size_t snippets = 0;
    for (const auto& e : fs::directory_iterator(docs / "snippets")) {
        if (e.path().extension() != ".cpp") continue;
        ++snippets;
        const std::string rel = "snippets/" + e.path().filename().string();
        INFO(rel);
        CHECK_MESSAGE(all.find("<!-- snippet: " + rel + " -->") != std::string::npos, "no chapter shows ", rel);
        CHECK_MESSAGE(fs::exists(snippet_binary(rel)), "not built: add '", e.path().stem().string(),
                      "' to snippet_names in tests/meson.build");
    }
    CHECK(snippets > 0);
}

TEST_CASE("every chapter and appendix docs/*.md is linked from docs/index.md") {
    const std::string index = *read_file(fs::path(env("NNSENSE_DOCS")) / "index.md");
    for (const fs::path& md : chapters()) {
        const std::string name = md.filename().string();
        if (name == "index.md" || name == "README.md") continue;
        CHECK_MESSAGE(index.find("(" + name + ")") != std::string::npos, "docs/index.md has no link to ", name);
    }
}

// The paths a map of the code names (`nn/training/`, `sensitivity/maps/jacobian.hpp`, or `tape.hpp` in the row of
// `nn/`) that do not exist: one message each. `exists` answers for a path relative to the source root.
std::vector<std::string> missing_paths(const std::string& text, const std::function<bool(const std::string&)>& exists) {
    std::vector<std::string> missing;
    std::size_t line_no = 0;
    for (const std::string& line : split_lines(text)) {
        ++line_no;
        std::vector<std::string> tokens;
        for (std::size_t b = line.find('`'); b != std::string::npos; b = line.find('`', b + 1)) {
            const std::size_t e = line.find('`', b + 1);
            if (e == std::string::npos) break;
            tokens.push_back(line.substr(b + 1, e - b - 1));
            b = e;
        }
        const bool row = line.rfind("| `", 0) == 0 && !tokens.empty() && tokens[0].back() == '/';
        const std::string folder = row ? tokens[0] : "";
        for (const std::string& t : tokens) {
            if (t.empty() || t.find_first_of(" *<>{}()=:,") != std::string::npos) continue;
            const auto ends = [&](const char* ext) { return t.size() > 4 && t.compare(t.size() - 4, 4, ext) == 0; };
            const bool file = ends(".hpp") || ends(".cpp");
            const bool dir = t.find('/') != std::string::npos && t.rfind("build/", 0) != 0;
            if (!dir && !file) continue;
            // From the source root, or from the folder of its row (`serve_page/` in examples/train_and_explain/).
            const std::string local = folder.empty() ? t : folder + t;
            if ((dir && exists(t)) || exists(local)) continue;
            missing.push_back("line " + std::to_string(line_no) + ": `" + t + "` (" + local + ") does not exist");
        }
    }
    return missing;
}

TEST_CASE("every path the map of the code names exists") {
    const fs::path docs = env("NNSENSE_DOCS");
    const fs::path root = docs.parent_path();
    const auto exists = [&](const std::string& p) { return fs::exists(root / p); };
    const std::vector<std::string> missing = missing_paths(*read_file(docs / "code-map.md"), exists);
    for (const std::string& m : missing) FAIL_CHECK("docs/code-map.md " << m);
    // and the check fails when it should
    const auto none = [](const std::string&) { return false; };
    const std::vector<std::string> all = missing_paths("| `nn/` | `tape.hpp`, `nn/ops.hpp` and `a b` |\n", none);
    REQUIRE(all.size() == 3);
    CHECK(all[1] == "line 1: `tape.hpp` (nn/tape.hpp) does not exist");
}

// ---- the checker itself must fail when it should
TEST_CASE("the docs checker names the chapter, line and snippet when a block drifts or a file is missing") {
    const std::map<std::string, std::string> files = {
        {"snippets/a.cpp", "int main() {\n    return 0;\n}\n"},
        {"../nn/x.hpp", "// x\nint f();\nint g();\nint h();\n"},
    };
    const Source file = [&](const std::string& p) -> std::optional<std::string> {
        auto it = files.find(p);
        return it == files.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    const Source output = [](const std::string& p) -> std::optional<std::string> {
        return p == "snippets/a.cpp" ? std::optional<std::string>("hello\n") : std::nullopt;
    };
    const auto check = [&](const std::string& text) { return check_chapter("docs/t.md", text, file, output); };

    CHECK(check("# ok\n<!-- snippet: snippets/a.cpp -->\n```cpp\nint main() {\n    return 0;\n}\n```\n"
                "<!-- excerpt: ../nn/x.hpp -->\n```cpp\nint f();\nint g();\n```\n"
                "<!-- output: snippets/a.cpp -->\n```text\nhello\n```\n```sh\nls\n```\n")
              .empty());

    auto p = check("text\n<!-- snippet: snippets/a.cpp -->\n```cpp\nint main() {\n    return 1;\n}\n```\n");
    REQUIRE(p.size() == 1);
    CHECK(p[0] == "docs/t.md:2: snippet snippets/a.cpp: differs: block line 2 is '    return 1;', "
                  "source has '    return 0;'");

    p = check("<!-- snippet: snippets/a.cpp -->\n```cpp\nint main() {\n```\n");
    REQUIRE(p.size() == 1);
    CHECK(p[0] == "docs/t.md:1: snippet snippets/a.cpp: differs: block line 2 is (block ended), "
                  "source has '    return 0;'");

    p = check("<!-- snippet: snippets/gone.cpp -->\n```cpp\nint main() {}\n```\n");
    REQUIRE(p.size() == 1);
    CHECK(p[0] == "docs/t.md:1: snippet snippets/gone.cpp: file not found");

    p = check("<!-- excerpt: ../nn/x.hpp -->\n```cpp\nint f();\nint h();\n```\n");   // not unbroken
    REQUIRE(p.size() == 1);
    CHECK(p[0].rfind("docs/t.md:1: excerpt ../nn/x.hpp: the block's 2 lines do not appear", 0) == 0);

    p = check("<!-- output: snippets/a.cpp -->\n```text\nhallo\n```\n");
    REQUIRE(p.size() == 1);
    CHECK(p[0] == "docs/t.md:1: output snippets/a.cpp: differs: block line 1 is 'hallo', source has 'hello'");

    p = check("<!-- output: snippets/b.cpp -->\n```text\nhello\n```\n");
    REQUIRE(p.size() == 1);
    CHECK(p[0].rfind("docs/t.md:1: output snippets/b.cpp: cannot run the snippet", 0) == 0);

    p = check("one\n\n```cpp\nint main() {}\n```\n");                              // unmarked C++
    REQUIRE(p.size() == 1);
    CHECK(p[0].rfind("docs/t.md:3: a ```cpp block needs", 0) == 0);

    p = check("<!-- snippet: snippets/a.cpp -->\n\n```cpp\nint main() {\n    return 0;\n}\n```\n");  // gap
    REQUIRE(p.size() == 2);
    CHECK(p[0].rfind("docs/t.md:1: marker 'snippet: snippets/a.cpp' must be followed directly", 0) == 0);
}
