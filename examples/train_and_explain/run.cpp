// examples/train_and_explain/run.cpp — train-and-explain's stages in order, and the summary printed at the end.
// Checks the output directory before any work, so a bad --out fails in a second, not after training.
#include <chrono>
#include <fstream>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "examples/train_and_explain/report_html.hpp"
#include "examples/train_and_explain/serve.hpp"
#include "examples/train_and_explain/stages.hpp"
#include "examples/train_and_explain/table.hpp"
#include "nn/training/metrics.hpp"
#include "nn/training/threads.hpp"

namespace fs = std::filesystem;

namespace app {

namespace {
// --out must be a directory we can create and write into.
void prepare_out_dir(const std::string& out) {
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_directory(out, ec))
        throw UsageError("--out " + out + ": exists and is not a directory");
    fs::create_directories(out, ec);
    if (ec) throw UsageError("--out " + out + ": cannot create directory (" + ec.message() + ")");
    const fs::path probe = fs::path(out) / ".write-test";
    {
        std::ofstream f(probe);
        if (!f) throw UsageError("--out " + out + ": directory is not writable");
    }
    fs::remove(probe, ec);
}
}  // namespace

int run(const Options& opt) {
    const auto t0 = std::chrono::steady_clock::now();
    prepare_out_dir(opt.out);
    nn::training::set_threads(opt.threads);
    if (!opt.image.empty()) return explain_image(opt);  // no training, no dataset stages
    if (opt.serve) return serve(opt);                   // the explorer (examples/train_and_explain/serve.cpp): train or load, then serve
    if (!opt.csv.empty()) return run_table(opt);        // a table instead of images (examples/train_and_explain/table_stage.cpp)

    RunState st;
    st.out_dir = opt.out;
    // Each stage's wall time goes into report.json ("run": "stage_seconds") and the report's header.
    const auto timed = [&st](const char* stage, auto&& work) {
        const auto start = std::chrono::steady_clock::now();
        work();
        st.report["run"]["stage_seconds"][stage] =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    timed("train", [&] { train_or_load(opt, st); });
    timed("explain", [&] { explain(opt, st); });
    timed("beyond", [&] { beyond_gradients(opt, st); });
    if (!opt.no_probes) timed("probes", [&] { run_probes(opt, st); });
    timed("curves", [&] { training_curves(st); });

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    describe_run(opt, st, seconds);
    nn::training::write_json_atomic((fs::path(opt.out) / "report.json").string(), st.report);
    const fs::path page = write_report_html(st.report, st.out_dir);
    std::cout << std::fixed << std::setprecision(2)
              << "test accuracy: " << 100.0 * st.test.accuracy << "% on " << st.test.count << " images\n";
    if (!st.fd_summary.empty()) std::cout << st.fd_summary << "\n";
    std::cout << st.probe_summary
              << "total time:    " << std::setprecision(1) << seconds << " s\n"
              << "report:        " << (fs::path(opt.out) / "report.json").string() << "\n"
              << "page:          " << page.string() << "\n";
    return 0;
}

}  // namespace app
