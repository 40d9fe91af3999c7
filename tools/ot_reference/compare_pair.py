#!/usr/bin/python3
"""Independent OTDD value of one dataset pair with POT, to check `supernet distance` on real data.

  /usr/bin/python3 tools/ot_reference/compare_pair.py DIR_A DIR_B [exact|gaussian]

DIR_A, DIR_B: IDX folders (train-* files), used whole (compare with `supernet distance
--maxsamples 0`). Pixels scaled to [0, 1], flattened; labels as stored. Same definitions as
make_reference.py: cost 0.5|x - x'|^2 + W / 2, eps 0.1, debiased with OT = <P,C> + eps KL(P|ab).
Each POT solve runs log-domain Sinkhorn to an L1 marginal error below 1e-6.
"""
import struct
import sys
import time

import numpy as np
import ot
import scipy.linalg

EPS = 0.1


def load(folder):
    with open(f"{folder}/train-images-idx3-ubyte", "rb") as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        x = np.frombuffer(f.read(), np.uint8).reshape(n, h * w)
    with open(f"{folder}/train-labels-idx1-ubyte", "rb") as f:
        f.read(8)
        y = np.frombuffer(f.read(), np.uint8)
    return x.astype(np.float64) / 255.0, y.astype(int)


def entropic(M, eps=EPS):
    a = np.full(M.shape[0], 1.0 / M.shape[0])
    b = np.full(M.shape[1], 1.0 / M.shape[1])
    P = ot.bregman.sinkhorn_log(a, b, M, eps, numItermax=200000, stopThr=1e-7, warn=False)
    error = np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()
    mask = P > 0
    kl = np.sum(P[mask] * np.log(P[mask] / np.outer(a, b)[mask]))
    return float(np.sum(P * M) + eps * kl), error


def half_sq(x, y):
    return 0.5 * ot.dist(x, y, metric="sqeuclidean")


def bures(x, y):
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    r1 = scipy.linalg.sqrtm(s1)
    cross = np.real(scipy.linalg.sqrtm(r1 @ s2 @ r1))
    return float(np.sum((x.mean(0) - y.mean(0)) ** 2) + np.trace(s1 + s2 - 2 * cross))


def main():
    inner = sys.argv[3] if len(sys.argv) > 3 else "exact"
    xa, ya = load(sys.argv[1])
    xb, yb = load(sys.argv[2])
    ca, cb = sorted(set(ya)), sorted(set(yb))
    sets = [xa[ya == c] for c in ca] + [xb[yb == c] for c in cb]
    K = len(sets)
    start = time.time()
    W = np.zeros((K, K))
    worst = 0.0
    for i in range(K):
        for j in range(i, K):
            if inner == "exact":
                W[i, j], e = entropic(half_sq(sets[i], sets[j]))
                worst = max(worst, e)
            else:
                W[i, j] = 0.0 if i == j else bures(sets[i], sets[j])
            W[j, i] = W[i, j]
    la = np.searchsorted(ca, ya)
    lb = np.searchsorted(cb, yb) + len(ca)

    def cost(x, lx, y, ly):
        return half_sq(x, y) + W[np.ix_(lx, ly)] / 2.0

    ab, e1 = entropic(cost(xa, la, xb, lb))
    aa, e2 = entropic(cost(xa, la, xa, la))
    bb, e3 = entropic(cost(xb, lb, xb, lb))
    print(f"inner {inner}: S = {ab - 0.5 * (aa + bb):.9g}  (OT(A,B) {ab:.9g}, OT(A,A) {aa:.9g}, "
          f"OT(B,B) {bb:.9g}; worst marginal error {max(worst, e1, e2, e3):.2g}; "
          f"{time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
