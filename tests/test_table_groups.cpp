// tests/test_table_groups.cpp — chapter 15's analyses beyond one feature at a time: correlated features as Spearman groups
// (one group, one caveat), and permutation importance on held-out rows (noise's interval holds 0, a real effect's does not).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "sensitivity/tables/groups.hpp"
#include "sensitivity/tables/log_odds.hpp"
#include "sensitivity/tables/permutation.hpp"

namespace st = sensitivity::tables;
namespace fs = std::filesystem;

namespace {

// N rows: columns 0-3 one latent factor plus a little noise each (column 2 enters with a minus sign, column 3 through
// exp(), so only ranks are linear), columns 4 and 5 independent.
xt::xtensor<double, 2> block_table(std::size_t N, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(0, 1);
    xt::xtensor<double, 2> x = xt::zeros<double>({N, std::size_t(6)});   // [N, 6]
    for (std::size_t n = 0; n < N; ++n) {
        const double f = z(rng);
        x(n, 0) = f + 0.2 * z(rng);
        x(n, 1) = 3 * f + 0.6 * z(rng) + 10;
        x(n, 2) = -f + 0.2 * z(rng);
        x(n, 3) = std::exp(f + 0.2 * z(rng));
        x(n, 4) = z(rng);
        x(n, 5) = z(rng);
    }
    return x;
}

}  // namespace

TEST_CASE("Spearman's rho: ranks with ties averaged; a monotone transform has rho 1, a reversal -1, a constant 0") {
    xt::xtensor<double, 2> x = {{1, 1, 5, 2}, {2, 8, 4, 2}, {3, 27, 3, 2}, {4, 64, 2, 2}, {4, 64, 1, 2}};
    const auto rho = st::spearman_matrix(x);
    CHECK(rho(0, 1) == doctest::Approx(1.0));
    CHECK(rho(0, 2) == doctest::Approx(-0.9746794).epsilon(1e-6));   // ties at 4: ranks 1,2,3,4.5,4.5 vs 5..1
    CHECK(rho(0, 3) == 0);
    CHECK(rho(2, 2) == 1);
}

