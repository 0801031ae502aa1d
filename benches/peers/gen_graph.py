#!/usr/bin/env python3
"""Write an Erdos-Renyi G(n, m) graph as a space-separated edge list.

m distinct edges drawn uniformly among all pairs of distinct nodes 0..n-1 (no self-loops,
no duplicates), in random order, with a fixed seed: the same (n, m, seed) always gives the
same file. Nodes that end up with no edge do not appear in the file.

usage: gen_graph.py N M SEED OUT
"""
import sys
import time

import numpy as np


def gnm_edges(n: int, m: int, seed: int) -> np.ndarray:
    if m > n * (n - 1) // 2:
        raise SystemExit(f"m = {m} is more than the {n * (n - 1) // 2} possible edges")
    rng = np.random.default_rng(seed)
    keys = np.empty(0, dtype=np.int64)
    while keys.size < m:
        want = int((m - keys.size) * 1.05) + 16
        u = rng.integers(0, n, size=want, dtype=np.int64)
        v = rng.integers(0, n, size=want, dtype=np.int64)
        ok = u != v
        lo = np.minimum(u[ok], v[ok])
        hi = np.maximum(u[ok], v[ok])
        keys = np.unique(np.concatenate([keys, lo * n + hi]))
    # np.unique sorts: drop a random surplus, then shuffle the order of the lines
    keys = rng.permutation(keys)[:m]
    return np.stack([keys // n, keys % n], axis=1)


def main() -> None:
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    n, m, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    t0 = time.perf_counter()
    edges = gnm_edges(n, m, seed)
    with open(out + ".tmp", "w") as f:
        f.write("source target\n")
        chunk = 1_000_000
        for i in range(0, len(edges), chunk):
            block = edges[i:i + chunk]
            f.write("\n".join(f"{a} {b}" for a, b in block.tolist()))
            f.write("\n")
    import os
    os.replace(out + ".tmp", out)
    deg = np.bincount(edges.ravel(), minlength=n)
    print(f"gen_graph: n={n} m={m} seed={seed} -> {out} "
          f"(mean degree {2 * m / n:.3f}, {int((deg == 0).sum())} isolated nodes, "
          f"{time.perf_counter() - t0:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
