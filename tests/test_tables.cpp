// tests/test_tables.cpp — chapter 15 (tables): the CSV and JSON readers, column kinds and the encoding plan, the bootstrap
// interval's coverage, the ground truth (train-and-explain --csv on y = sin(x1) + 0.5·x2² + 0.005·x3_g + noise against the
// true derivatives, and a categorical column of known effect), and the three real tables end to end.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "datasets/csv.hpp"
#include "datasets/json_records.hpp"
#include "datasets/synthetic_table.hpp"
#include "datasets/table_columns.hpp"
#include "datasets/table_plan.hpp"
#include "sensitivity/tables/features.hpp"

namespace fs = std::filesystem;

TEST_CASE("the CSV reader: quotes, embedded delimiters and newlines, CRLF, BOM, semicolons with decimal commas") {
    const auto t = datasets::parse_csv("\xEF\xBB\xBFname,\"a,b\",y\r\n\"x \"\"1\"\"\",1,2\r\n\n\"multi\nline\",3,4", "t.csv");
    REQUIRE(t.columns == std::vector<std::string>{"name", "a,b", "y"});
    REQUIRE(t.size() == 2);
    CHECK(t.rows[0][0] == "x \"1\"");
    CHECK(t.rows[1][0] == "multi\nline");
    CHECK(t.lines == std::vector<std::size_t>{2, 4});     // line 3 is blank
    CHECK(t.numbers(2) == std::vector<double>{2, 4});
    const auto s = datasets::parse_csv("a;b\n1,5;2\n", "s.csv");
    CHECK(s.delimiter == ';');
    CHECK(s.numbers(0)[0] == 1.5);
}

TEST_CASE("parse_number: a leading + only before a digit, underflow is a number, overflow and words are not") {
    double v = -7;
    CHECK(datasets::parse_number(" +1.5 ", v));
    CHECK(v == 1.5);
    CHECK(datasets::parse_number("+.5", v));
    CHECK(v == 0.5);
    CHECK_FALSE(datasets::parse_number("+-1", v));
    CHECK_FALSE(datasets::parse_number("+", v));
    CHECK(datasets::parse_number("1e-400", v));                 // below the smallest double: 0
    CHECK(v == 0.0);
    CHECK(datasets::parse_number("-4e-320", v));                // a subnormal
    CHECK(v < 0);
    CHECK(v > -1e-319);
    CHECK_FALSE(datasets::parse_number("1e400", v));
    CHECK_FALSE(datasets::parse_number("nan", v));
    CHECK_FALSE(datasets::parse_number("1.5x", v));
}

TEST_CASE("the CSV reader names the line after a field that spans lines, and refuses text over the size limit") {
    try {
        datasets::parse_csv("a,b\n\"two\nlines\",1\n3\n", "t.csv");
        FAIL("a ragged row was accepted");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).rfind("t.csv:4: row has 1 fields", 0) == 0);
    }
    CHECK_THROWS_WITH(datasets::parse_csv("a\n1\n", "t.csv", 3), doctest::Contains("over the limit of 3 bytes"));
}

TEST_CASE("the bootstrap interval of a mean covers the truth ~95% of the time for independent rows, and not for copies") {
    // Exponential rows (skewed like |J|), true mean 1. Counting duplicated rows as independent (each row 4 times)
    // is the wrong method: the interval halves and coverage falls to about 68%.
    std::mt19937_64 rng(11);
    std::exponential_distribution<double> e(1.0);
    int covered = 0, covered_copies = 0;
    const int reps = 300;
    for (int k = 0; k < reps; ++k) {
        std::vector<double> v(200), copies;
        for (double& x : v) x = e(rng);
        for (int c = 0; c < 4; ++c) copies.insert(copies.end(), v.begin(), v.end());
        const auto a = sensitivity::tables::bootstrap_mean(v, 400, 100 + k), b = sensitivity::tables::bootstrap_mean(copies, 400, 100 + k);
        covered += a.lo <= 1 && 1 <= a.hi;
        covered_copies += b.lo <= 1 && 1 <= b.hi;
    }
    const double rate = covered / double(reps), wrong = covered_copies / double(reps);
    MESSAGE("bootstrap coverage " << rate << "; with rows counted 4 times " << wrong);
    CHECK(rate >= 0.90);
    CHECK(rate <= 0.99);
    CHECK(wrong < 0.80);
}

TEST_CASE("Pearson pairs: a near-copy is flagged, independent columns are not") {
    const auto t = datasets::sin_table(2000, 3, true);
    xt::xtensor<double, 2> x = xt::zeros<double>({t.rows.size(), t.features.size()});
    for (std::size_t n = 0; n < t.rows.size(); ++n)
        for (std::size_t j = 0; j < t.features.size(); ++j) x(n, j) = t.rows[n][j];
    const auto pairs = sensitivity::tables::correlated_pairs(x, 0.8);
    REQUIRE(pairs.size() == 1);
    CHECK(t.features[pairs[0].a] == "x1");
    CHECK(t.features[pairs[0].b] == "x1_copy");
    CHECK(pairs[0].r > 0.999);
}

