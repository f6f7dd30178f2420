// bench/torch_jacobian_peer.cpp — running bench/peers/torch_jacobian.py on the engine's weights and images, and reading
// back its three Jacobians to compare with the engine's.
#include "bench/torch_jacobian_peer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <xtensor/xnpy.hpp>

#include "bench/bench_util.hpp"

namespace bench {

TorchJacobian run_torch_jacobian(const std::string& python, const std::string& peers, const std::vector<PeerLayer>& layers,
                                 const nn::Tensor<float>& X, const xt::xtensor<float, 3>& J, int repeats, int threads) {
    TorchJacobian r;
    TempDir dir("nnsense-bench-jacobian-");
    for (std::size_t k = 0; k < layers.size(); ++k) {
        save_npy(dir.file("W" + std::to_string(k + 1) + ".npy"), *layers[k].W);   // [in, out]
        save_npy(dir.file("b" + std::to_string(k + 1) + ".npy"), *layers[k].b);   // [1, out]
    }
    save_npy(dir.file("X.npy"), X);                                              // [N, D]
    std::printf("    PyTorch: running %s/torch_jacobian.py ...\n", peers.c_str());
    const PeerResult p = run_peer(python, peers + "/torch_jacobian.py",
                                  {"--dir", dir.path(), "--repeats", std::to_string(repeats), "--threads",
                                   std::to_string(threads)});
    if (!p.json) {
        r.error = p.error;
        return r;
    }
    r.torch_version = p.json->at("torch").get<std::string>();
    r.threads = p.json->at("threads").get<int>();
    const std::vector<std::pair<std::string, std::string>> names = {
        {"batched", "autograd.grad, is_grads_batched (C seeds)"},
        {"loop", "autograd.grad x C, one retained graph"},
        {"closed", "closed form by hand (einsum, no autograd)"}};
    for (const auto& [name, label] : names) {
        TorchJacobian::Method m{name, label, p.json->at("seconds").at(name).get<double>(), 0};
        const std::string file = dir.file("J_" + name + ".npy");
        const xt::xtensor<float, 3> Jt = xt::load_npy<float>(file);             // [N, C, D]
        if (Jt.shape() != J.shape()) throw std::runtime_error(file + ": PyTorch's Jacobian has another shape than ours");
        for (std::size_t i = 0; i < J.size(); ++i) {
            m.max_diff = std::max(m.max_diff, std::abs(static_cast<double>(J.data()[i]) - Jt.data()[i]));
            if (name == "batched") r.max_j = std::max(r.max_j, std::abs(static_cast<double>(Jt.data()[i])));
        }
        r.methods.push_back(m);
    }
    return r;
}

bool print_torch_jacobian(const TorchJacobian& r, double t_engine, double goal, double tolerance) {
    if (!r.error.empty()) {
        std::printf("    PyTorch: NOT MEASURED: %s\n", r.error.c_str());
        return false;
    }
    std::printf("    PyTorch %s, %d threads; each method's median, the methods interleaved round by round\n",
                r.torch_version.c_str(), r.threads);
    std::printf("    %-44s %9s %16s %16s\n", "peer", "seconds", "peer / engine", "max |ΔJ|");
    bool ok = true;
    for (const auto& m : r.methods) {
        std::printf("    %-44s %9.4f %10.2f%s %16.2e\n", m.label.c_str(), m.seconds, m.seconds / t_engine,
                    m.name == "batched" ? " (goal)" : "       ", m.max_diff);
        ok = ok && m.max_diff <= tolerance;
    }
    const double ratio = r.methods.front().seconds / t_engine;
    std::printf("    PyTorch batched / engine = %.2f   (goal >= %.0f: %s)\n", ratio, goal, ratio >= goal ? "met" : "NOT met");
    std::printf("    check: max |J_engine - J_torch| over %zu methods <= %.0e (max |J| = %.3g) -> %s\n", r.methods.size(),
                tolerance, r.max_j, ok ? "OK" : "NOT OK");
    return ok;
}

}  // namespace bench