TEST_CASE("a block of 4 correlated columns and 2 independent ones gives exactly one group of 4, signs by rho") {
    const auto x = block_table(2000, 3);
    const auto rho = st::spearman_matrix(x);
    const auto groups = st::correlated_groups(rho, 0.8);
    REQUIRE(groups.size() == 1);
    CHECK(groups[0].members == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(groups[0].signs == std::vector<int>{1, 1, -1, 1});
    CHECK(groups[0].min_abs_rho >= 0.8);
    // With a threshold above every pair there are no groups; the test can fail either way.
    CHECK(st::correlated_groups(rho, 0.999).empty());
}

TEST_CASE("single linkage: a chain a-b, b-c joins a and c even when a-c is below the threshold") {
    xt::xtensor<double, 2> rho = {{1, 0.9, 0.7, 0}, {0.9, 1, -0.85, 0}, {0.7, -0.85, 1, 0}, {0, 0, 0, 1}};
    const auto groups = st::correlated_groups(rho, 0.8);
    REQUIRE(groups.size() == 1);
    CHECK(groups[0].members == std::vector<std::size_t>{0, 1, 2});
    CHECK(groups[0].signs == std::vector<int>{1, 1, -1});
    CHECK(groups[0].min_abs_rho == doctest::Approx(0.7));
}

TEST_CASE("the group's directional derivative per SD: sign-aligned members add, normalized by sqrt(k)") {
    // y = 2·x0 - 3·x2 in every row, x2 anti-correlated with x0: along v = (e0 - e2)/√2 (per SD), D_v y = (2·sd0 + 3·sd2)/√2.
    st::FeatureGroup g;
    g.members = {0, 2};
    g.signs = {1, -1};
    xt::xtensor<double, 2> J = xt::zeros<double>({std::size_t(50), std::size_t(3)});
    for (std::size_t n = 0; n < 50; ++n) {
        J(n, 0) = 2;
        J(n, 2) = -3;
    }
    const auto s = st::group_sensitivity(g, J, {0.5, 1, 2}, {"a", "b", "c"}, 100, 1);
    CHECK(s.names == std::vector<std::string>{"a", "c"});
    CHECK(s.mean == doctest::Approx((2 * 0.5 + 3 * 2) / std::sqrt(2.0)));
    CHECK(s.mean_abs == doctest::Approx(s.mean));
    CHECK(s.mean_abs_lo == doctest::Approx(s.mean));
}

TEST_CASE("permutation importance: the informative column's interval is clearly above 0, the noise column's holds 0") {
    // A model that knows the truth up to a small leaked weight on noise: f = 2·x0 + 0.05·x1; y = 2·x0 + ε.
    // Held-out rows are fresh, so shuffling x1 cannot make the loss rise on average; shuffling x0 must (by 2·2²·var = 8).
    const std::size_t V = 400;
    std::mt19937_64 rng(11);
    std::normal_distribution<double> z(0, 1);
    xt::xtensor<double, 2> x = xt::zeros<double>({V, std::size_t(2)});
    std::vector<double> y(V);
    for (std::size_t n = 0; n < V; ++n) {
        x(n, 0) = z(rng);
        x(n, 1) = z(rng);
        y[n] = 2 * x(n, 0) + 0.5 * z(rng);
    }
    const st::RowLoss loss = [&](const xt::xtensor<double, 2>& v) {
        std::vector<double> l(v.shape(0));
        for (std::size_t n = 0; n < l.size(); ++n) {
            const double e = y[n] - (2 * v(n, 0) + 0.05 * v(n, 1));
            l[n] = e * e;
        }
        return l;
    };
    const auto p = st::permutation_importance(loss, x, {{0}, {1}, {0, 1}}, 30, 5);
    REQUIRE(p.size() == 3);
    MESSAGE("informative " << p[0].rise << " [" << p[0].lo << ", " << p[0].hi << "], noise " << p[1].rise << " ["
                           << p[1].lo << ", " << p[1].hi << "]");
    CHECK(p[0].lo > 4);
    CHECK(p[0].rise == doctest::Approx(8).epsilon(0.25));
    CHECK(p[1].lo <= 0);
    CHECK(p[1].hi >= 0);
    CHECK(p[1].hi < 0.05);
    CHECK(p[2].rise > p[0].rise * 0.9);                          // a block: both columns shuffled by one permutation
    CHECK(p[0].repeat_lo <= p[0].rise);
    CHECK(p[0].repeat_hi >= p[0].rise);
    // Reproducible from the seed; another seed gives other shuffles.
    const auto again = st::permutation_importance(loss, x, {{0}, {1}, {0, 1}}, 30, 5);
    CHECK(again[1].rise == p[1].rise);
    CHECK(st::permutation_importance(loss, x, {{1}}, 30, 6)[0].rise != p[1].rise);
}

TEST_CASE("ranks and the disagreement rule: rank 1 is the largest; the limit is max(2, D/4)") {
    CHECK(st::descending_ranks({0.1, 3, 2, 3}) == std::vector<std::size_t>{4, 1, 3, 2});
    CHECK(st::rank_disagreement_limit(5) == 2);
    CHECK(st::rank_disagreement_limit(30) == 7);
}

TEST_CASE("the predicted class's log-odds Jacobian equals central differences of log(p_c / (1 - p_c)), and does not saturate") {
    // Three classes with logits l = W·x + b (x in R², so J = W in every row); the log-odds in double from the logits.
    const double W[3][2] = {{4, -1}, {0.5, 2}, {-3, 1}}, b[3] = {0.2, 0, -0.4};
    auto logits_of = [&](double x0, double x1) {
        std::vector<double> l(3);
        for (int k = 0; k < 3; ++k) l[k] = W[k][0] * x0 + W[k][1] * x1 + b[k];
        return l;
    };
    auto log_odds = [&](double x0, double x1, int c) {   // l_c - log Σ_{k≠c} exp(l_k)
        const auto l = logits_of(x0, x1);
        double s = 0;
        for (int k = 0; k < 3; ++k)
            if (k != c) s += std::exp(l[k]);
        return l[c] - std::log(s);
    };
    const std::vector<std::array<double, 2>> rows = {{0.3, -0.2}, {-1, 0.5}, {0.1, 1.5}, {8, -8}};
    xt::xtensor<double, 3> J = xt::zeros<double>({rows.size(), std::size_t(3), std::size_t(2)});
    xt::xtensor<double, 2> L = xt::zeros<double>({rows.size(), std::size_t(3)});
    for (std::size_t n = 0; n < rows.size(); ++n) {
        const auto l = logits_of(rows[n][0], rows[n][1]);
        for (std::size_t k = 0; k < 3; ++k) {
            L(n, k) = l[k];
            for (std::size_t j = 0; j < 2; ++j) J(n, k, j) = W[k][j];
        }
    }
    const auto lo = st::predicted_class_log_odds(J, L);
    for (std::size_t n = 0; n < rows.size(); ++n) {
        const int c = lo.predicted[n];
        const auto l = logits_of(rows[n][0], rows[n][1]);
        CHECK(l[c] == *std::max_element(l.begin(), l.end()));
        const double h = 1e-5;
        const double fd0 = (log_odds(rows[n][0] + h, rows[n][1], c) - log_odds(rows[n][0] - h, rows[n][1], c)) / (2 * h);
        const double fd1 = (log_odds(rows[n][0], rows[n][1] + h, c) - log_odds(rows[n][0], rows[n][1] - h, c)) / (2 * h);
        CHECK(lo.J(n, 0) == doctest::Approx(fd0).epsilon(1e-6));
        CHECK(lo.J(n, 1) == doctest::Approx(fd1).epsilon(1e-6));
    }
    // Row (8, -8): logits (40.2, -12, -32.4), so p_0 = 1 - 2e-23 is 1 in double and ∂p_0/∂x is about 1e-22; the
    // log-odds' slope is W[0] - W[1] = (3.5, -3) to within class 2's weight e^-20.
    CHECK(lo.predicted[3] == 0);
    CHECK(lo.J(3, 0) == doctest::Approx(3.5).epsilon(1e-8));
    CHECK(lo.J(3, 1) == doctest::Approx(-3).epsilon(1e-8));
}

// ---------------------------------------------------------------- through the real binary
namespace {

struct Run {
    int rc = 0;
    std::string out;
    fs::path dir;
};

// 600 rows: four columns of one latent factor (the first with a 30-character name), two independent ones, and a class
// decided by the factor and x5. Runs train-and-explain on it with `flags`; returns the exit code and stdout+stderr.
Run run_block_table(const std::string& tag, const std::string& flags) {
    const char* bin = std::getenv("NNSENSE_BIN");
    REQUIRE_MESSAGE(bin != nullptr, "NNSENSE_BIN is not set (meson test sets it)");
    Run r;
    r.dir = fs::temp_directory_path() / ("nnsense-groups-" + tag + "-" + std::to_string(::getpid()));
    fs::create_directories(r.dir);
    {
        std::ofstream f(r.dir / "t.csv");
        f << "a_column_name_of_30_characters,b,c,d,x5,x6,class\n";
        std::mt19937_64 rng(4);
        std::normal_distribution<double> z(0, 1);
        for (int n = 0; n < 600; ++n) {
            const double u = z(rng), x5 = z(rng), x6 = z(rng);
            f << u + 0.2 * z(rng) << ',' << 3 * u + 0.6 * z(rng) + 10 << ',' << -u + 0.2 * z(rng) << ','
              << std::exp(u + 0.2 * z(rng)) << ',' << x5 << ',' << x6 << ',' << (u + x5 + 0.3 * z(rng) > 0 ? "yes" : "no")
              << '\n';
        }
    }
    const std::string cmd = std::string(bin) + " --csv " + (r.dir / "t.csv").string() + " --target class --epochs 40 --out " +
                            (r.dir / "out").string() + " --threads 1 " + flags + " > " + (r.dir / "log").string() + " 2>&1";
    r.rc = std::system(cmd.c_str());
    std::ifstream log(r.dir / "log");
    std::stringstream s;
    s << log.rdbuf();
    r.out = s.str();
    return r;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

// Where the second column starts: after the indent, the first cell (no spaces in these names) and its padding.
std::size_t second_column(const std::string& line) {
    const std::size_t name = line.find_first_not_of(' ');
    const std::size_t gap = line.find(' ', name);
    return line.find_first_not_of(' ', gap);
}

}  // namespace

TEST_CASE("a table with a block of 4 correlated columns: one group, one caveat, log-odds in the header, columns aligned") {
    const Run r = run_block_table("default", "");
    INFO(r.out);
    REQUIRE(r.rc == 0);
    const auto lines = lines_of(r.out);
    std::size_t caveats = 0, header = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        caveats += lines[i].find("caveat:") != std::string::npos;
        if (lines[i].rfind("sensitivity of log-odds of the predicted class (600 rows", 0) == 0) header = i;
    }
    CHECK(caveats == 1);
    REQUIRE(header + 8 < lines.size());
    CHECK(r.out.find("caveat: G1 (a_column_name_of_30_characters, b, c, d) move together") != std::string::npos);
    // The table: its header line and six feature rows; every row's second column starts where the header's does.
    const std::size_t col = second_column(lines[header + 1]);
    CHECK(lines[header + 1].substr(col, 7) == "mean|J|");
    for (std::size_t k = 2; k <= 7; ++k) CHECK(second_column(lines[header + k]) == col);
    CHECK(col >= 2 + 30 + 2);
    // The group's line and the CSV's group column.
    std::ifstream csv(r.dir / "out" / "sensitivity" / "features.csv");
    std::string line;
    std::getline(csv, line);
    CHECK(line.find(",group,perm_rise,perm_lo,perm_hi,rank_perm,ranks_disagree") != std::string::npos);
    std::size_t grouped = 0;
    while (std::getline(csv, line)) grouped += line.find(",G1,") != std::string::npos;
    CHECK(grouped == 4);
    // The probe table: every fitted row's 95% CI starts where the header's does, whatever the name's length.
    std::size_t probe = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i].rfind("probe ", 0) == 0) probe = i;
    REQUIRE(probe + 6 < lines.size());
    const std::size_t ci = lines[probe].find("95% CI");
    for (std::size_t k = probe + 1; k <= probe + 6; ++k)
        if (lines[k].find('[') != std::string::npos) CHECK(lines[k].find('[') == ci);
    fs::remove_all(r.dir);
}

TEST_CASE("--attribution-target prob says so in the header; --group-threshold 0.99 leaves no group and no caveat") {
    const Run r = run_block_table("prob", "--attribution-target prob --group-threshold 0.99 --no-probes");
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("sensitivity of p(predicted class) (600 rows") != std::string::npos);
    CHECK(r.out.find("caveat:") == std::string::npos);
    fs::remove_all(r.dir);
}