namespace {

// Runs train-and-explain on `table` written as CSV; returns the rows of sensitivity/features.csv by feature name.
std::map<std::string, std::vector<std::string>> run_table(const datasets::SyntheticTable& table, const std::string& tag) {
    const char* bin = std::getenv("NNSENSE_BIN");
    REQUIRE_MESSAGE(bin != nullptr, "NNSENSE_BIN is not set (meson test sets it)");
    const fs::path dir = fs::temp_directory_path() / ("nnsense-tables-" + tag + "-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    { std::ofstream(dir / "t.csv") << datasets::to_csv(table); }
    const std::string cmd = std::string(bin) + " --csv " + (dir / "t.csv").string() + " --target y --meta age --out " +
                            (dir / "out").string() + " --no-probes --quiet --threads 1 > " + (dir / "log").string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream log(dir / "log");
    std::stringstream logs;
    logs << log.rdbuf();
    INFO(logs.str());
    REQUIRE(rc == 0);
    std::ifstream f(dir / "out" / "sensitivity" / "features.csv");
    std::string line;
    std::getline(f, line);
    CHECK(line.rfind("feature,mean_abs,mean_abs_row_bootstrap_one_fit_lo,mean_abs_row_bootstrap_one_fit_hi,mean,sd,mean_abs_per_sd,", 0) == 0);
    std::map<std::string, std::vector<std::string>> rows;
    while (std::getline(f, line)) {
        std::vector<std::string> cells;
        std::stringstream s(line);
        std::string cell;
        while (std::getline(s, cell, ',')) cells.push_back(cell);
        if (line.back() == ',') cells.push_back("");
        rows[cells.at(0)] = cells;
    }
    fs::remove_all(dir);
    return rows;
}

double mean_abs_truth(const datasets::SyntheticTable& t, std::size_t j) {
    double s = 0;
    for (const auto& d : t.dy_dx) s += std::abs(d[j]);
    return s / static_cast<double>(t.dy_dx.size());
}

double sd_of(const datasets::SyntheticTable& t, std::size_t j) {
    double m = 0, ss = 0;
    for (const auto& r : t.rows) m += r[j] / static_cast<double>(t.rows.size());
    for (const auto& r : t.rows) ss += (r[j] - m) * (r[j] - m);
    return std::sqrt(ss / static_cast<double>(t.rows.size()));
}

}  // namespace

TEST_CASE("ground truth: mean |dy/dx| within 10% of the true derivatives, noise last, per-SD ranking as the truth's") {
    const auto t = datasets::sin_table(4000, 1, false);
    auto rows = run_table(t, "truth");
    REQUIRE(rows.size() == 4);
    std::vector<std::pair<double, std::string>> truth_per_sd, net_per_sd;
    for (std::size_t j = 0; j < t.features.size(); ++j) {
        const std::string& name = t.features[j];
        const double truth = mean_abs_truth(t, j), net = std::stod(rows[name][1]);
        MESSAGE(name << ": network " << net << ", truth " << truth);
        if (truth > 0) CHECK(std::abs(net - truth) <= 0.10 * truth);
        truth_per_sd.push_back({truth * sd_of(t, j), name});
        net_per_sd.push_back({std::stod(rows[name][6]), name});
        CHECK(rows[name][11].empty());                    // nothing correlated
    }
    std::sort(truth_per_sd.rbegin(), truth_per_sd.rend());
    std::sort(net_per_sd.rbegin(), net_per_sd.rend());
    for (std::size_t k = 0; k < truth_per_sd.size(); ++k) CHECK(net_per_sd[k].second == truth_per_sd[k].second);
    CHECK(net_per_sd.back().second == "noise");
    CHECK(rows["noise"][10] == "4");                      // rank_per_sd
    // the units caveat is real here: per unit x3_g is the smallest informative feature, per SD the largest
    CHECK(std::stod(rows["x3_g"][1]) < std::stod(rows["x1"][1]));
    CHECK(net_per_sd.front().second == "x3_g");
}

TEST_CASE("a near-copy of x1: the pair is flagged and the sensitivity is split between the copies") {
    const auto t = datasets::sin_table(4000, 1, true);
    auto rows = run_table(t, "copy");
    REQUIRE(rows.size() == 5);
    CHECK(rows["x1"][11] == "x1_copy");
    CHECK(rows["x1_copy"][11] == "x1");
    CHECK(rows["x2"][11].empty());
    // Each copy alone carries only part of the truth E|cos x1|; the signed means add up to the truth's mean cos x1.
    const double truth_abs = mean_abs_truth(t, 0);
    double truth_mean = 0;
    for (const auto& d : t.dy_dx) truth_mean += d[0] / static_cast<double>(t.dy_dx.size());
    const double a = std::stod(rows["x1"][1]), b = std::stod(rows["x1_copy"][1]);
    const double sum_signed = std::stod(rows["x1"][4]) + std::stod(rows["x1_copy"][4]);
    INFO("x1 " << a << ", x1_copy " << b << ", truth " << truth_abs << "; signed sum " << sum_signed << " vs " << truth_mean);
    CHECK(a < 0.95 * truth_abs);
    CHECK(b > 0.05 * truth_abs);
    CHECK(std::abs(sum_signed - truth_mean) <= 0.10 * truth_abs);
}

// ---- real tables: JSON records, column kinds, the encoding plan (issue 20, item 1)

TEST_CASE("JSON records: keys in first-seen order, null and absent keys missing, numbers as text, lines of records") {
    const auto t = datasets::parse_json_records(
        "[\n {\"n\": \"ford\", \"mpg\": 18, \"hp\": null},\n {\"n\": \"vw\", \"mpg\": 26.5, \"eu\": true}\n]", "c.json");
    REQUIRE(t.columns == std::vector<std::string>{"n", "mpg", "hp", "eu"});
    REQUIRE(t.size() == 2);
    CHECK(t.rows[0] == std::vector<std::string>{"ford", "18", "", ""});
    CHECK(t.rows[1] == std::vector<std::string>{"vw", "26.5", "", "true"});
    CHECK(t.lines == std::vector<std::size_t>{2, 3});
    CHECK_THROWS_WITH(datasets::parse_json_records("[{\"a\": [1]}]", "c.json"),
                      doctest::Contains("c.json:1: record 1, 'a': an array; a JSON table must be an array of flat records"));
    CHECK_THROWS_WITH(datasets::parse_json_records("[1, 2]", "c.json", 3), doctest::Contains("over the limit of 3 bytes"));
    // found by tests/fuzz/fuzz_table.cpp: records without keys made a table of no columns
    CHECK_THROWS_WITH(datasets::parse_json_records("[{}, {}]", "c.json"),
                      doctest::Contains("c.json: no record has a key, so the table has no columns"));
}

TEST_CASE("ISO dates become fractional years; invalid dates are not dates") {
    double y = 0;
    CHECK(datasets::parse_iso_date("1970-01-01", y));
    CHECK(y == 1970.0);
    CHECK(datasets::parse_iso_date("2012-07-02", y));               // day 183 of the leap year 2012
    CHECK(y == doctest::Approx(2012 + 183.0 / 366));
    CHECK(datasets::parse_iso_date("2013-01-01T12:00:00Z", y));
    CHECK(y == doctest::Approx(2013 + 0.5 / 365));
    CHECK_FALSE(datasets::parse_iso_date("2013-02-29", y));
    CHECK_FALSE(datasets::parse_iso_date("2013-13-01", y));
    CHECK_FALSE(datasets::parse_iso_date("2013-01-01x", y));
    CHECK_FALSE(datasets::parse_iso_date("1970", y));
}

TEST_CASE("column kinds: numeric, date, categorical, identifier, many levels, all missing, mixed") {
    std::string csv = "num,day,cat,name,many,empty,mix\n";
    for (int i = 0; i < 60; ++i)
        csv += std::to_string(i % 9 == 0 ? -1 : i) + (i == 5 ? std::string(",,") : ",2020-01-" + std::to_string(10 + i % 20) + ",") +
               (i % 3 ? "a" : "b") + ",car " + std::to_string(i) + ",m" + std::to_string(i % 25) + ",," +
               (i == 7 ? "x" : std::to_string(i)) + "\n";
    const auto t = datasets::type_columns(datasets::parse_csv(csv, "k.csv"));
    using K = datasets::ColumnKind;
    CHECK(t.columns[0].kind == K::Numeric);
    CHECK(t.columns[1].kind == K::Date);
    CHECK(t.columns[1].missing == 1);
    CHECK(t.columns[2].kind == K::Categorical);
    CHECK(t.columns[2].levels == 2);
    CHECK(t.columns[3].kind == K::Identifier);
    CHECK(t.columns[4].kind == K::ManyLevels);                       // 25 levels in 60 rows
    CHECK(t.columns[5].kind == K::AllMissing);
    CHECK(t.columns[6].kind == K::Mixed);
    CHECK(t.columns[6].problem == "k.csv:9: column 'mix' (7): 'x' is not a number, but the column is otherwise numeric "
                                  "(59 numbers, 1 text value)");
    std::vector<std::string> notes;
    CHECK_THROWS_WITH(datasets::choose_features(t, "num", {}, {}, notes), doctest::Contains("'x' is not a number"));
    notes.clear();
    const auto chosen = datasets::choose_features(t, "num", {}, {"mix"}, notes);
    CHECK(chosen == std::vector<std::string>{"day", "cat"});
    REQUIRE(notes.size() == 4);
    CHECK(notes[1] == "column 'name' left out: an identifier, 60 distinct values in 60 rows (name it in --features to "
                      "one-hot encode it anyway)");
}

TEST_CASE("the plan is fitted on the training rows only, encodes any rows, and survives model.json") {
    // x: 1..9 in the training rows (0-8) and 1000 in a held-out row; c: levels a, b in training, z only held out.
    std::string csv = "x,c\n1,a\n2,b\n,a\n4,a\n5,b\n6,a\n7,\n8,b\n9,a\n1000,z\n";
    const auto t = datasets::type_columns(datasets::parse_csv(csv, "p.csv"));
    const std::vector<std::size_t> train = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    const auto plan = datasets::fit_plan(t, {"x", "c"}, train);
    CHECK(plan.inputs() == std::vector<std::string>{"x", "x_missing", "c=a", "c=b", "c_missing"});
    CHECK(plan.columns[0].fill == 5.5);                               // median of 1 2 4 5 6 7 8 9, not of 1000
    CHECK(plan.columns[1].levels == std::vector<std::string>{"a", "b"});
    CHECK(plan.columns[1].fill_level == "a");
    const auto e = datasets::encode(plan, t, datasets::Unseen::Impute);
    CHECK(e.x(2, 0) == 5.5);
    CHECK(e.x(2, 1) == 1);                                            // x_missing
    CHECK(e.x(1, 3) == 1);                                            // row 1 is c=b
    CHECK(e.x(6, 2) == 1);                                            // row 6: c missing -> a, c_missing = 1
    CHECK(e.x(6, 4) == 1);
    CHECK(e.x(9, 2) == 1);                                            // z: unseen, imputed as missing and counted
    CHECK(e.counts[0].imputed == 1);
    CHECK(e.counts[1].imputed == 1);
    CHECK(e.counts[1].unseen == 1);
    CHECK(e.counts[1].first_unseen == "z");
    CHECK_THROWS_WITH(datasets::encode(plan, t, datasets::Unseen::Error, "the model in m"),
                      doctest::Contains("p.csv:11: column 'c' (2): 'z' is not one of the 2 levels the model in m was trained on (a, b)"));
    const auto back = datasets::plan_from_json(nlohmann::json::parse(datasets::plan_json(plan).dump()), "m/model.json");
    CHECK(back.inputs() == plan.inputs());
    CHECK(back.columns[0].fill == 5.5);
    CHECK(back.columns[1].fill_level == "a");
    CHECK_THROWS_WITH(datasets::plan_from_json(nlohmann::json::parse("{\"columns\": [{\"name\": 1}]}"), "m/model.json"),
                      doctest::Contains("m/model.json: table.plan is not as nnsense writes it"));
}

namespace {

struct Run {
    int rc = -1;
    std::string out;
    nlohmann::json metrics;
};

// train-and-explain with `args` (plus --out DIR/out --quiet --threads 1); stdout, and metrics.json when it exists.
Run run_binary(const std::string& tag, const std::string& args) {
    const char* bin = std::getenv("NNSENSE_BIN");
    REQUIRE_MESSAGE(bin != nullptr, "NNSENSE_BIN is not set (meson test sets it)");
    const fs::path dir = fs::temp_directory_path() / ("nnsense-tables-" + tag + "-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string cmd = std::string(bin) + " " + args + " --out " + (dir / "out").string() + " --threads 1 > " +
                            (dir / "log").string() + " 2>&1";
    Run r;
    r.rc = std::system(cmd.c_str());
    std::ifstream log(dir / "log");
    std::stringstream logs;
    logs << log.rdbuf();
    r.out = logs.str();
    std::ifstream m(dir / "out" / "metrics.json");
    if (m) r.metrics = nlohmann::json::parse(m);
    return r;
}

fs::path out_dir(const std::string& tag) {
    return fs::temp_directory_path() / ("nnsense-tables-" + tag + "-" + std::to_string(::getpid())) / "out";
}

std::string real_table(const std::string& name) {
    const char* data = std::getenv("NNSENSE_DATA");
    REQUIRE_MESSAGE(data != nullptr, "NNSENSE_DATA is not set (meson test sets it)");
    const fs::path p = fs::path(data) / "tables" / name;
    REQUIRE_MESSAGE(fs::exists(p), p.string() << " is missing: run ./setup (it fetches vega-datasets@3.2.1)");
    return p.string();
}

const nlohmann::json& encoded(const nlohmann::json& metrics, const std::string& column) {
    for (const auto& c : metrics["table"]["encoded_columns"])
        if (c["name"] == column) return c;
    FAIL("no encoded column " << column);
    return metrics;
}

// The solution of A·x = b for the augmented rows [A | b] (P × (P + 1)): Gauss-Jordan elimination with partial pivoting.
std::vector<double> solve(std::vector<std::vector<double>> A) {
    const std::size_t P = A.size();
    for (std::size_t c = 0; c < P; ++c) {
        std::size_t piv = c;
        for (std::size_t r = c + 1; r < P; ++r)
            if (std::abs(A[r][c]) > std::abs(A[piv][c])) piv = r;
        std::swap(A[c], A[piv]);
        for (std::size_t r = 0; r < P; ++r) {
            if (r == c) continue;
            const double m = A[r][c] / A[c][c];
            for (std::size_t j = c; j <= P; ++j) A[r][j] -= m * A[c][j];
        }
    }
    std::vector<double> x(P);
    for (std::size_t i = 0; i < P; ++i) x[i] = A[i][P] / A[i][i];
    return x;
}

// Cars' least-squares fit computed here, independently of the program: the rows with every value, the six numeric
// columns (Year as the model year) and Origin as two indicators, 5 folds dealt by row order mod 5; ordinary least
// squares by the normal equations (Gaussian elimination with partial pivoting). Returns the mean held-out R².
double cars_ols_cv_r2(const std::string& file) {
    std::ifstream f(file);
    const nlohmann::json rows = nlohmann::json::parse(f);
    std::vector<std::vector<double>> X;
    std::vector<double> y;
    for (const auto& r : rows) {
        const char* num[] = {"Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration"};
        bool ok = r["Miles_per_Gallon"].is_number();
        for (const char* k : num) ok = ok && r[k].is_number();
        if (!ok) continue;
        std::vector<double> x = {1.0};
        for (const char* k : num) x.push_back(r[k].get<double>());
        x.push_back(std::stod(r["Year"].get<std::string>().substr(0, 4)));
        x.push_back(r["Origin"] == "Europe");
        x.push_back(r["Origin"] == "Japan");
        X.push_back(x);
        y.push_back(r["Miles_per_Gallon"].get<double>());
    }
    const std::size_t N = X.size(), P = X[0].size(), K = 5;
    double total = 0;
    for (std::size_t k = 0; k < K; ++k) {
        std::vector<std::vector<double>> A(P, std::vector<double>(P + 1, 0));     // [XᵀX | Xᵀy]
        for (std::size_t n = 0; n < N; ++n) {
            if (n % K == k) continue;
            for (std::size_t i = 0; i < P; ++i) {
                for (std::size_t j = 0; j < P; ++j) A[i][j] += X[n][i] * X[n][j];
                A[i][P] += X[n][i] * y[n];
            }
        }
        const std::vector<double> beta = solve(A);
        double ss_res = 0, ss_tot = 0, mean = 0, count = 0;
        for (std::size_t n = k; n < N; n += K) { mean += y[n]; ++count; }
        mean /= count;
        for (std::size_t n = k; n < N; n += K) {
            double pred = 0;
            for (std::size_t i = 0; i < P; ++i) pred += X[n][i] * beta[i];
            ss_res += (y[n] - pred) * (y[n] - pred);
            ss_tot += (y[n] - mean) * (y[n] - mean);
        }
        total += (1 - ss_res / ss_tot) / K;
    }
    return total;
}

// A multinomial logistic regression computed here, independently of the program: the features X standardized over
// the rows, 5 folds dealt by row order mod 5, the softmax model with a small ridge (λ = 1e-3 on every weight, summed
// over the rows' loss) fitted by Newton's method in double (the Hessian of all C·P weights; the step halved until
// the penalized loss falls). Returns the mean held-out accuracy and log-loss.
struct LogisticCv {
    double accuracy = 0, log_loss = 0;
};
LogisticCv logistic_cv(std::vector<std::vector<double>> X, const std::vector<std::string>& labels) {
    std::map<std::string, std::size_t> classes;
    for (const auto& l : labels) classes[l] = 0;
    std::size_t next = 0;
    for (auto& c : classes) c.second = next++;
    std::vector<std::size_t> y;
    for (const auto& l : labels) y.push_back(classes[l]);
    const std::size_t N = X.size(), F = X[0].size(), P = F + 1, C = classes.size(), K = 5;
    for (std::size_t j = 0; j < F; ++j) {                                     // standardize, then prepend the 1
        double mean = 0, ss = 0;
        for (const auto& x : X) mean += x[j] / N;
        for (const auto& x : X) ss += (x[j] - mean) * (x[j] - mean) / N;
        for (auto& x : X) x[j] = (x[j] - mean) / std::sqrt(ss);
    }
    for (auto& x : X) x.insert(x.begin(), 1.0);
    const auto probabilities = [&](const std::vector<double>& w, const std::vector<double>& x) {
        std::vector<double> z(C, 0);
        for (std::size_t c = 0; c < C; ++c)
            for (std::size_t i = 0; i < P; ++i) z[c] += w[c * P + i] * x[i];
        const double top = *std::max_element(z.begin(), z.end());
        double sum = 0;
        for (double& v : z) sum += (v = std::exp(v - top));
        for (double& v : z) v /= sum;
        return z;
    };
    const double lambda = 1e-3;
    LogisticCv out;
    for (std::size_t k = 0; k < K; ++k) {
        const auto loss = [&](const std::vector<double>& w) {
            double l = 0;
            for (std::size_t n = 0; n < N; ++n)
                if (n % K != k) l -= std::log(probabilities(w, X[n])[y[n]]);
            for (double v : w) l += lambda / 2 * v * v;
            return l;
        };
        std::vector<double> w(C * P, 0);
        for (int it = 0; it < 50; ++it) {
            std::vector<std::vector<double>> A(C * P, std::vector<double>(C * P + 1, 0));   // [H | −gradient]
            for (std::size_t n = 0; n < N; ++n) {
                if (n % K == k) continue;
                const std::vector<double> p = probabilities(w, X[n]);
                for (std::size_t c = 0; c < C; ++c)
                    for (std::size_t i = 0; i < P; ++i) {
                        A[c * P + i][C * P] -= (p[c] - (y[n] == c)) * X[n][i];
                        for (std::size_t d = 0; d < C; ++d)
                            for (std::size_t j = 0; j < P; ++j)
                                A[c * P + i][d * P + j] += p[c] * ((c == d) - p[d]) * X[n][i] * X[n][j];
                    }
            }
            for (std::size_t q = 0; q < C * P; ++q) {
                A[q][q] += lambda;
                A[q][C * P] -= lambda * w[q];
            }
            const std::vector<double> step = solve(A);
            const double before = loss(w);
            double scale = 1;
            std::vector<double> trial(w.size());
            for (int h = 0; h < 30; ++h, scale /= 2) {
                for (std::size_t q = 0; q < w.size(); ++q) trial[q] = w[q] + scale * step[q];
                if (loss(trial) <= before) break;
            }
            w = trial;
            if (before - loss(w) < 1e-10) break;
        }
        double hits = 0, ll = 0, count = 0;
        for (std::size_t n = k; n < N; n += K) {
            const std::vector<double> p = probabilities(w, X[n]);
            hits += static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin()) == y[n];
            ll -= std::log(std::max(p[y[n]], 1e-12));
            ++count;
        }
        out.accuracy += hits / count / K;
        out.log_loss += ll / count / K;
    }
    return out;
}

// Penguins' rows with all three bill and flipper measurements, and their species.
LogisticCv penguins_logistic_cv(const std::string& file) {
    std::ifstream f(file);
    const nlohmann::json rows = nlohmann::json::parse(f);
    std::vector<std::vector<double>> X;
    std::vector<std::string> species;
    for (const auto& r : rows) {
        const char* num[] = {"Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)"};
        bool ok = r["Species"].is_string();
        for (const char* k : num) ok = ok && r[k].is_number();
        if (!ok) continue;
        std::vector<double> x;
        for (const char* k : num) x.push_back(r[k].get<double>());
        X.push_back(x);
        species.push_back(r["Species"].get<std::string>());
    }
    return logistic_cv(X, species);
}

}  // namespace

TEST_CASE("cars.json as it comes: 8 rows without MPG dropped, 6 Horsepower imputed, Name left out, Year a date, Origin one-hot") {
    const std::string cars = real_table("cars.json");
    const Run r = run_binary("cars", "--csv " + cars + " --target Miles_per_Gallon --no-probes --quiet");
    INFO(r.out);
    REQUIRE(r.rc == 0);
    const auto& t = r.metrics["table"];
    CHECK(t["rows"]["read"] == 406);
    CHECK(t["rows"]["dropped_no_target"] == 8);
    CHECK(t["rows"]["used"] == 398);
    CHECK(t["task"] == "regression");
    CHECK(t["features"] == nlohmann::json({"Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration",
                                           "Year", "Origin"}));
    CHECK(encoded(r.metrics, "Horsepower")["imputed"] == 6);
    CHECK(encoded(r.metrics, "Horsepower")["inputs"] == nlohmann::json({"Horsepower", "Horsepower_missing"}));
    CHECK(encoded(r.metrics, "Year")["kind"] == "date");
    CHECK(encoded(r.metrics, "Origin")["inputs"] == nlohmann::json({"Origin=Europe", "Origin=Japan", "Origin=USA"}));
    CHECK(r.out.find("note: column 'Name' left out: an identifier, 311 distinct values in 406 rows") != std::string::npos);
    CHECK(r.out.find("note: column 'Year': ISO dates, read as a fractional year (1970-01-01 is 1970.000)") != std::string::npos);
    CHECK(r.out.find("note: 8 rows without 'Miles_per_Gallon' dropped") != std::string::npos);
    // The Jacobian table has the six numeric columns, the categorical table Origin's three levels.
    CHECK(r.metrics["sensitivity"]["features"].size() == 6);
    REQUIRE(r.metrics["sensitivity"]["categorical"].size() == 3);
    std::size_t at_levels = 0;
    for (const auto& e : r.metrics["sensitivity"]["categorical"]) at_levels += e["rows_at_level"].get<std::size_t>();
    CHECK(at_levels == 398);
    const double r2 = r.metrics["r2"];
    MESSAGE("cars: R² " << r2 << " on " << t["validation_rows"] << " held-out rows");
    CHECK(r2 > 0.7);
    // Early stopping kept an epoch inside the run; the 5-fold scores of the net and the ridge baseline.
    CHECK(r.metrics["training"]["best_epoch"].get<std::size_t>() >= 1);
    CHECK(r.metrics["training"]["best_epoch"].get<std::size_t>() <= r.metrics["training"]["curve"].size());
    const auto& cv = r.metrics["cv"];
    const double net = cv["net"]["r2"]["mean"], base = cv["baseline"]["r2"]["mean"], base_sd = cv["baseline"]["r2"]["sd"];
    const double ols = cars_ols_cv_r2(cars);
    MESSAGE("cars: 5-fold R² net " << net << " ± " << cv["net"]["r2"]["sd"] << ", ridge " << base << " ± " << base_sd
                                   << ", least squares computed in the test " << ols);
    CHECK(std::abs(base - ols) < base_sd);             // the baseline is the least-squares line (other folds, imputation)
    CHECK(net >= base - cv["gain"]["sd"].get<double>());   // the net at least as good as the line, within the spread
    // Cylinders, displacement, horsepower and weight move together: one group, reported once.
    const auto& groups = r.metrics["sensitivity"]["groups"]["list"];
    REQUIRE(groups.size() == 1);
    CHECK(groups[0]["members"] == nlohmann::json({"Cylinders", "Displacement", "Horsepower", "Weight_in_lbs"}));
    // Every numeric feature has its refit interval and rank range.
    for (const auto& f : r.metrics["sensitivity"]["features"]) {
        CHECK(f["refit"]["refit_lo"].get<double>() <= f["refit"]["mean_over_fits"].get<double>());
        CHECK(f["refit"]["rank_min"].get<std::size_t>() <= f["refit"]["rank_max"].get<std::size_t>());
    }
    // The saved plan is re-applied with --model: the same rows, inputs and imputed cells.
    const Run again = run_binary("cars-model", "--csv " + cars + " --model " + (out_dir("cars") / "model").string() +
                                                   " --no-probes --quiet");
    INFO(again.out);
    REQUIRE(again.rc == 0);
    CHECK(again.metrics["table"]["inputs"] == t["inputs"]);
    CHECK(encoded(again.metrics, "Horsepower")["imputed"] == 6);
    CHECK(again.metrics["table"]["rows"]["used"] == 398);
}

TEST_CASE("penguins.json as it comes: species from measurements, island and sex (nulls imputed)") {
    const Run r = run_binary("penguins", "--csv " + real_table("penguins.json") + " --target Species --no-probes --quiet");
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(r.metrics["table"]["task"] == "classification");
    CHECK(encoded(r.metrics, "Sex")["imputed"] == 10);
    CHECK(encoded(r.metrics, "Body Mass (g)")["imputed"] == 2);
    const double acc = r.metrics["test_accuracy"];
    MESSAGE("penguins: accuracy " << acc << " on " << r.metrics["table"]["validation_rows"] << " held-out rows");
    CHECK(acc > 0.9);
    // The species from the bill (beak) and flipper measurements alone: at least 95% in 5-fold cross-validation.
    const Run m = run_binary("penguins-measures", "--csv " + real_table("penguins.json") + " --target Species --features "
                             "'Beak Length (mm),Beak Depth (mm),Flipper Length (mm)' --no-probes --quiet");
    INFO(m.out);
    REQUIRE(m.rc == 0);
    const double cv_acc = m.metrics["cv"]["net"]["accuracy"]["mean"];
    MESSAGE("penguins, bill and flipper only: 5-fold accuracy net " << cv_acc << " ± "
            << m.metrics["cv"]["net"]["accuracy"]["sd"] << ", logistic " << m.metrics["cv"]["baseline"]["accuracy"]["mean"]);
    CHECK(cv_acc >= 0.95);
    // The baseline is the multinomial logistic regression: against one fitted here by Newton's method (other folds,
    // the two rows without measurements left out, its own small ridge instead of the chosen weight decay), within the
    // baseline's fold-to-fold spread.
    const LogisticCv logistic = penguins_logistic_cv(real_table("penguins.json"));
    const auto& base = m.metrics["cv"]["baseline"];
    MESSAGE("penguins, bill and flipper only: 5-fold logistic accuracy " << base["accuracy"]["mean"] << " ± "
            << base["accuracy"]["sd"] << ", log-loss " << base["log_loss"]["mean"] << " ± " << base["log_loss"]["sd"]
            << "; Newton's logistic fit computed in the test: accuracy " << logistic.accuracy << ", log-loss "
            << logistic.log_loss);
    CHECK(std::abs(base["accuracy"]["mean"].get<double>() - logistic.accuracy) < base["accuracy"]["sd"].get<double>());
}

TEST_CASE("seattle-weather.csv as it comes: the date column becomes a fractional year; 5 weather labels") {
    const Run r = run_binary("seattle", "--table " + real_table("seattle-weather.csv") + " --target weather --no-probes --quiet");
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(encoded(r.metrics, "date")["kind"] == "date");
    CHECK(r.metrics["table"]["rows"]["used"] == 1461);
    const double acc = r.metrics["test_accuracy"];
    MESSAGE("seattle-weather: accuracy " << acc << " (the most frequent label, rain, is 641 of 1461 days)");
    CHECK(acc > 641.0 / 1461 + 0.1);
    // Against always saying "rain" (the majority class), in 5-fold cross-validation, by more than twice the spread.
    const auto& cv = r.metrics["cv"];
    const double net = cv["net"]["accuracy"]["mean"], sd = cv["net"]["accuracy"]["sd"];
    MESSAGE("seattle-weather: 5-fold accuracy net " << net << " ± " << sd << ", logistic "
            << cv["baseline"]["accuracy"]["mean"] << " ± " << cv["baseline"]["accuracy"]["sd"] << ", majority 0.439");
    CHECK(net > 641.0 / 1461 + 2 * sd);
    CHECK(cv["baseline"]["accuracy"]["mean"].get<double>() > 641.0 / 1461);
}

TEST_CASE("a categorical column of known effect: y = 2·[c = b] + x, moving every row to b adds 2 to the rows not at b") {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(-1, 1);
    std::normal_distribution<double> noise(0, 0.05);
    const char* levels[] = {"a", "b", "c"};
    std::string csv = "x,c,y\n";
    double at_b = 0;
    const int N = 1500;
    for (int i = 0; i < N; ++i) {
        const double x = u(rng);
        const int l = static_cast<int>(rng() % 3);
        at_b += l == 1;
        csv += std::to_string(x) + "," + levels[l] + "," + std::to_string(2.0 * (l == 1) + x + noise(rng)) + "\n";
    }
    const fs::path dir = fs::temp_directory_path() / ("nnsense-tables-cat-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    { std::ofstream(dir / "t.csv") << csv; }
    const Run r = run_binary("cat-run", "--csv " + (dir / "t.csv").string() + " --target y --task regression --no-probes --quiet");
    INFO(r.out);
    REQUIRE(r.rc == 0);
    const double p_b = at_b / N;
    std::map<std::string, nlohmann::json> e;
    for (const auto& row : r.metrics["sensitivity"]["categorical"]) e[row["level"].get<std::string>()] = row;
    REQUIRE(e.size() == 3);
    // Rows at b gain 0, the others 2: mean 2·(1 − p_b). Moving to a or c costs the rows at b 2: mean −2·p_b.
    const double to_b = e["b"]["mean_change"], to_a = e["a"]["mean_change"], to_c = e["c"]["mean_change"];
    MESSAGE("to a " << to_a << ", to b " << to_b << " (truth " << 2 * (1 - p_b) << "), to c " << to_c << " (truth " << -2 * p_b << ")");
    CHECK(to_b == doctest::Approx(2 * (1 - p_b)).epsilon(0.05));
    CHECK(to_a == doctest::Approx(-2 * p_b).epsilon(0.05));
    CHECK(to_c == doctest::Approx(-2 * p_b).epsilon(0.05));
    // The spread is that of a two-valued change, 2·sqrt(p(1 − p)): the rows at the level and the rest.
    CHECK(e["b"]["sd_change"].get<double>() == doctest::Approx(2 * std::sqrt(p_b * (1 - p_b))).epsilon(0.1));
    CHECK(e["b"]["rows_at_level"] == static_cast<std::size_t>(at_b));
    // The categorical CSV beside features.csv holds the same rows.
    std::ifstream f(out_dir("cat-run") / "sensitivity" / "categorical.csv");
    std::string header;
    std::getline(f, header);
    CHECK(header == "column,level,rows_at_level,mean_change,sd_change,mean_abs_change");
    fs::remove_all(dir);
}

TEST_CASE("a table model saved before plans (no table.plan) still explains a numeric table") {
    const auto t = datasets::sin_table(300, 2, false);
    const fs::path dir = fs::temp_directory_path() / ("nnsense-tables-old-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    { std::ofstream(dir / "t.csv") << datasets::to_csv(t); }
    const std::string csv = (dir / "t.csv").string();
    REQUIRE(run_binary("old", "--csv " + csv + " --target y --meta age --epochs 5 --no-probes --quiet").rc == 0);
    const fs::path manifest = out_dir("old") / "model" / "model.json";
    nlohmann::json m = nlohmann::json::parse(std::ifstream(manifest));
    m["table"].erase("plan");
    m["table"].erase("inputs");
    { std::ofstream(manifest) << m.dump(2); }
    const Run r = run_binary("old-model", "--csv " + csv + " --model " + (out_dir("old") / "model").string() + " --no-probes --quiet");
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(r.metrics["table"]["inputs"] == nlohmann::json({"x1", "x2", "x3_g", "noise"}));
    fs::remove_all(dir);
}

