// examples/train_and_explain/report_stage.cpp — the last stage of train-and-explain: what was run and how it scored, into report.json
// and out/report.html. The page itself is examples/train_and_explain/report_html.cpp; the stages before it fill st.report.
#include <chrono>
#include <ctime>

#include "examples/train_and_explain/report_html.hpp"
#include "examples/train_and_explain/stages.hpp"

namespace app {

namespace {
std::string utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char s[32];
    std::strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return s;
}
}  // namespace

void describe_run(const Options& opt, RunState& st, double total_seconds) {
    auto& run = st.report["run"];
    run["program"] = "train-and-explain";
    run["finished_utc"] = utc_now();
    run["total_seconds"] = total_seconds;
    run["dataset"] = opt.dataset;
    std::string widths = std::to_string(st.net->in());                    // "784-256-10"
    for (const nn::onnx::Dense& l : st.net->stack().layers) widths += "-" + std::to_string(l.out());
    run["network"] = widths;
    run["config"] = {{"--dataset", opt.dataset},     {"--data", opt.data.empty() ? "(default)" : opt.data},
                     {"--model", opt.model.empty() ? "(train)" : opt.model},
                     {"--input-scale", opt.input_scale.empty() ? "0..1" : opt.input_scale},
                     {"--normalize", opt.normalize},
                     {"--hidden", nn::training::hidden_json(opt.hidden)},       {"--epochs", opt.epochs},
                     {"--batch", opt.batch},         {"--lr", opt.lr},
                     {"--optimizer", opt.optimizer}, {"--seed", opt.seed},
                     {"--threads", opt.threads},     {"--explain-count", opt.explain_count},
                     {"--fd-images", opt.fd_images}, {"--no-probes", opt.no_probes},
                     {"--no-augmented", opt.no_augmented}, {"--out", opt.out}};
    st.report["test"] = {{"count", st.test.count},
                         {"accuracy", st.test.accuracy},
                         {"loss", st.test.loss},
                         {"class_names", st.data.test.class_names},
                         {"per_class_accuracy", st.test.per_class_accuracy},
                         {"confusion", st.test.confusion}};
}

}  // namespace app
