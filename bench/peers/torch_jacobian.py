# bench/peers/torch_jacobian.py — the PyTorch peer of bench_jacobian: the 10x784 softmax Jacobian of each image.
# Run by bench/bench_jacobian as a subprocess with Debian's /usr/bin/python3; never used by the library or the tests.
#
# Reads W1.npy b1.npy W2.npy b2.npy X.npy from --dir, computes J[n, k, :] = d softmax(model(x_n))_k / d x_n with
# one forward pass and 10 vector-Jacobian products on one graph (retain_graph=True), the weights frozen.
# Times --repeats runs after one warm-up, writes J.npy [N, 10, 784] (float32) into --dir, prints one JSON line.
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch


def jacobian(W1, b1, W2, b2, X):
    x = X.clone().requires_grad_(True)                      # [N, in]
    p = torch.softmax(torch.relu(x @ W1 + b1) @ W2 + b2, dim=1)   # [N, out]
    rows = []
    seed = torch.zeros_like(p)
    for k in range(p.shape[1]):
        seed.zero_()
        seed[:, k] = 1
        (dx,) = torch.autograd.grad(p, x, grad_outputs=seed, retain_graph=True)   # [N, in]
        rows.append(dx)
    return torch.stack(rows, dim=1)                        # [N, out, in]


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer of bench_jacobian: softmax-output Jacobians")
    ap.add_argument("--dir", required=True, help="directory with W1.npy b1.npy W2.npy b2.npy X.npy; J.npy is written here")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs after one warm-up")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    load = lambda name: torch.from_numpy(np.load(os.path.join(a.dir, name)))
    W1, b1, W2, b2, X = (load(n) for n in ("W1.npy", "b1.npy", "W2.npy", "b2.npy", "X.npy"))

    J = jacobian(W1, b1, W2, b2, X)                        # warm-up, and the result we compare
    seconds = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        jacobian(W1, b1, W2, b2, X)
        seconds.append(time.perf_counter() - t0)

    tmp = os.path.join(a.dir, "J.npy.tmp")
    with open(tmp, "wb") as f:
        np.save(f, J.numpy().astype(np.float32))
    os.replace(tmp, os.path.join(a.dir, "J.npy"))
    print(json.dumps({
        "peer": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "images": int(X.shape[0]), "seconds": statistics.median(seconds), "all_seconds": seconds,
    }))


if __name__ == "__main__":
    main()
