// examples/train_and_explain/report_html.cpp — the HTML of out/report.html, one small function per section, figures inlined as base64.
// Not where anything is computed: every number is read from report.json (and metrics.json) and only formatted here.
#include "examples/train_and_explain/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "nn/training/atomic_file.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace app {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        // Three bytes (zero-padded at the end) are 24 bits = four 6-bit digits.
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        unsigned v = 0;
        for (std::size_t k = 0; k < 3; ++k) v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        for (std::size_t k = 0; k < 4; ++k) out += k <= n ? digits[(v >> (18 - 6 * k)) & 63] : '=';
    }
    return out;
}

namespace {

// ---------------------------------------------------------------- formatting helpers
const json* find(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

std::string number(double v, int digits = 4) {
    if (!std::isfinite(v)) return "—";
    char s[48];
    std::snprintf(s, sizeof s, "%.*g", digits, v);
    return s;
}

std::string percent(double fraction) {
    if (!std::isfinite(fraction)) return "—";
    char s[32];
    std::snprintf(s, sizeof s, "%.2f%%", 100.0 * fraction);
    return s;
}

// Any JSON value as escaped text: numbers with 4 significant digits, null as a dash, short arrays inline.
std::string text(const json& v) {
    if (v.is_null()) return "—";
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_number_integer() || v.is_number_unsigned()) return html_escape(v.dump());
    if (v.is_number()) return number(v.get<double>());
    if (v.is_string()) return html_escape(v.get<std::string>());
    if (v.is_array()) {
        std::string s = "[";
        for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + text(v[i]);
        return s + "]";
    }
    return html_escape(v.dump());
}

std::string seconds(const json& v) {
    if (!v.is_number()) return text(v);
    char s[32];
    std::snprintf(s, sizeof s, "%.1f s", v.get<double>());
    return s;
}

std::string text_at(const json& j, const char* key) {
    const json* v = find(j, key);
    return v ? text(*v) : "—";
}

std::string interval(const json* ci) {
    if (!ci || !ci->is_array() || ci->size() != 2) return "—";
    return "[" + text((*ci)[0]) + ", " + text((*ci)[1]) + "]";
}

std::string tag(const char* name, const std::string& inner, const std::string& attributes = "") {
    return std::string("<") + name + (attributes.empty() ? "" : " " + attributes) + ">" + inner + "</" + name + ">";
}

std::string not_run(const std::string& why) { return tag("p", "Not run: " + html_escape(why), "class=\"muted\""); }

// A <figure> with the PNG inlined; if the file cannot be read, the relative path (a broken image the check catches).
std::string figure(const fs::path& out_dir, const std::string& rel, const std::string& caption) {
    std::ifstream in(out_dir / rel, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string src = bytes.empty() ? html_escape(rel) : "data:image/png;base64," + base64(bytes);
    return "<figure><img src=\"" + src + "\" alt=\"" + html_escape(caption) + "\"><figcaption>" +
           html_escape(caption) + " <span class=\"muted\">(" + html_escape(rel) + ")</span></figcaption></figure>\n";
}

// A two-column table: one row per key of an object, with the value as text.
std::string key_value_table(const json& object) {
    std::string rows;
    for (auto it = object.begin(); it != object.end(); ++it)
        rows += tag("tr", tag("th", html_escape(it.key())) + tag("td", text(it.value()))) + "\n";
    return tag("table", rows, "class=\"kv\"");
}

// A table from an array of objects: one column per scalar key, text columns (names) first, then numbers in
// first-seen order; arrays (curves) are left out.
std::string rows_table(const json& rows) {
    std::vector<std::string> columns;
    for (bool want_text : {true, false})
        for (const json& r : rows)
            for (auto it = r.begin(); it != r.end(); ++it)
                if (!it.value().is_structured() && it.value().is_string() == want_text &&
                    std::find(columns.begin(), columns.end(), it.key()) == columns.end())
                    columns.push_back(it.key());
    std::string head, body;
    for (const auto& c : columns) head += tag("th", html_escape(c));
    for (const json& r : rows) {
        std::string cells;
        for (const auto& c : columns) {
            const json* v = find(r, c.c_str());
            cells += v && v->is_number() ? tag("td", text(*v), "class=\"num\"") : tag("td", v ? text(*v) : "—");
        }
        body += tag("tr", cells) + "\n";
    }
    return tag("table", tag("thead", tag("tr", head)) + tag("tbody", body));
}

// Every string ending in ".png" inside `j` (any depth), in order: the figures a stage listed.
void collect_pngs(const json& j, std::vector<std::string>& out) {
    if (j.is_string()) {
        const std::string s = j.get<std::string>();
        if (s.size() > 4 && s.compare(s.size() - 4, 4, ".png") == 0 &&
            std::find(out.begin(), out.end(), s) == out.end())
            out.push_back(s);
    } else if (j.is_structured()) {
        for (const json& v : j) collect_pngs(v, out);
    }
}

// ---------------------------------------------------------------- the page
struct Page {
    std::vector<std::pair<std::string, std::string>> toc;  // id, title
    std::string body;
    void section(const std::string& id, const std::string& title, const std::string& html) {
        toc.emplace_back(id, title);
        body += "<section id=\"" + id + "\">\n" + tag("h2", html_escape(title)) + "\n" + html + "</section>\n";
    }
};

const char* kStyle = R"(
:root { --ink: #1d232a; --muted: #5f6b7a; --line: #d8dee6; --soft: #f5f7fa; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 12px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 6px; }
.lede { color: var(--muted); margin: 4px 0 12px; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 150px; }
.card b { display: block; font-size: 22px; }
nav { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 8px 16px; margin: 16px 0; }
nav ol { margin: 4px 0; padding-left: 20px; columns: 2; }
nav a { color: var(--accent); text-decoration: none; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 3px 9px; text-align: left; vertical-align: top; }
thead th { background: var(--soft); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { background: var(--soft); font-weight: 600; }
table.confusion td { text-align: right; min-width: 44px; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: 10px; background: var(--accent); border-radius: 2px; vertical-align: middle; }
figure { margin: 10px 0 18px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-size: 13px; color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 8px 16px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600; font-size: 13px; }
.pass, .high { background: #dff3e3; color: #1a6b2f; }
.fail { background: #fbe0e0; color: #9b1c1c; }
.uncertain { background: #fff1cc; color: #7a5a00; }
.negligible { background: #eceff3; color: #4a5563; }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 8px; font-size: 13px; color: var(--muted); }
)";

// The page checks its own images once loaded: a status line, body[data-broken-images] and one console line.
const char* kImageCheck = R"(<script>
addEventListener('load', () => {
  const images = [...document.images];
  const broken = images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src').slice(0, 80));
  document.getElementById('imgcheck').textContent = 'image check: ' +
      (broken.length ? 'BROKEN ' + broken.join(', ') : 'OK') + ' (' + images.length + ' images)';
  document.body.dataset.brokenImages = broken.length;
  console.log('IMGCHECK broken=' + broken.length + ' images=' + images.length + (broken.length ? ' ' + broken.join(',') : ''));
});
</script>)";

std::string badge(bool ok) {
    return ok ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>";
}

std::string card(const std::string& label, const std::string& value) {
    return tag("div", html_escape(label) + tag("b", value), "class=\"card\"");
}

// What was run, when, the headline numbers and how long each stage took.
std::string header(const json& report) {
    const json run = report.value("run", json::object());
    std::string lede = "Dataset " + text_at(run, "dataset") + ", network " + text_at(run, "network") + ". ";
    if (const json* t = find(report, "training"))
        lede += "Trained for " + text_at(*t, "epochs") + " epoch(s) in " + seconds(t->value("seconds", json())) + ". ";
    else if (const json* m = find(report, "model")) {
        lede += "Model loaded from " + text_at(*m, "source") + " (no training). ";
        if (const json* notes = find(*m, "notes"))   // a network from ONNX: its input scaling, the softmax appended
            for (const json& n : *notes) lede += html_escape(n.get<std::string>()) + ". ";
    }
    lede += "Finished " + text_at(run, "finished_utc") + ".";

    std::string cards;
    if (const json* t = find(report, "test"); t && find(*t, "accuracy"))
        cards += card("test accuracy", percent(t->at("accuracy").get<double>()));
    if (const json* fd = find(report, "fd_check"))
        cards += card("finite-difference check", badge(fd->value("passed", false)));
    if (const json* total = find(run, "total_seconds")) cards += card("total time", seconds(*total));
    std::string timings;
    if (const json* stages = find(run, "stage_seconds"))
        for (auto it = stages->begin(); it != stages->end(); ++it)
            timings += (timings.empty() ? "" : " · ") + html_escape(it.key()) + " " + seconds(it.value());
    return "<header>\n" + tag("h1", "nnsense — what the network learned, and how we checked it") + "\n" +
           tag("p", lede, "class=\"lede\"") + "\n" + tag("div", cards, "class=\"cards\"") + "\n" +
           (timings.empty() ? "" : tag("p", "Stage timings: " + timings, "class=\"muted\"")) + "\n</header>\n";
}

// Test accuracy, per-class accuracy with bars, and the confusion matrix shaded by each row's share.
std::string accuracy_section(const json& test) {
    std::string html = tag("p", "Test accuracy " + tag("b", percent(test.value("accuracy", NAN))) + " on " +
                                    text_at(test, "count") + " images, mean cross-entropy " + text_at(test, "loss") + ".");
    const json names = test.value("class_names", json::array());
    const json per_class = test.value("per_class_accuracy", json::array());
    auto name = [&](std::size_t c) { return c < names.size() ? text(names[c]) : std::to_string(c); };
    std::string rows;
    for (std::size_t c = 0; c < per_class.size(); ++c) {
        const double a = per_class[c].is_number() ? per_class[c].get<double>() : NAN;
        const std::string bar = std::isfinite(a) ? "<span class=\"bar\" style=\"width:" + number(200 * a, 4) + "px\"></span>" : "";
        rows += tag("tr", tag("th", name(c)) + tag("td", percent(a), "class=\"num\"") + tag("td", bar)) + "\n";
    }
    if (!rows.empty())
        html += tag("h3", "Per-class accuracy (recall of each true class)") +
                tag("table", tag("thead", tag("tr", "<th>class</th><th>accuracy</th><th></th>")) + tag("tbody", rows));

    const json confusion = test.value("confusion", json::array());
    if (confusion.empty()) return html;
    std::string head = "<th>true \\ predicted</th>";
    for (std::size_t c = 0; c < confusion.size(); ++c) head += tag("th", name(c));
    std::string body;
    for (std::size_t t = 0; t < confusion.size(); ++t) {
        double total = 0;
        for (const json& n : confusion[t]) total += n.get<double>();
        std::string cells = tag("th", name(t));
        for (std::size_t p = 0; p < confusion[t].size(); ++p) {
            const double share = total > 0 ? confusion[t][p].get<double>() / total : 0;
            // Diagonal: blue by the share correct; off-diagonal: red, square-root scaled so 1% of a row is visible.
            const std::string colour = t == p ? "rgba(31,119,180," + number(0.55 * share, 3) + ")"
                                              : "rgba(214,39,40," + number(std::min(0.8, 2.5 * std::sqrt(share) * 0.32), 3) + ")";
            cells += tag("td", text(confusion[t][p]), "style=\"background:" + colour + "\"");
        }
        body += tag("tr", cells) + "\n";
    }
    return html + tag("h3", "Confusion matrix (rows: true class, columns: predicted; shading: share of the row)") +
           tag("table", tag("thead", tag("tr", head)) + tag("tbody", body), "class=\"confusion\"");
}

// The curves figure and, from metrics.json, one row per epoch.
std::string training_section(const json& report, const fs::path& out_dir) {
    const json* t = find(report, "training");
    if (!t) {
        const json* m = find(report, "model");
        return not_run(m ? "the model was loaded from " + m->value("source", std::string("--model")) + "."
                         : "this run did not train a model.");
    }
    std::string html = tag("p", "Training took " + seconds(t->value("seconds", json())) + " for " +
                                    text_at(*t, "epochs") + " epoch(s); the model is in " + text_at(*t, "model") + ".");
    if (const json* f = find(*t, "curves_figure"); f && f->is_string())
        html += figure(out_dir, f->get<std::string>(), "Train loss and validation accuracy per epoch");
    std::ifstream in(out_dir / "metrics.json");
    if (!in) return html;
    const json m = json::parse(in, nullptr, false);
    if (m.is_discarded() || !find(m, "train_loss")) return html;
    std::string rows;
    for (std::size_t e = 0; e < m["train_loss"].size(); ++e) {
        auto col = [&](const char* key) {
            const json* c = find(m, key);
            return c && c->is_array() && e < c->size() ? text((*c)[e]) : "—";
        };
        rows += tag("tr", tag("td", std::to_string(e + 1), "class=\"num\"") + tag("td", col("train_loss"), "class=\"num\"") +
                              tag("td", col("validation_loss"), "class=\"num\"") +
                              tag("td", col("validation_accuracy"), "class=\"num\"") +
                              tag("td", col("learning_rate"), "class=\"num\"") + tag("td", col("epoch_seconds"), "class=\"num\"")) + "\n";
    }
    return html + tag("table", tag("thead", tag("tr", "<th>epoch</th><th>train loss</th><th>validation loss</th>"
                                                      "<th>validation accuracy</th><th>learning rate</th><th>seconds</th>")) +
                                   tag("tbody", rows));
}

// Per-digit input/heat-map pairs, the class-mean maps and the confusable pairs.
std::string sensitivity_section(const json& s, const fs::path& out_dir) {
    std::string html = tag("p", "The input Jacobian ∂p/∂x of " + text_at(s, "explained_images") +
                                    " test images, from one forward and ten backward passes of the tape. "
                                    "Brighter pixels change the predicted probability most.");
    if (const json* digits = find(s, "digit_figures"); digits && digits->is_array()) {
        html += tag("h3", "Per digit: the test image and |∂p/∂x| of its class");
        std::string grid;
        for (const json& d : *digits)
            if (d.is_string()) grid += figure(out_dir, d.get<std::string>(), "input and |∂p/∂x|");
        html += tag("div", grid, "class=\"grid\"");
    }
    if (const json* f = find(s, "class_means_figure"); f && f->is_string())
        html += tag("h3", "Class means") + figure(out_dir, f->get<std::string>(), "mean |∂p_c/∂x| over each class's test images");
    if (const json* f = find(s, "confusable_pairs_figure"); f && f->is_string())
        html += tag("h3", "Confusable pairs") +
                figure(out_dir, f->get<std::string>(), "mean ∂(p_a − p_b)/∂x: what separates a from b");
    return html;
}

// A readable heading for a key of report["beyond"]; unknown keys are shown as they are.
std::string beyond_title(const std::string& key) {
    if (key == "deletion") return "Deletion test";
    if (key == "insertion") return "Insertion test";
    if (key == "deletion_paired") return "Deletion test: paired differences of the AUC (a − b)";
    if (key == "insertion_paired") return "Insertion test: paired differences of the AUC (a − b)";
    if (key == "sanity") return "Sanity check: cascading randomisation of the trained model (and shuffled labels)";
    if (key == "shuffled_label_net") return "Data randomization: the net trained on shuffled labels";
    if (key == "ig_completeness") return "Integrated gradients: completeness and time, kink-aware vs 64 midpoint steps";
    if (key == "settings") return "Settings of the methods";
    if (key == "seconds") return "Time per step (seconds)";
    return key;
}

// The beyond-gradients comparison: every figure the stage listed, then its tables (deletion, sanity, ...).
std::string beyond_section(const json& b, const fs::path& out_dir) {
    std::vector<std::string> pngs;
    collect_pngs(b, pngs);
    std::string html;
    for (const auto& p : pngs) html += figure(out_dir, p, fs::path(p).stem().string());
    for (auto it = b.begin(); it != b.end(); ++it) {
        const json& v = it.value();
        const json* rows = v.is_array() ? &v : find(v, "methods");
        if (!rows || !rows->is_array() || rows->empty() || !(*rows)[0].is_object()) {
            const bool scalars_only = v.is_object() && std::none_of(v.begin(), v.end(), [](const json& x) {
                return x.is_structured();
            });
            if (scalars_only && !v.empty()) html += tag("h3", html_escape(beyond_title(it.key()))) + key_value_table(v);
            continue;
        }
        html += tag("h3", html_escape(beyond_title(it.key())));
        if (it.key() == "deletion")
            html += tag("p", "Zero the most important pixels first: the lower the area under the mean true-class "
                             "probability curve (auc), the better the map; \"random\" is the baseline, \"random, ink "
                             "first\" shows how much a black baseline rewards merely ranking ink above black.", "class=\"muted\"");
        if (it.key() == "insertion")
            html += tag("p", "Put the most important pixels back onto a black image first: the higher the area under "
                             "the curve, the better the map.", "class=\"muted\"");
        if (it.key() == "deletion_paired" || it.key() == "insertion_paired")
            html += tag("p", "Per-image AUC differences of two rows and their standard error: a difference of more "
                             "than about two standard errors is not image-to-image noise.", "class=\"muted\"");
        if (it.key() == "sanity")
            html += tag("p", "Rank correlation between the maps of the trained model and of the same model with its "
                             "layers re-initialised from the top (W2 alone, then W2 and W1), and, with --data-randomization, of "
                             "the same network trained on shuffled labels; ± is 1.96 standard errors over the images, "
                             "ssim the structural similarity: near 0 means the map depends on what was learned "
                             "(passes), near 1 means it does not.", "class=\"muted\"");
        html += rows_table(*rows);
    }
    std::string scalars;
    for (auto it = b.begin(); it != b.end(); ++it)
        if (!it.value().is_structured() && !(it.value().is_string() && it.value().get<std::string>().size() > 4 &&
                                             std::find(pngs.begin(), pngs.end(), it.value().get<std::string>()) != pngs.end()))
            scalars += tag("tr", tag("th", html_escape(it.key())) + tag("td", text(it.value()))) + "\n";
    if (!scalars.empty()) html += tag("table", scalars, "class=\"kv\"");
    return html;
}

// The slope table (probe, slope, 95% CI and the naive one, significance, lack of fit, half-point) and each probe's plot.
std::string probes_section(const json& probes, const fs::path& out_dir) {
    std::string rows, plots;
    for (const json& p : probes) {
        const std::string significance = p.value("significance", std::string());
        const std::string sig = significance.empty() ? text_at(p, "note")
                                                     : "<span class=\"badge " + html_escape(significance) + "\">" +
                                                           html_escape(significance) + "</span>";
        std::string fit = text_at(p, "lack_of_fit");
        if (const json* m = find(p, "misfit"); m && m->is_boolean() && m->get<bool>()) fit += " <b>misfit</b>";
        std::string half = "—";
        if (const json* h = find(p, "half_point")) half = text(*h) + " " + interval(find(p, "half_point_ci95"));
        rows += tag("tr", tag("th", text_at(p, "name")) + tag("td", text_at(p, "kind")) + tag("td", text_at(p, "units")) +
                              tag("td", text_at(p, "slope"), "class=\"num\"") +
                              tag("td", interval(find(p, "ci95")) + "<br><small>" + text_at(p, "interval") + "</small>",
                                  "class=\"num\"") +
                              tag("td", interval(find(p, "naive_ci95")), "class=\"num\"") + tag("td", sig) +
                              tag("td", fit, "class=\"num\"") + tag("td", half, "class=\"num\"")) + "\n";
        std::vector<std::string> pngs;
        if (const json* files = find(p, "files")) collect_pngs(*files, pngs);
        for (const auto& f : pngs) plots += figure(out_dir, f, text_at(p, "name") + " probe");
    }
    const std::string table =
        tag("table", tag("thead", tag("tr", "<th>probe</th><th>kind</th><th>units</th><th>slope</th><th>95% CI</th>"
                                            "<th>naive 95% CI</th><th>significance</th><th>lack of fit (&chi;&sup2;/dof)</th>"
                                            "<th>half-point [95% CI]</th>")) + tag("tbody", rows));
    return tag("p", "Each probe changes one property of the test images (or bins them by it) and fits a line to the "
                    "correct-class score. The 95% interval counts images, not image-strength pairs (the naive interval, "
                    "for comparison, does not); significance is high when the whole interval lies beyond the floor "
                    "(0.02 of score across the 5-95% range of p), negligible when it lies within, uncertain otherwise. "
                    "A misfit line (lack of fit) is a poor summary: read the curve and its half-point, where the mean "
                    "score falls to half its value at p = 0.") +
           table + tag("div", plots, "class=\"grid\"");
}

// The plain model against the one trained on rotated digits.
std::string rotation_section(const json& r, const fs::path& out_dir) {
    auto pair_row = [&](const char* label, const char* key, bool as_percent) {
        const json* v = find(r, key);
        auto cell = [&](const char* which) {
            const json* x = v ? find(*v, which) : nullptr;
            return x && x->is_number() && as_percent ? percent(x->get<double>()) : (x ? text(*x) : "—");
        };
        return tag("tr", tag("th", label) + tag("td", cell("plain"), "class=\"num\"") + tag("td", cell("augmented"), "class=\"num\""));
    };
    std::string html = tag("p", "A second model trained like the first on randomly rotated and shifted digits (" +
                                    text_at(r, "augment") + "), probed for rotation the same way.");
    html += tag("table", tag("thead", tag("tr", "<th></th><th>plain</th><th>augmented</th>")) +
                             tag("tbody", pair_row("test accuracy", "test_accuracy", true) +
                                              pair_row("rotation slope (per degree)", "rotation_slope", false) +
                                              pair_row("mean score at 90°", "score_at_90_degrees", false)));
    std::vector<std::string> pngs;
    if (const json* p = find(r, "probe")) collect_pngs(*p, pngs);
    std::sort(pngs.begin(), pngs.end(), [](const std::string& a, const std::string& b) {  // the comparison first
        return (a.find("before_after") != std::string::npos) > (b.find("before_after") != std::string::npos);
    });
    for (const auto& f : pngs) html += figure(out_dir, f, fs::path(f).stem().string());
    return html;
}

std::string fd_section(const json& fd) {
    return tag("p", badge(fd.value("passed", false)) +
                        " The tape's Jacobian against central differences on a double-precision copy of the model.") +
           key_value_table(fd);
}

std::string configuration_section(const json& report, const fs::path& out_dir) {
    const json run = report.value("run", json::object());
    std::string html;
    if (const json* c = find(run, "config")) html += tag("h3", "Command line") + key_value_table(*c);
    std::ifstream in(out_dir / "metrics.json");
    if (in) {
        const json m = json::parse(in, nullptr, false);
        if (const json* c = m.is_discarded() ? nullptr : find(m, "config")) html += tag("h3", "Training configuration") + key_value_table(*c);
    }
    if (const json* s = find(run, "stage_seconds")) {
        std::string rows;
        for (auto it = s->begin(); it != s->end(); ++it)
            rows += tag("tr", tag("th", html_escape(it.key())) + tag("td", seconds(it.value()), "class=\"num\""));
        if (const json* total = find(run, "total_seconds"))
            rows += tag("tr", tag("th", "total (with loading the data)") + tag("td", seconds(*total), "class=\"num\""));
        html += tag("h3", "Timings") + tag("table", rows, "class=\"kv\"");
    }
    return html.empty() ? not_run("no run description in report.json.") : html;
}

}  // namespace

std::string report_html(const json& report, const fs::path& out_dir) {
    Page page;
    const json* test = find(report, "test");
    page.section("accuracy", "Test accuracy", test ? accuracy_section(*test) : not_run("no test evaluation."));
    page.section("training", "Training curves", training_section(report, out_dir));
    const json* s = find(report, "sensitivity");
    page.section("sensitivity", "Sensitivity maps", s ? sensitivity_section(*s, out_dir) : not_run("no sensitivity maps."));
    const json* b = find(report, "beyond");
    page.section("beyond", "Beyond gradients", b ? beyond_section(*b, out_dir) : not_run("no attribution comparison."));
    const json* p = find(report, "probes");
    page.section("probes", "Probes", p && p->is_array() ? probes_section(*p, out_dir) : not_run("--no-probes."));
    if (const json* r = find(report, "rotation_augmentation"))
        page.section("rotation", "Rotation: before and after augmentation", rotation_section(*r, out_dir));
    const json* fd = find(report, "fd_check");
    page.section("fd", "Finite-difference check", fd ? fd_section(*fd) : not_run("--fd-images 0."));
    page.section("configuration", "Configuration and timings", configuration_section(report, out_dir));

    std::string toc;
    for (const auto& [id, title] : page.toc) toc += tag("li", tag("a", html_escape(title), "href=\"#" + id + "\""));
    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<title>nnsense report</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<main>\n"
         << header(report) << tag("nav", tag("b", "Contents") + tag("ol", toc)) << "\n"
         << page.body
         << "<footer>Written by train-and-explain from report.json. "
         << "<span id=\"imgcheck\">image check: pending (needs JavaScript)</span></footer>\n</main>\n"
         << kImageCheck << "\n</body>\n</html>\n";
    return html.str();
}

fs::path write_report_html(const json& report, const fs::path& out_dir) {
    const fs::path path = out_dir / "report.html";
    nn::training::write_file_atomic(path.string(), report_html(report, out_dir));
    return path;
}

}  // namespace app
