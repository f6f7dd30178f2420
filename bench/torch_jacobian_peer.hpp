// bench/torch_jacobian_peer.hpp — one bench section shared by bench_jacobian and bench_jacobian_deep: PyTorch's softmax
// Jacobian of the same dense ReLU net on the same images (bench/peers/torch_jacobian.py, three methods), its times
// next to the engine's and the largest difference from the engine's J. Times only; asserts none.
#pragma once

#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "nn/tensor.hpp"

namespace bench {

// One dense layer as the peer reads it: W [in, out], b [1, out]; ReLU after every layer but the last.
struct PeerLayer {
    const nn::Tensor<float>* W;
    const nn::Tensor<float>* b;
};

struct TorchJacobian {
    struct Method {
        std::string name;        // "batched", "loop", "closed"
        std::string label;       // what it is, for the printout
        double seconds = 0;      // median of the timed runs
        double max_diff = -1;    // max |J_engine - J_method| over every entry
    };
    std::string error;           // set when the peer did not run: one line why
    std::string torch_version;
    int threads = 0;
    std::vector<Method> methods; // batched (the peer the goal is against), loop, closed
    double max_j = 0;            // max |J| of PyTorch's batched J
};

// Writes the layers and X [N, D] as .npy into a temp dir, runs the peer with /usr/bin/python3-style `python` on
// `threads` threads for `repeats` timed runs of each method, and compares each of its Jacobians with J [N, C, D].
TorchJacobian run_torch_jacobian(const std::string& python, const std::string& peers, const std::vector<PeerLayer>& layers,
                                 const nn::Tensor<float>& X, const xt::xtensor<float, 3>& J, int repeats, int threads);

// The peer's lines: each method's seconds, engine speed-up over it and its max |ΔJ|; the goal is against "batched".
// Returns true when every method's J is within `tolerance` of the engine's (false also when the peer did not run).
bool print_torch_jacobian(const TorchJacobian& r, double t_engine, double goal, double tolerance);

}  // namespace bench
