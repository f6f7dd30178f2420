// examples/train_and_explain/table_report.cpp — out/report.html for a --csv run: the model's score, the per-feature table with correlation
// flags, the columns (kinds, missing values, encoding), the categorical level effects, the figures (inlined), the
// finite-difference check and the probes. Formatting only; numbers come from t.report.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include "examples/train_and_explain/report_html.hpp"
#include "examples/train_and_explain/table.hpp"
#include "examples/train_and_explain/util.hpp"
#include "nn/training/atomic_file.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {

// An <img> with the PNG inlined; a file that cannot be read is linked by its relative path (the page's check reports it).
std::string image(const fs::path& out, const std::string& rel, const std::string& alt) {
    std::ifstream f(out / rel, std::ios::binary);
    std::ostringstream bytes;
    bytes << f.rdbuf();
    const std::string src = f && bytes.str().size() > 0 ? "data:image/png;base64," + base64(bytes.str()) : html_escape(rel);
    return "<img src=\"" + src + "\" alt=\"" + html_escape(alt) + "\" style=\"max-width:100%\">\n";
}

std::string num(const nlohmann::ordered_json& v) { return v.is_number() ? fmt(v.get<double>(), 4) : "–"; }

}  // namespace

void write_table_report(const Options& opt, const TableRun& t) {
    const fs::path out(opt.out);
    const auto& r = t.report;
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nnsense: " << html_escape(t.target)
      << " from " << html_escape(fs::path(opt.csv).filename().string()) << "</title>\n<style>body{font-family:DejaVu Sans,"
         "sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid "
         "#ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.flag td{background:#fde8e8}tr.disagree td{background:#fff3c4}"
         "</style></head><body>\n";
    h << "<h1>Table: " << html_escape(t.target) << " (" << html_escape(t.task) << ")</h1>\n<p>"
      << html_escape(opt.csv) << ": " << t.csv.size() << " rows read, " << t.table.size() << " used, " << t.features.size()
      << " features (" << html_escape(r["table"]["features"].dump()) << ") as " << t.inputs.size() << " inputs, meta "
      << html_escape(r["table"]["meta"].dump()) << ". ";
    if (r.contains("training"))
        h << "Network " << html_escape(nn::layer_widths(t.model)) << " "
          << html_escape(r["training"]["activation"].get<std::string>()) << ", up to " << r["training"]["epochs"].get<std::size_t>()
          << " epochs of " << html_escape(r["training"]["optimizer"].get<std::string>()) << " with weight decay "
          << num(r["training"]["weight_decay"]) << " (" << html_escape(r["training"]["weight_decay_from"].get<std::string>())
          << "); the weights of epoch " << r["training"]["best_epoch"].get<std::size_t>() << " (lowest validation loss, "
          << "patience " << r["training"]["patience"].get<std::size_t>() << ") are kept; features standardized with the "
          << "training rows' means and SDs; " << t.validation_rows.size() << " rows held out.";
    else
        h << "Saved model " << html_escape(opt.model) << ", every row is new to it.";
    h << "</p>\n<h2>How good the model is</h2>\n<p>";
    const auto& m = r["metrics"];
    if (m.contains("r2"))
        h << "R² = " << num(m["r2"]) << ", RMSE " << num(m["rmse"]) << " (target sd " << num(m["target_sd"]) << ") on "
          << m["rows_evaluated"].get<std::size_t>() << " rows.";
    else if (m.contains("test_accuracy"))
        h << "Accuracy " << fixed(100 * m["test_accuracy"].get<double>(), 2) << "% on " << m["rows_evaluated"].get<std::size_t>()
          << " rows.";
    else
        h << "The CSV has no '" << html_escape(t.target) << "' column: no score, no probes.";
    h << "</p>\n";
    if (r.contains("cv")) {
        const auto& cv = r["cv"];
        const bool classify = cv["net"].contains("accuracy");
        const std::string a = classify ? "accuracy" : "r2", b = classify ? "log_loss" : "rmse";
        if (!cv["net_better"].get<bool>())
            h << "<p style=\"background:#fde8e8;border:2px solid #c00;padding:8px\"><b>The net is not better than a "
                 "straight line.</b> " << html_escape(t.cv_summary) << ". The sensitivities below describe this model; "
                 "compare them with the baseline's per-SD coefficients beside them.</p>\n";
        h << "<p>" << html_escape(t.cv_summary) << ".</p>\n<table><tr><th>" << cv["folds"].get<std::size_t>()
          << "-fold cross-validation</th><th>" << (classify ? "accuracy" : "R²") << " (mean ± sd over folds)</th><th>"
          << (classify ? "log-loss" : "RMSE") << "</th></tr>\n";
        for (const char* who : {"net", "baseline"})
            h << "<tr><td>" << (std::string(who) == "net" ? "net" : html_escape(cv["baseline"]["model"].get<std::string>()))
              << "</td><td>" << num(cv[who][a]["mean"]) << " ± " << num(cv[who][a]["sd"]) << "</td><td>"
              << num(cv[who][b]["mean"]) << " ± " << num(cv[who][b]["sd"]) << "</td></tr>\n";
        h << "</table>\n";
    }
    if (r.contains("training") && r["training"].contains("curve_figure"))
        h << image(out, r["training"]["curve_figure"].get<std::string>(), "training curve with the kept epoch marked");

    // The columns: kind, role, missing values and what was done with them (imputed, one-hot, left out).
    h << "<h2>Columns</h2>\n<table><tr><th>column</th><th>kind</th><th>role</th><th>missing</th><th>imputed</th>"
         "<th>inputs</th></tr>\n";
    std::map<std::string, nlohmann::ordered_json> encoded;
    for (const auto& c : r["table"]["encoded_columns"]) encoded[c["name"].get<std::string>()] = c;
    for (const auto& c : t.table.columns) {
        const auto& f = t.features;
        const bool feature = std::find(f.begin(), f.end(), c.name) != f.end();
        const bool meta = std::find(t.meta.begin(), t.meta.end(), c.name) != t.meta.end();
        const std::string role = c.name == t.target ? "target" : feature ? "feature" : meta ? "meta" : "left out";
        std::string inputs, imputed = "–";
        if (encoded.count(c.name)) {
            for (const auto& i : encoded[c.name]["inputs"]) inputs += (inputs.empty() ? "" : ", ") + i.get<std::string>();
            imputed = std::to_string(encoded[c.name]["imputed"].get<std::size_t>());
        }
        h << "<tr><td>" << html_escape(c.name) << "</td><td>" << html_escape(datasets::kind_name(c.kind)) << "</td><td>"
          << role << "</td><td>" << c.missing << "</td><td>" << imputed << "</td><td>" << html_escape(inputs) << "</td></tr>\n";
    }
    h << "</table>\n";
    for (const auto& n : r["table"]["notes"]) h << "<p>Note: " << html_escape(n.get<std::string>()) << "</p>\n";

    const auto& s = r["sensitivity"];
    h << "<h2>Sensitivity of " << html_escape(s["output"].get<std::string>()) << " to each feature</h2>\n"
      << "<p>From one tape per batch: J = ∂y/∂x for all " << s["rows"].get<std::size_t>() << " rows. mean |J| is in the "
      << "target's units per unit of the feature, so features in different units are compared in the per-SD column "
      << "(mean |J| × the feature's SD). The one fit's intervals: " << html_escape(s["bootstrap"].get<std::string>()) << ". "
      << (r.contains("refit") ? "The refit columns: " + html_escape(r["refit"]["interval"].get<std::string>()) +
                                    "; rows are ordered by the mean over refits; a rank range marked ! is unstable over the "
                                    "refits. Baseline: " + html_escape(r["refit"]["baseline"].get<std::string>()) + ". "
                              : std::string())
      << "Rows in red "
      << "belong to a group of features whose |Spearman ρ| on the training rows is at least "
      << num(s["groups"]["threshold"]) << ": the model may have used any of them, and the split between them is arbitrary; "
      << "read the group's line below.";
    const bool perm = !s["permutation"].is_null();
    if (perm)
        h << " <i>Shuffled</i>: the rise in " << html_escape(s["permutation"]["loss"].get<std::string>()) << " on "
          << s["permutation"]["rows"].get<std::size_t>() << " held-out rows when the column is shuffled ("
          << s["permutation"]["repeats"].get<std::size_t>() << " shuffles; " << html_escape(s["permutation"]["interval"].get<std::string>())
          << "). Rows in yellow rank more than " << s["permutation"]["rank_limit"].get<std::size_t>()
          << " places apart by the Jacobian and by shuffling.";
    const bool refit = r.contains("refit");
    h << "</p>\n<table><tr><th>feature</th><th>mean |J|</th><th>95% row bootstrap, one fit</th><th>mean J</th><th>SD</th>"
         "<th>per SD</th><th>95% row bootstrap, one fit</th>"
      << (refit ? "<th>per SD, mean over refits</th><th>95% refit interval</th><th>top-3 share</th><th>rank range</th>"
                  "<th>baseline per SD</th>" : "")
      << (perm ? "<th>shuffled: loss rise</th><th>95% interval</th><th>rank J / shuffled</th>" : "") << "<th>group</th></tr>\n";
    for (const auto& f : s["features"]) {
        const bool grouped = !f["group"].is_null();
        const bool disagree = perm && f["permutation"]["disagree"].get<bool>();
        h << "<tr" << (disagree ? " class=\"disagree\"" : grouped ? " class=\"flag\"" : "") << "><td>"
          << html_escape(f["feature"].get<std::string>()) << "</td><td>" << num(f["mean_abs"]) << "</td><td>["
          << num(f["mean_abs_lo"]) << ", " << num(f["mean_abs_hi"]) << "]</td><td>" << num(f["mean"]) << "</td><td>"
          << num(f["sd"]) << "</td><td>" << num(f["mean_abs_per_sd"]) << "</td><td>[" << num(f["mean_abs_per_sd_lo"]) << ", "
          << num(f["mean_abs_per_sd_hi"]) << "]</td>";
        if (refit) {
            const auto& q = f["refit"];
            h << "<td>" << num(q["mean_over_fits"]) << "</td><td>[" << num(q["refit_lo"]) << ", " << num(q["refit_hi"])
              << "]</td><td>" << std::lround(100 * q["top3_share"].get<double>()) << "%</td><td>"
              << q["rank_min"].get<std::size_t>() << "–" << q["rank_max"].get<std::size_t>()
              << (q["unstable"].get<bool>() ? " <b>unstable</b>" : "") << "</td><td>" << num(q["baseline_per_sd"]) << "</td>";
        }
        if (perm) {
            const auto& p = f["permutation"];
            h << "<td>" << num(p["rise"]) << "</td><td>[" << num(p["lo"]) << ", " << num(p["hi"]) << "]</td><td>"
              << p["rank_jacobian"].get<std::size_t>() << " / " << p["rank"].get<std::size_t>() << (disagree ? " (differ)" : "")
              << "</td>";
        }
        h << "<td>" << (grouped ? html_escape(f["group"].get<std::string>()) : "") << "</td></tr>\n";
    }
    h << "</table>\n";
    const auto& groups = s["groups"]["list"];
    if (!groups.empty()) {
        h << "<h3>Groups of correlated features</h3>\n<p>Per SD along the group's direction: "
          << html_escape(s["groups"]["direction"].get<std::string>()) << ".</p>\n<table><tr><th>group</th><th>members</th>"
          << "<th>per SD</th><th>95% interval</th>" << (perm ? "<th>shuffled together</th><th>95% interval</th>" : "") << "</tr>\n";
        for (const auto& g : groups) {
            std::string members;
            for (const auto& m : g["members"]) members += (members.empty() ? "" : ", ") + m.get<std::string>();
            h << "<tr><td>" << html_escape(g["name"].get<std::string>()) << "</td><td>" << html_escape(members) << "</td><td>"
              << num(g["mean_abs_per_sd"]) << "</td><td>[" << num(g["mean_abs_per_sd_lo"]) << ", "
              << num(g["mean_abs_per_sd_hi"]) << "]</td>";
            if (perm)
                h << "<td>" << num(g["permutation"]["rise"]) << "</td><td>[" << num(g["permutation"]["lo"]) << ", "
                  << num(g["permutation"]["hi"]) << "]</td>";
            h << "</tr>\n";
        }
        h << "</table>\n";
        for (const auto& g : groups) {
            std::string members;
            for (const auto& m : g["members"]) members += (members.empty() ? "" : ", ") + m.get<std::string>();
            h << "<p><b>Caveat:</b> " << html_escape(g["name"].get<std::string>()) << " (" << html_escape(members)
              << ") move together (|ρ| ≥ " << num(g["min_abs_rho"]) << "). Their sensitivities are not separately "
              << "meaningful; the group's is.</p>\n";
        }
    }
    if (s.contains("categorical") && !s["categorical"].empty()) {
        h << "<h3>Categorical columns: what moving a row to each level does</h3>\n<p>A level is not a number to "
             "differentiate by. For each level, every row is moved to it (its other inputs unchanged) and the change of "
          << html_escape(s["output"].get<std::string>()) << " is averaged over the " << s["rows"].get<std::size_t>()
          << " rows; rows already at the level add 0. SD is the spread of that change over the rows.</p>\n"
             "<table><tr><th>column</th><th>level</th><th>rows at level</th><th>mean change</th><th>SD</th>"
             "<th>mean |change|</th></tr>\n";
        for (const auto& e : s["categorical"])
            h << "<tr><td>" << html_escape(e["column"].get<std::string>()) << "</td><td>"
              << html_escape(e["level"].get<std::string>()) << "</td><td>" << e["rows_at_level"].get<std::size_t>()
              << "</td><td>" << num(e["mean_change"]) << "</td><td>" << num(e["sd_change"]) << "</td><td>"
              << num(e["mean_abs_change"]) << "</td></tr>\n";
        h << "</table>\n";
    }
    if (!s["figure"].get<std::string>().empty())
        h << image(out, s["figure"].get<std::string>(), "features ranked by sensitivity per SD");
    h << "<h3>Gradient dependence: ∂y/∂x<sub>j</sub> against x<sub>j</sub></h3>\n";
    for (const auto& d : s["dependence_figures"]) h << image(out, d.get<std::string>(), d.get<std::string>());
    if (r.contains("fd_check"))
        h << "<h2>Finite-difference check</h2>\n<p>" << html_escape(t.fd_summary) << "</p>\n";
    if (r.contains("probes")) {
        h << "<h2>Probes: " << html_escape(r["probes"]["score"].get<std::string>()) << " against each column</h2>\n"
          << "<table><tr><th>column</th><th>slope per unit</th><th>95% credible interval</th><th>significance</th></tr>\n";
        for (const auto& p : r["probes"]["list"]) {
            h << "<tr><td>" << html_escape(p["name"].get<std::string>()) << (p.value("meta", false) ? " (meta)" : "") << "</td>";
            if (p.contains("fit") && !p["fit"].is_null())
                h << "<td>" << num(p["fit"]["slope"]) << "</td><td>[" << num(p["fit"]["ci95"][0]) << ", "
                  << num(p["fit"]["ci95"][1]) << "]</td><td>" << html_escape(p["fit"]["significance"].get<std::string>()) << "</td>";
            else
                h << "<td colspan=3>" << html_escape(p.value("note", std::string("no fit"))) << "</td>";
            h << "</tr>\n";
        }
        h << "</table>\n";
        for (const auto& p : r["probes"]["list"])
            if (p.contains("figure")) h << image(out, p["figure"].get<std::string>(), p["name"].get<std::string>());
    }
    h << "<pre id=\"status\">status: pending</pre>\n<script>addEventListener('load', () => {\n"
         "  const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));\n"
         "  document.getElementById('status').textContent = 'status: ' + (broken.length ? 'BROKEN ' + broken.join(',') : 'OK');\n"
         "  document.body.dataset.brokenImages = broken.length;\n"
         "  console.log('IMGCHECK broken=' + broken.length + ' ' + broken.join(','));\n});</script>\n</body></html>\n";
    nn::training::write_file_atomic((out / "report.html").string(), h.str());
}

}  // namespace app
