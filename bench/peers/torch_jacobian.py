# bench/peers/torch_jacobian.py — the PyTorch peer of bench_jacobian and bench_jacobian_deep: the Cx784 softmax Jacobian
# of each image, three ways. Run by those benches as a subprocess with Debian's /usr/bin/python3; never used by the
# library or the tests.
#
# Reads W1.npy b1.npy W2.npy b2.npy ... (as many layers as there are files; ReLU after every layer but the last)
# and X.npy from --dir, and computes J[n, k, :] = d softmax(model(x_n))_k / d x_n, the weights frozen, by
#   batched: one forward pass and torch.autograd.grad(p, x, grad_outputs=I, is_grads_batched=True), the C one-hot
#            seeds as one batch of vector-Jacobian products (vmap over the seeds): PyTorch's fastest autograd method
#            here, the peer the ratio is taken against;
#   loop:    one forward pass and C vector-Jacobian products on one graph (retain_graph=True);
#   closed:  the chain rule written by hand, no autograd: (diag p - p pᵀ)·W_Lᵀ·diag(relu')·…·W_1ᵀ with torch.einsum.
# Times --repeats runs of each after one warm-up (the methods interleaved, round after round, so a change in the
# machine's load hits all three), writes J_batched.npy, J_loop.npy, J_closed.npy [N, C, D] (float32) into --dir and
# prints one JSON line.
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch


def forward(layers, x):
    h = x                                                   # [N, D]
    pre = []                                                # pre-activations of the hidden layers
    for k, (W, b) in enumerate(layers):
        h = h @ W + b                                       # [N, out_k]
        if k + 1 < len(layers):
            pre.append(h)
            h = torch.relu(h)
    return torch.softmax(h, dim=1), pre                     # [N, C]


def jacobian_batched(layers, X):
    x = X.clone().requires_grad_(True)                      # [N, D]
    p, _ = forward(layers, x)                               # [N, C]
    N, C = p.shape
    seeds = torch.eye(C, dtype=p.dtype).unsqueeze(1).repeat(1, N, 1)   # [C, N, C]: seed k is one-hot column k
    (dx,) = torch.autograd.grad(p, x, grad_outputs=seeds, is_grads_batched=True)   # [C, N, D]
    return dx.transpose(0, 1)                               # [N, C, D], a view (no copy: PyTorch at its best)


def jacobian_loop(layers, X):
    x = X.clone().requires_grad_(True)                      # [N, D]
    p, _ = forward(layers, x)                               # [N, C]
    rows = []
    seed = torch.zeros_like(p)
    for k in range(p.shape[1]):
        seed.zero_()
        seed[:, k] = 1
        (dx,) = torch.autograd.grad(p, x, grad_outputs=seed, retain_graph=True)   # [N, D]
        rows.append(dx)
    return torch.stack(rows, dim=1)                         # [N, C, D]


def jacobian_closed(layers, X):
    with torch.no_grad():
        p, pre = forward(layers, X)                         # [N, C]
        S = torch.diag_embed(p) - torch.einsum("ni,nj->nij", p, p)   # [N, C, C]: dp/dlogits
        A = torch.einsum("nij,hj->nih", S, layers[-1][0])   # [N, C, H_L]: through W_L
        for k in range(len(layers) - 2, -1, -1):
            A = A * (pre[k] > 0).to(A.dtype).unsqueeze(1)   # [N, C, H_k]: through relu
            A = torch.einsum("nih,dh->nid", A, layers[k][0])   # [N, C, in_k]: through W_k
        return A                                            # [N, C, D]


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer of bench_jacobian: softmax-output Jacobians three ways")
    ap.add_argument("--dir", required=True, help="directory with W1.npy b1.npy ... X.npy; J_*.npy are written here")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs of each method after one warm-up")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    load = lambda name: torch.from_numpy(np.load(os.path.join(a.dir, name)))
    layers = []
    while os.path.exists(os.path.join(a.dir, f"W{len(layers) + 1}.npy")):
        k = len(layers) + 1
        layers.append((load(f"W{k}.npy"), load(f"b{k}.npy").reshape(-1)))
    if not layers:
        raise SystemExit(f"{a.dir}: no W1.npy")
    X = load("X.npy")

    methods = {"batched": jacobian_batched, "loop": jacobian_loop, "closed": jacobian_closed}
    J = {name: f(layers, X) for name, f in methods.items()}   # warm-up, and the results we compare
    seconds = {name: [] for name in methods}
    for _ in range(a.repeats):
        for name, f in methods.items():
            t0 = time.perf_counter()
            f(layers, X)
            seconds[name].append(time.perf_counter() - t0)

    for name, j in J.items():
        tmp = os.path.join(a.dir, f"J_{name}.npy.tmp")
        with open(tmp, "wb") as f:
            np.save(f, j.contiguous().numpy().astype(np.float32))
        os.replace(tmp, os.path.join(a.dir, f"J_{name}.npy"))
    print(json.dumps({
        "peer": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "images": int(X.shape[0]), "layers": len(layers),
        "seconds": {name: statistics.median(s) for name, s in seconds.items()}, "all_seconds": seconds,
    }))


if __name__ == "__main__":
    main()
