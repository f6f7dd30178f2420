#!/usr/bin/python3
# tests/onnx/check_export.py — the test side of nnsense's ONNX writer: onnx.checker accepts the file, and a PyTorch
# model rebuilt from its nodes and initializers predicts what nnsense predicted. Called by tests/test_onnx_write.cpp.
#
#   check_export.py model.onnx [x.npy y.npy]   # exit 0: OK; 1: checker or comparison failed; 2: python3-onnx missing
# Without x and y it runs the checker and the rebuild only (for activations the tape cannot run yet).
import sys

try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    print("FAIL: python3-onnx is not installed (./setup installs it)")
    sys.exit(2)
import numpy as np
import torch
from torch import nn

TOL = 1e-6


def rebuild(model):
    """nn.Sequential from the nodes nnsense writes: Gemm (transB=0) + activation per layer, an optional head."""
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    layers, nodes, i = [], list(model.graph.node), 0
    while i < len(nodes):
        n = nodes[i]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type == "Gemm":
            W, b = init[n.input[1]].astype(np.float64), init[n.input[2]].astype(np.float64)
            if attrs.get("transB", 0):
                W = W.T
            lin = nn.Linear(W.shape[0], W.shape[1]).double()
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))   # torch keeps [out, in]
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
        elif n.op_type == "Relu":
            layers.append(nn.ReLU())
        elif n.op_type == "Tanh":
            layers.append(nn.Tanh())
        elif n.op_type == "Sigmoid":
            layers.append(nn.Sigmoid())
        elif n.op_type == "LeakyRelu":
            layers.append(nn.LeakyReLU(attrs.get("alpha", 0.01)))
        elif n.op_type == "Div":           # the GELU pattern: Div, Erf, Constant, Add, Mul, Constant, Mul
            ops = [m.op_type for m in nodes[i:i + 7]]
            assert ops == ["Div", "Erf", "Constant", "Add", "Mul", "Constant", "Mul"], ops
            layers.append(nn.GELU())
            i += 6
        elif n.op_type == "Softmax":
            layers.append(nn.Softmax(dim=1))
        elif n.op_type == "LogSoftmax":
            layers.append(nn.LogSoftmax(dim=1))
        elif n.op_type != "Constant":
            raise SystemExit(f"FAIL: unexpected node {n.op_type}")
        i += 1
    return nn.Sequential(*layers).eval()


def main():
    path = sys.argv[1]
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    net = rebuild(model)
    if len(sys.argv) < 4:
        print(f"OK checker, rebuilt {len(net)} modules")
        return 0
    x = torch.from_numpy(np.load(sys.argv[2]).astype(np.float64))
    ours = np.load(sys.argv[3]).astype(np.float64)
    with torch.no_grad():
        theirs = net(x).numpy()
    d = float(np.max(np.abs(theirs - ours))) if ours.size else 0.0
    ok = theirs.shape == ours.shape and d <= TOL
    print(f"{'OK' if ok else 'FAIL'} checker, torch vs nnsense max |diff| {d:.2e} (tolerance {TOL:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
