#!/usr/bin/python3
"""Reference values for tests/core/ot/test_sinkhorn.cpp and test_label_distance.cpp.

Computed independently of the C++ engine with POT (Debian python3-pot), numpy and scipy:
  /usr/bin/python3 tools/ot_reference/make_reference.py
Prints the numbers pasted into the tests. Conventions (method.md section 2):
  - entropic OT value = <P, C> + eps * KL(P | a x b) at the optimal plan P (uniform a, b), which
    equals the dual objective <a, f> + <b, g> the engine reports;
  - ground cost of points 0.5 * ||x - y||^2;
  - OTDD cost 0.5 * ||x - x'||^2 + W(y, y') / 2, debiased S = OT(A,B) - OT(A,A)/2 - OT(B,B)/2;
  - exact W: entropic OT (eps 0.1, not debiased) between the class samples under the full
    squared distance ||x - y||^2 (the reference library's label routine; not halved);
  - gaussian W: ||mu - mu'||^2 + tr(S + S' - 2 (S^1/2 S' S^1/2)^1/2), unbiased covariances.
The point sets are formulas the C++ tests evaluate identically.
"""
import numpy as np
import ot
import scipy.linalg

EPS = 0.1


def cloud_a():  # 7 x 3
    return np.array([[np.sin(0.9 * i + 1.7 * k) for k in range(3)] for i in range(7)])


def cloud_b():  # 5 x 3
    return np.array([[np.cos(1.3 * j + 0.4 * k) + 0.5 for k in range(3)] for j in range(5)])


def as_float32(x):
    """The engine takes float32 features: round the fixture the same way."""
    return np.array(x, dtype=np.float32).astype(np.float64)


def labelled_a():  # 12 points, 2-D, 3 classes
    x, y = [], []
    for i in range(12):
        l = i % 3
        x.append([np.sin(0.8 * i) + 1.0 * l, np.cos(1.1 * i) * 0.7 + 0.3 * l])
        y.append(l)
    return as_float32(x), np.array(y)


def labelled_b():  # 10 points, 2-D, 2 classes
    x, y = [], []
    for j in range(10):
        l = j % 2
        x.append([np.cos(0.6 * j) * 0.9 + 1.5 * l + 0.4, np.sin(1.4 * j) * 0.5 - 0.2 * l])
        y.append(l)
    return as_float32(x), np.array(y)


def half_sq(x, y):
    return 0.5 * ot.dist(x, y, metric="sqeuclidean")


def newton_polish(a, b, M, eps, f, g, steps=50):
    """Newton steps on the dual of the entropic problem from POT's potentials.

    Near-permutation plans (4 points a class, costs up to 16 at eps 0.1) make Sinkhorn converge
    at a rate close to 1; the dual is smooth and strictly concave up to a constant shift, so a
    few Newton steps take the marginal error from 1e-5 to rounding.
    """
    n = len(a)
    for _ in range(steps):
        P = np.outer(a, b) * np.exp((f[:, None] + g[None, :] - M) / eps)
        r, c = P.sum(1), P.sum(0)
        grad = np.concatenate([a - r, b - c])
        if np.abs(grad).sum() < 1e-14:
            break
        H = np.block([[np.diag(r), P], [P.T, np.diag(c)]]) / eps
        step = np.linalg.lstsq(H, grad, rcond=None)[0]  # H is singular along (1, -1)
        f, g = f + step[:n], g + step[n:]
    return f, g


def entropic(a, b, M, eps=EPS):
    _, log = ot.bregman.sinkhorn_log(a, b, M, eps, numItermax=20000, stopThr=1e-12, warn=False,
                                     log=True)
    # POT's plan is exp(u_i + v_j - M_ij / eps): u = f / eps + log a, v = g / eps + log b.
    f0 = eps * (log["log_u"] - np.log(a))
    g0 = eps * (log["log_v"] - np.log(b))
    f, g = newton_polish(a, b, M, eps, f0, g0)
    P = np.outer(a, b) * np.exp((f[:, None] + g[None, :] - M) / eps)
    error = np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()
    assert error < 1e-11, f"POT + Newton did not converge: marginal error {error}"
    ab = np.outer(a, b)
    mask = P > 0
    kl = np.sum(P[mask] * np.log(P[mask] / ab[mask]))
    return float(np.sum(P * M) + eps * kl), P


def uniform(n):
    return np.full(n, 1.0 / n)


def ot_points(x, y, eps=EPS):
    return entropic(uniform(len(x)), uniform(len(y)), half_sq(x, y), eps)[0]


def exact_w(x, y, eps=EPS):
    """Label-to-label distance of the `exact` inner method: full squared cost."""
    return entropic(uniform(len(x)), uniform(len(y)), ot.dist(x, y, metric="sqeuclidean"), eps)[0]


def bures(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    r1 = scipy.linalg.sqrtm(s1)
    cross = scipy.linalg.sqrtm(r1 @ s2 @ r1)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * np.real(cross)))


def otdd(inner):
    xa, ya = labelled_a()
    xb, yb = labelled_b()
    sets = [xa[ya == c] for c in range(3)] + [xb[yb == c] for c in range(2)]
    K = len(sets)
    W = np.zeros((K, K))
    for i in range(K):
        for j in range(K):
            W[i, j] = exact_w(sets[i], sets[j]) if inner == "exact" else bures(sets[i], sets[j])
    la, lb = ya, yb + 3

    def cost(x, lx, y, ly):
        return half_sq(x, y) + W[np.ix_(lx, ly)] / 2.0

    ab = entropic(uniform(12), uniform(10), cost(xa, la, xb, lb))
    aa = entropic(uniform(12), uniform(12), cost(xa, la, xa, la))[0]
    bb = entropic(uniform(10), uniform(10), cost(xb, lb, xb, lb))[0]
    P = ab[1]
    coupling = np.zeros((2, 3))  # target x source
    for i in range(12):
        for j in range(10):
            coupling[yb[j], ya[i]] += P[i, j]
    return W, ab[0], aa, bb, ab[0] - 0.5 * (aa + bb), coupling


def show(name, value):
    print(f"{name} = {value:.12g}")


def main():
    np.set_printoptions(precision=12)
    xa, xb = cloud_a(), cloud_b()
    show("OT(cloudA, cloudB)", ot_points(xa, xb))
    show("OT(cloudA, cloudA)", ot_points(xa, xa))
    show("OT(cloudB, cloudB)", ot_points(xb, xb))
    show("S(cloudA, cloudB)",
         ot_points(xa, xb) - 0.5 * (ot_points(xa, xa) + ot_points(xb, xb)))
    show("OT eps=0.5 (cloudA, cloudB)", ot_points(xa, xb, 0.5))
    for inner in ("exact", "gaussian"):
        W, ab, aa, bb, s, coupling = otdd(inner)
        print(f"--- OTDD, inner {inner}")
        print("W =", ", ".join(f"{v:.12g}" for v in W.ravel()))
        show("OT(A,B)", ab)
        show("OT(A,A)", aa)
        show("OT(B,B)", bb)
        show("S(A,B)", s)
        print("coupling (target x source) =", ", ".join(f"{v:.12g}" for v in coupling.ravel()))


if __name__ == "__main__":
    main()
