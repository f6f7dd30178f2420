// examples/train_and_explain/serve.cpp — the explorer's HTTP server (cpp-httplib): routes, limits, JSON errors, start and stop.
// The stage (train, serve, wait for Ctrl-C) is serve_stage.cpp; an explanation serve_explain.cpp; a request serve_request.cpp.
#include "examples/train_and_explain/serve.hpp"

#include <cmath>
#include <iostream>
#include <stdexcept>

#include <sys/socket.h>

#include <httplib.h>

#include "examples/train_and_explain/serve_assets.hpp"

namespace app {

namespace {

const char* const kJson = "application/json";

std::string reason(int status) {
    switch (status) {
        case 404: return "no such path";
        case 405: return "method not allowed";
        case 413: return "request body over the limit of " + std::to_string(kMaxRequestBytes) + " bytes (2 MiB)";
        default: return "HTTP status " + std::to_string(status);
    }
}

std::vector<std::string> class_names_of(const nn::training::ModelInfo& info, std::size_t classes) {
    if (info.class_names.size() == classes) return info.class_names;
    std::vector<std::string> names;
    for (std::size_t c = 0; c < classes; ++c) names.push_back(std::to_string(c));
    return names;
}

}  // namespace

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

ExplorerServer::ExplorerServer(const Net& model, nn::training::ModelInfo info, std::size_t workers)
    : info_(std::move(info)), model_(model), pool_(model, workers), http_(std::make_unique<httplib::Server>()) {
    if (model.in() != 28 * 28)
        throw std::runtime_error("--serve needs a 28x28 (784-pixel) image model; this one takes " +
                                 std::to_string(model.in()) + " inputs");
    info_.class_names = class_names_of(info_, model.out());
    // One thread per explainer: a keep-alive connection holds its thread, so 8 clients need 8 threads.
    http_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    http_->set_payload_max_length(kMaxRequestBytes);
    http_->set_read_timeout(5, 0);
    http_->set_write_timeout(5, 0);
    http_->set_keep_alive_timeout(5);
    // The library's default sets SO_REUSEPORT, which lets a second server bind the same port and silently take half
    // the requests; SO_REUSEADDR alone still allows a restart right after a stop, and a second server fails to bind.
    http_->set_socket_options([this](int sock) {
        const int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        listen_socket_ = sock;
    });
    routes();
}

ExplorerServer::~ExplorerServer() { stop(); }

void ExplorerServer::routes() {
    httplib::Server& s = *http_;
    for (const PageAsset& asset : page_assets()) {
        const auto serve_asset = [asset](const httplib::Request&, httplib::Response& res) {
            res.set_content(asset.body.data(), asset.body.size(), asset.content_type);
            res.set_header("Cache-Control", "no-cache");
        };
        s.Get(asset.path, serve_asset);
        if (std::string(asset.path) == "/index.html") s.Get("/", serve_asset);
    }

    s.Get("/api/v1/model", [this](const httplib::Request&, httplib::Response& res) {
        nlohmann::ordered_json j;
        j["api_version"] = 1;
        j["in"] = model_.in();
        j["hidden"] = model_.stack().layers.front().out();   // the first hidden layer's width
        j["out"] = model_.out();
        j["activation"] = nn::onnx::activation_name(model_.stack().layers.front().act);
        j["network"] = nn::onnx::describe(model_.stack());
        j["dataset"] = info_.dataset;
        j["class_names"] = info_.class_names;
        j["test_accuracy"] = std::isnan(info_.test_accuracy) ? nlohmann::ordered_json() : nlohmann::ordered_json(info_.test_accuracy);
        j["max_request_bytes"] = kMaxRequestBytes;
        res.set_content(j.dump() + "\n", kJson);
    });

    s.Post("/api/v1/explain", [this](const httplib::Request& req, httplib::Response& res) {
        try {
            std::vector<std::pair<std::string, std::string>> query(req.params.begin(), req.params.end());
            const ExplainRequest request =
                decode_explain_request(req.get_header_value("Content-Type"), req.body, query, model_.out());
            res.set_content(explanation_json(pool_.explain(request), info_.class_names).dump() + "\n", kJson);
        } catch (const RequestError& e) {
            res.status = e.status;
            res.set_content(error_json(e.what()), kJson);
        }
    });

    // A path that only has a POST handler would answer 404 to other methods; the API says 405.
    const auto not_allowed = [](const char* allow) {
        return [allow](const httplib::Request& req, httplib::Response& res) {
            res.status = 405;
            res.set_header("Allow", allow);
            res.set_content(error_json(req.method + " " + req.path + ": method not allowed (use " + allow + ")"), kJson);
        };
    };
    s.Get("/api/v1/explain", not_allowed("POST"));
    s.Put("/api/v1/explain", not_allowed("POST"));
    s.Patch("/api/v1/explain", not_allowed("POST"));
    s.Delete("/api/v1/explain", not_allowed("POST"));
    s.Post("/api/v1/model", not_allowed("GET"));
    s.Put("/api/v1/model", not_allowed("GET"));
    s.Patch("/api/v1/model", not_allowed("GET"));
    s.Delete("/api/v1/model", not_allowed("GET"));

    // Any error without a body of its own (the library's 404, 413, 400 for malformed HTTP...) gets a JSON one.
    s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string path = req.path.substr(0, 100);
        res.set_content(error_json(res.status == 404 ? reason(404) + ": " + path : reason(res.status)), kJson);
        return httplib::Server::HandlerResponse::Handled;
    }));
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content(error_json("internal error: " + what), kJson);
    });
}

int ExplorerServer::start(const std::string& host, int port) {
    if (listener_.joinable()) throw std::logic_error("ExplorerServer::start: already started");
    const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
    if (bound <= 0)
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) +
                                 " (address in use, or not an address of this machine)");
    // The library listens with a backlog of 5: a burst of new connections (8 clients starting at once) would see
    // dropped SYNs and a 1 s retransmit. Listening again on the bound socket only raises the backlog (Linux).
    if (listen_socket_ >= 0) ::listen(listen_socket_, 128);
    listener_ = std::thread([this] {
        http_->listen_after_bind();
        listen_returned_ = true;
    });
    while (!http_->is_running() && !listen_returned_) std::this_thread::yield();
    if (!http_->is_running()) {
        listener_.join();
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(bound));
    }
    return bound;
}

void ExplorerServer::stop() {
    if (!listener_.joinable()) return;
    http_->stop();
    listener_.join();
}

}  // namespace app
