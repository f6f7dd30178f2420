// examples/train_and_explain/serve.hpp — `train-and-explain --serve`: the draw-a-digit explorer, a page and a JSON API on 127.0.0.1.
// HTTP only (cpp-httplib, serve.cpp; the stage serve_stage.cpp): decoding is serve_request.hpp, the explanation
// serve_explain.hpp, the page serve_page/.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "examples/train_and_explain/options.hpp"
#include "examples/train_and_explain/serve_explain.hpp"
#include "nn/onnx/from_mlp.hpp"
#include "nn/training/model_io.hpp"

namespace httplib {
class Server;
}

namespace app {

// The routes (docs/14-draw-a-digit.md):
//   GET  /  and the page's assets        compiled into the program (examples/train_and_explain/serve_page/), never read from disk
//   GET  /api/v1/model                   the model: in, hidden, out, activation, class names, test accuracy
//   POST /api/v1/explain                 JSON pixels or a PNG/JPEG picture -> prediction, probabilities, maps
// Errors are JSON {"error": "..."}: 400 bad body, 404 unknown path, 405 wrong method on an API path, 413 body over
// kMaxRequestBytes, 415 unknown Content-Type, 500 a bug. Requests run on `workers` threads, each request on an
// explainer of its own (ExplainerPool); reads and writes time out after 5 s, idle connections after 5 s.
class ExplorerServer {
public:
    ExplorerServer(const Net& model, nn::training::ModelInfo info, std::size_t workers = 8);
    // The same for nnsense's own two-layer MLP (the same weights as a Net, nn/onnx/from_mlp.hpp).
    ExplorerServer(const nn::MLP<float>& model, nn::training::ModelInfo info, std::size_t workers = 8)
        : ExplorerServer(Net(nn::onnx::from_mlp(model)), std::move(info), workers) {}
    ~ExplorerServer();  // stops and joins
    ExplorerServer(const ExplorerServer&) = delete;
    ExplorerServer& operator=(const ExplorerServer&) = delete;

    // Binds host:port (port 0: a free port) and starts answering on a thread of its own. Returns the port.
    // Throws std::runtime_error if the address cannot be bound.
    int start(const std::string& host, int port);
    // Stops listening, finishes the requests in flight, joins the threads. Idempotent.
    void stop();

private:
    void routes();
    nn::training::ModelInfo info_;
    Net model_;
    ExplainerPool pool_;
    std::unique_ptr<httplib::Server> http_;
    std::thread listener_;
    std::atomic<bool> listen_returned_{false};  // the listening thread has finished
    int listen_socket_ = -1;       // the bound socket, seen through the library's socket-options hook
};

// True for 127.0.0.0/8, ::1 and "localhost": the addresses only this machine can reach.
bool is_loopback(const std::string& host);

// The stage: train (as the default run does) or load --model, then serve until SIGINT or SIGTERM; returns 0 after
// a clean stop.
int serve(const Options& opt);

}  // namespace app
