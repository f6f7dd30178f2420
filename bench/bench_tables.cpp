// bench/bench_tables.cpp — seconds of train-and-explain's table pipeline on cars next to scikit-learn in the same run
// (bench/peers/tables_sklearn.py), with both programs' K-fold R² and RMSE. Two comparisons: the same work (the weight-
// decay choice, the K-fold nets with two fits a fold and ridge baselines, the sensitivities with their row bootstrap,
// the groups, permutation importance: train-and-explain's seconds_by_stage against the peer's own clock) and the whole
// run (each program as a process, train-and-explain with its figures, probes and report, which the peer does not make;
// wall clock and CPU seconds). Prints figures; asserts no time.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/bench_main.hpp"
#include "bench/bench_util.hpp"

namespace {

struct Config {
    std::string exe;                           // train-and-explain; default: ../examples/ next to this program
    std::string table, target = "Miles_per_Gallon";
    int folds = 5, hidden = 32, runs = 5;
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

// CPU seconds (user + system) of the finished children of this process so far.
double children_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// The stages of train-and-explain that the scikit-learn peer also does (metrics.json seconds_by_stage).
const char* const kSameWork[] = {"training (the weight-decay choice)", "cross-validation and refits",
                                 "sensitivities and row bootstrap", "groups", "permutation importance"};

struct Times {                 // medians over the runs
    double wall = 0, cpu = 0, same = 0, figures = 0;
};

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
        auto time_ours = [&](bool no_probes, Cv& net, Cv& base) -> Times {
            std::vector<double> secs, cpus, sames, figs;
            for (int r = 0; r < cfg.runs; ++r) {
                bench::TempDir dir("bench-tables");
                const std::string cmd = quote(cfg.exe) + " --csv " + quote(cfg.table) + " --target " + quote(cfg.target) +
                                        " --folds " + std::to_string(cfg.folds) + " --hidden " + std::to_string(cfg.hidden) +
                                        " --seed " + std::to_string(r + 1) + (no_probes ? " --no-probes" : "") +
                                        " --quiet --out " + quote(dir.file("out")) + " > " + quote(dir.file("log")) + " 2>&1";
                const double t0 = bench::now_seconds(), c0 = children_cpu_seconds();
                const int rc = std::system(cmd.c_str());
                secs.push_back(bench::now_seconds() - t0);
                cpus.push_back(children_cpu_seconds() - c0);
                if (rc != 0) {
                    std::fprintf(stderr, "bench_tables: train-and-explain failed (exit %d): %s\n", rc, cmd.c_str());
                    std::exit(1);
                }
                std::ifstream in(dir.file("out/metrics.json"));
                const nlohmann::json m = nlohmann::json::parse(in);
                const nlohmann::json& cv = m.at("cv");
                net = cv_of(cv.at("net"));
                base = cv_of(cv.at("baseline"));
                const nlohmann::json& st = m.at("seconds_by_stage");
                double same = 0;
                for (const char* s : kSameWork) same += st.value(s, 0.0);
                sames.push_back(same);
                figs.push_back(st.value("figures", 0.0));
                std::printf("    run %d: train-and-explain%s %.3f s wall, %.3f s CPU; the same work as the peer %.3f s "
                            "(training with the weight-decay choice %.3f, cross-validation %.3f); figures %.3f s\n",
                            r + 1, no_probes ? " --no-probes" : "", secs.back(), cpus.back(), same,
                            st.value(kSameWork[0], 0.0), st.value(kSameWork[1], 0.0), figs.back());
            }
            return {bench::median(secs), bench::median(cpus), bench::median(sames), bench::median(figs)};
        };
        Cv ours_net, ours_base, np_net, np_base;
        const Times t_ours = time_ours(false, ours_net, ours_base);
        const Times t_np = time_ours(true, np_net, np_base);

        // ---- scikit-learn, in a subprocess, timed inside the script (python start and imports not counted).
        std::vector<double> sk_s, sk_wall, sk_cpu;
        Cv sk_net, sk_base;
        std::string sk_version;
        if (!cfg.no_sklearn) {
            for (int r = 0; r < cfg.runs; ++r) {
                const double t0 = bench::now_seconds(), c0 = children_cpu_seconds();
                const bench::PeerResult p = bench::run_peer(
                    cfg.python, cfg.peers + "/tables_sklearn.py",
                    {"--table", cfg.table, "--target", cfg.target, "--folds", std::to_string(cfg.folds), "--hidden",
                     std::to_string(cfg.hidden), "--seed", std::to_string(r + 1)});
                if (!p.json) {
                    std::printf("    scikit-learn: NOT MEASURED: %s\n", p.error.c_str());
                    break;
                }
                const auto& j = *p.json;
                sk_wall.push_back(bench::now_seconds() - t0);
                sk_cpu.push_back(children_cpu_seconds() - c0);
                sk_s.push_back(j.at("seconds").get<double>());
                sk_net = cv_of(j.at("net"));
                sk_base = cv_of(j.at("baseline"));
                sk_version = j.at("sklearn").get<std::string>();
                std::printf("    run %d: scikit-learn %s the work %.3f s (of which cross-validation %.3f s; alpha %g); the "
                            "process %.3f s wall, %.3f s CPU (python start and imports included)\n", r + 1,
                            sk_version.c_str(), sk_s.back(), j.at("seconds_cv").get<double>(), j.at("alpha").get<double>(),
                            sk_wall.back(), sk_cpu.back());
            }
        }

        std::printf("\n%-38s %10s %10s %10s %18s %18s %18s\n", "contestant (median of runs)", "same work", "whole wall",
                    "whole CPU", "net CV R²", "ridge CV R²", "net CV RMSE");
        const auto row = [](const std::string& who, double same, double wall, double cpu, const Cv& n, const Cv& b) {
            std::printf("%-38s %8.3f s %8.3f s %8.3f s %9.3f ± %.3f %9.3f ± %.3f %9.3f ± %.3f\n", who.c_str(), same, wall,
                        cpu, n.r2, n.r2_sd, b.r2, b.r2_sd, n.rmse, n.rmse_sd);
        };
        row("nnsense train-and-explain", t_ours.same, t_ours.wall, t_ours.cpu, ours_net, ours_base);
        row("nnsense train-and-explain --no-probes", t_np.same, t_np.wall, t_np.cpu, np_net, np_base);
        std::printf("  (train-and-explain's figures: %.3f s of its whole run; --no-probes draws no probe figures: %.3f s)\n",
                    t_ours.figures, t_np.figures);
        if (!sk_s.empty()) {
            const double same = bench::median(sk_s), wall = bench::median(sk_wall), cpu = bench::median(sk_cpu);
            row("scikit-learn " + sk_version, same, wall, cpu, sk_net, sk_base);
            std::printf("speed-up (scikit-learn / nnsense; goal >= 5x): the same work %.2fx; the whole run %.2fx wall, "
                        "%.2fx CPU; with --no-probes %.2fx wall, %.2fx CPU\n", same / t_ours.same, wall / t_ours.wall,
                        cpu / t_ours.cpu, wall / t_np.wall, cpu / t_np.cpu);
            std::printf("net CV R² within scikit-learn's spread (|difference| <= its sd): %s\n",
                        std::abs(ours_net.r2 - sk_net.r2) <= sk_net.r2_sd ? "yes" : "no");
            std::printf("(the last run's CV figures; the whole run of train-and-explain includes its figures, probes, "
                        "report and model files, which scikit-learn's does not make; scikit-learn's includes python's start "
                        "and imports; load average now %s)\n", bench::load_average().c_str());
        }
        return 0;
    });
}
