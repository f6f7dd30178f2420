// examples/train_and_explain/report_html.hpp — out/report.html: one self-contained page about a train-and-explain run (figures inlined).
// Formatting only: the numbers come from report.json (and metrics.json); tests/report/check_report renders it in Chromium.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace app {

// Text made safe inside HTML elements and attribute values: & < > " ' become entities.
std::string html_escape(std::string_view text);

// Standard base64 (RFC 4648, with '=' padding), for data: URIs.
std::string base64(std::string_view bytes);

// The whole page for `report` (the run's report.json). Keys it reads, each optional: "run" (when, configuration, stage
// timings), "test" (accuracy, per-class accuracy, confusion), "training", "sensitivity", "beyond", "probes",
// "rotation_augmentation", "fd_check"; a section whose key is missing says "not run". Figures named in the report
// (paths relative to `out_dir`) are inlined as data:image/png;base64 URIs; one that cannot be read is linked by its
// relative path instead, so the page's own image check (and tests/report/check_report) reports it as broken.
// Also reads <out_dir>/metrics.json for the per-epoch table when it exists.
std::string report_html(const nlohmann::ordered_json& report, const std::filesystem::path& out_dir);

// report_html() written atomically to <out_dir>/report.html; returns that path.
std::filesystem::path write_report_html(const nlohmann::ordered_json& report, const std::filesystem::path& out_dir);

}  // namespace app
