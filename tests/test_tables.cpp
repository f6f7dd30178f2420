// tests/test_tables.cpp — chapter 15 (tables): the CSV reader, the bootstrap interval's coverage, and the ground truth:
// train-and-explain --csv on a generated table y = sin(x1) + 0.5·x2² + 0.005·x3_g + noise against the true derivatives.
#include <doctest/doctest.h>

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

#include "datasets/csv.hpp"
#include "datasets/synthetic_table.hpp"
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
