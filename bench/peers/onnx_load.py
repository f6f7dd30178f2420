# bench/peers/onnx_load.py — the Python peer of bench_onnx_load: onnx.load of the same file and every initializer
# turned into a numpy array (what a Python tool does before it can use the weights). Prints one JSON line.
# Run by bench/bench_onnx_load with Debian's /usr/bin/python3 (python3-onnx); never used by the library or the tests.
import json
import statistics
import sys
import time

import onnx
from onnx import numpy_helper


def main():
    path, repeats = sys.argv[1], int(sys.argv[2])
    times = []
    for _ in range(repeats + 1):                       # the first is a warm-up (page cache, imports)
        t0 = time.perf_counter()
        m = onnx.load(path)
        arrays = [numpy_helper.to_array(t) for t in m.graph.initializer]
        times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": statistics.median(times[1:]), "parameters": int(sum(a.size for a in arrays))}))


if __name__ == "__main__":
    main()
