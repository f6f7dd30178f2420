// bench/bench_tables.cpp — wall-clock seconds of train-and-explain's whole table pipeline on cars (the weight-decay
// choice, the K-fold nets and ridge baselines, the sensitivities and their refits, permutation importance, the
// figures, report and metrics.json), next to scikit-learn doing the same work in the same run
// (bench/peers/tables_sklearn.py), with both programs' K-fold R² and RMSE. Prints figures; asserts no time.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"

namespace {

struct Config {
    std::string exe;                           // train-and-explain; default: ../examples/ next to this program
    std::string table, target = "Miles_per_Gallon";
    int folds = 5, hidden = 32, runs = 3;
    std::string python = "/usr/bin/python3";
    std::string peers;
    bool no_sklearn = false;
};

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

struct Cv {
    double r2 = 0, r2_sd = 0, rmse = 0, rmse_sd = 0;
};
Cv cv_of(const nlohmann::json& j) {
    return {j.at("r2").at("mean").get<double>(), j.at("r2").at("sd").get<double>(), j.at("rmse").at("mean").get<double>(),
            j.at("rmse").at("sd").get<double>()};
}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    cfg.table = bench::source_root() + "/data/tables/cars.json";
    cfg.peers = bench::source_root() + "/bench/peers";
    cfg.exe = (std::filesystem::path(argv[0]).parent_path() / ".." / "examples" / "train-and-explain").string();
    CLI::App app{"Seconds of train-and-explain's table pipeline next to scikit-learn doing the same work"};
    app.add_option("--exe", cfg.exe, "the train-and-explain program")->capture_default_str();
    app.add_option("--table", cfg.table, "the table (JSON records or CSV)")->capture_default_str();
    app.add_option("--target", cfg.target, "its numeric target column")->capture_default_str();
    app.add_option("--folds", cfg.folds, "K of the K-fold cross-validation")->check(CLI::Range(2, 20))->capture_default_str();
    app.add_option("--hidden", cfg.hidden, "hidden units of both nets (train-and-explain's table default: 32)")
        ->check(CLI::Range(1, 100000))->capture_default_str();
    app.add_option("--runs", cfg.runs, "timed runs of each side; the median is reported")->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_option("--python", cfg.python, "python with scikit-learn")->capture_default_str();
    app.add_option("--peers", cfg.peers, "folder with tables_sklearn.py")->capture_default_str();
    app.add_flag("--no-sklearn", cfg.no_sklearn, "skip the scikit-learn peer");
    return bench::main_of("bench_tables", app, argc, argv, [&]() -> int {
        if (!std::filesystem::exists(cfg.exe)) {
            std::fprintf(stderr, "bench_tables: --exe %s: no such program (build train-and-explain first)\n", cfg.exe.c_str());
            return 2;
        }

        std::printf("bench_tables: %s, target %s, %d folds, %d hidden units; load average %s\n", cfg.table.c_str(),
                    cfg.target.c_str(), cfg.folds, cfg.hidden, bench::load_average().c_str());

        // ---- nnsense: the whole program, as a user runs it (process start, reading the table, every output file);
        // once as it is, once with --no-probes (the probes are work the scikit-learn peer does not do).
        auto time_ours = [&](bool no_probes, Cv& net, Cv& base) -> double {
            std::vector<double> secs;
            for (int r = 0; r < cfg.runs; ++r) {
                bench::TempDir dir("bench-tables");
                const std::string cmd = quote(cfg.exe) + " --csv " + quote(cfg.table) + " --target " + quote(cfg.target) +
                                        " --folds " + std::to_string(cfg.folds) + " --hidden " + std::to_string(cfg.hidden) +
                                        " --seed " + std::to_string(r + 1) + (no_probes ? " --no-probes" : "") +
                                        " --quiet --out " + quote(dir.file("out")) + " > " + quote(dir.file("log")) + " 2>&1";
                const double t0 = bench::now_seconds();
                const int rc = std::system(cmd.c_str());
                secs.push_back(bench::now_seconds() - t0);
                if (rc != 0) {
                    std::fprintf(stderr, "bench_tables: train-and-explain failed (exit %d): %s\n", rc, cmd.c_str());
                    std::exit(1);
                }
                std::ifstream in(dir.file("out/metrics.json"));
                const nlohmann::json m = nlohmann::json::parse(in);
                const nlohmann::json& cv = m.at("cv");
                net = cv_of(cv.at("net"));
                base = cv_of(cv.at("baseline"));
                std::printf("    run %d: train-and-explain%s %.3f s (of which training with the weight-decay choice %.3f s, "
                            "cross-validation %.3f s)\n", r + 1, no_probes ? " --no-probes" : "", secs.back(),
                            m.at("training").at("seconds").get<double>(), cv.at("seconds").get<double>());
            }
            return bench::median(secs);
        };
        Cv ours_net, ours_base, np_net, np_base;
        const double t_ours = time_ours(false, ours_net, ours_base);
        const double t_np = time_ours(true, np_net, np_base);

        // ---- scikit-learn, in a subprocess, timed inside the script (python start and imports not counted).
        std::vector<double> sk_s;
        Cv sk_net, sk_base;
        std::string sk_version;
        if (!cfg.no_sklearn) {
            for (int r = 0; r < cfg.runs; ++r) {
                const bench::PeerResult p = bench::run_peer(
                    cfg.python, cfg.peers + "/tables_sklearn.py",
                    {"--table", cfg.table, "--target", cfg.target, "--folds", std::to_string(cfg.folds), "--hidden",
                     std::to_string(cfg.hidden), "--seed", std::to_string(r + 1)});
                if (!p.json) {
                    std::printf("    scikit-learn: NOT MEASURED: %s\n", p.error.c_str());
                    break;
                }
                const auto& j = *p.json;
                sk_s.push_back(j.at("seconds").get<double>());
                sk_net = cv_of(j.at("net"));
                sk_base = cv_of(j.at("baseline"));
                sk_version = j.at("sklearn").get<std::string>();
                std::printf("    run %d: scikit-learn %s %.3f s (of which cross-validation %.3f s; alpha %g)\n", r + 1,
                            sk_version.c_str(), sk_s.back(), j.at("seconds_cv").get<double>(), j.at("alpha").get<double>());
            }
        }

        std::printf("\n%-38s %9s %18s %18s %18s\n", "contestant (median of runs)", "seconds", "net CV R²", "ridge CV R²",
                    "net CV RMSE");
        std::printf("%-38s %9.3f %9.3f ± %.3f %9.3f ± %.3f %9.3f ± %.3f\n", "nnsense train-and-explain", t_ours, ours_net.r2,
                    ours_net.r2_sd, ours_base.r2, ours_base.r2_sd, ours_net.rmse, ours_net.rmse_sd);
        std::printf("%-38s %9.3f %9.3f ± %.3f %9.3f ± %.3f %9.3f ± %.3f\n", "nnsense train-and-explain --no-probes", t_np,
                    np_net.r2, np_net.r2_sd, np_base.r2, np_base.r2_sd, np_net.rmse, np_net.rmse_sd);
        if (!sk_s.empty()) {
            const double t_sk = bench::median(sk_s);
            std::printf("%-38s %9.3f %9.3f ± %.3f %9.3f ± %.3f %9.3f ± %.3f\n", ("scikit-learn " + sk_version).c_str(), t_sk,
                        sk_net.r2, sk_net.r2_sd, sk_base.r2, sk_base.r2_sd, sk_net.rmse, sk_net.rmse_sd);
            std::printf("speed-up (scikit-learn seconds / nnsense seconds): %.2fx; with --no-probes %.2fx (goal: >= 5x)\n",
                        t_sk / t_ours, t_sk / t_np);
            std::printf("net CV R² within scikit-learn's spread (|difference| <= its sd): %s\n",
                        std::abs(ours_net.r2 - sk_net.r2) <= sk_net.r2_sd ? "yes" : "no");
            std::printf("(the last run's CV figures; nnsense's seconds include process start and writing every output "
                        "file, scikit-learn's exclude python start and imports)\n");
        }
        return 0;
    });
}
