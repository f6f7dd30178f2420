# bench/peers/torch_mlp.py — the PyTorch peer of bench_train: the same 784-H-10 MLP epoch in idiomatic PyTorch.
# Run by bench/bench_train as a subprocess with Debian's /usr/bin/python3; never used by the library or the tests.
#
# Reads the MNIST training IDX files with numpy (no torchvision, no downloads), the initial weights and the
# per-epoch data order from .npy files written by bench_train, trains `--epochs` epochs (the first is a
# warm-up), and prints one JSON line: seconds per epoch (median of the timed epochs) and the losses.
import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path, ndim):
    """An IDX file (uint8 payload) as a numpy array; the header gives the shape."""
    with open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic != 0x0800 + ndim:
        sys.exit(f"{path}: magic number {magic:#x}, expected {0x0800 + ndim:#x}")
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        sys.exit(f"{path}: payload is {data.size} bytes, header says {dims}")
    return data.reshape(dims)


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer of bench_train: one MLP training run")
    ap.add_argument("--data", required=True, help="directory with train-images-idx3-ubyte and train-labels-idx1-ubyte")
    ap.add_argument("--init", required=True, help="directory with W1.npy b1.npy W2.npy b2.npy order.npy from bench_train")
    ap.add_argument("--count", type=int, required=True, help="training images per epoch (the first COUNT)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--epochs", type=int, default=3, help="epochs in all; the first one is a warm-up")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)   # as nn::training::train's FlushDenormals: subnormal floats are read and written as 0
    images = read_idx(os.path.join(a.data, "train-images-idx3-ubyte"), 3)[: a.count].reshape(a.count, -1)
    labels = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte"), 1)[: a.count]
    X = torch.from_numpy(images.astype(np.float32) / np.float32(255))   # [N, 784], converted once
    Y = torch.from_numpy(labels.astype(np.int64))                        # [N]

    load = lambda name: torch.from_numpy(np.load(os.path.join(a.init, name)))
    W1, b1, W2, b2 = load("W1.npy"), load("b1.npy"), load("W2.npy"), load("b2.npy")   # [in,H] [1,H] [H,out] [1,out]
    order = np.load(os.path.join(a.init, "order.npy"))                                  # [epochs, N]
    if order.shape[0] < a.epochs or order.shape[1] != a.count:
        sys.exit(f"{a.init}/order.npy: shape {order.shape}, need at least [{a.epochs}, {a.count}]")

    model = torch.nn.Sequential(torch.nn.Linear(W1.shape[0], W1.shape[1]), torch.nn.ReLU(),
                                torch.nn.Linear(W2.shape[0], W2.shape[1]))
    with torch.no_grad():                     # nn.Linear keeps W as [out, in]: ours transposed
        model[0].weight.copy_(W1.T)
        model[0].bias.copy_(b1.reshape(-1))
        model[2].weight.copy_(W2.T)
        model[2].bias.copy_(b2.reshape(-1))
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)

    seconds, losses = [], []
    for e in range(a.epochs):
        idx = torch.from_numpy(order[e].astype(np.int64))
        total, steps = 0.0, 0
        t0 = time.perf_counter()
        for start in range(0, a.count - a.batch + 1, a.batch):   # full batches only, as nn::training::train
            rows = idx[start:start + a.batch]
            loss = F.cross_entropy(model(X[rows]), Y[rows])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
        seconds.append(time.perf_counter() - t0)
        losses.append(total / steps)

    median = statistics.median(seconds[1:] if len(seconds) > 1 else seconds)   # the first epoch is a warm-up
    print(json.dumps({
        "peer": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "count": a.count, "epochs": a.epochs, "seconds_per_epoch": median,
        "epoch_seconds": seconds, "epoch_losses": losses,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }))


if __name__ == "__main__":
    main()
