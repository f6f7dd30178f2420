// examples/train_and_explain/serve_stage.cpp — `--serve`: train or load the model, start the explorer, print its URL, stop on Ctrl-C.
// Signals and printing only; the server itself is examples/train_and_explain/serve.cpp.
#include <csignal>
#include <iostream>
#include <pthread.h>

#include "examples/train_and_explain/serve.hpp"
#include "examples/train_and_explain/stages.hpp"
#include "nn/training/threads.hpp"

namespace app {

int serve(const Options& opt) {
    RunState st;
    train_or_load(opt, st);  // loads --model, or trains as the default run does (and saves <out>/model)
    if (!opt.quiet && opt.model.empty())
        std::cout << "test accuracy: " << 100.0 * st.test.accuracy << "%; the model is saved in " << opt.out
                  << "/model (next time: --serve --model " << opt.out << "/model)\n";
    if (!is_loopback(opt.host))
        std::cerr << "train-and-explain: WARNING: --host " << opt.host
                  << " makes the explorer reachable from other machines; it has no authentication\n";
    nn::training::set_threads(1);  // requests run in parallel; each product is one image, too small to split

    // SIGINT and SIGTERM are taken by sigwait below: blocked here, before the server's threads exist, so every one
    // of them inherits the mask and the signal reaches this thread, which stops the server in order.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    ExplorerServer server(*st.net, st.info);
    const int port = server.start(opt.host, opt.port);
    const std::string shown = opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host;
    std::cout << "explorer: open http://" << shown << ":" << port << "/  (Ctrl-C stops it)" << std::endl;
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
    std::cout << "explorer: stopped (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
    return 0;
}

}  // namespace app
