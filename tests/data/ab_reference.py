#!/usr/bin/env python3
"""Reference values for tests/core/test_abstats.c, computed independently of
core/abstats.c (python3 standard library only; no SciPy on this machine).

Independent methods used (none is a port of the C code path):
  normal quantile/cdf   statistics.NormalDist (Python's own AS241 + erf)
  P(B > A)              Evan Miller's closed-form sum for integer Beta
                        parameters, evaluated as a product/ratio recurrence in
                        log space with math.fsum (no lgamma cancellation)
  P(best), losses       Simpson's rule on a fine grid, with Beta CDFs from the
                        exact binomial-tail identity I_x(a, b) = P(Bin(a+b-1, x) >= a)
  chi-square tail       closed-form Poisson / erfc series for integer df
  Student t tail        Gauss-Legendre-free composite Simpson of the t density
  sample size           Fleiss formula with NormalDist quantiles

Run:  python3 tests/data/ab_reference.py > tests/data/ab_reference.json
"""
import json
import math
from statistics import NormalDist

N = NormalDist()


def zq(p):
    return N.inv_cdf(p)


# ---------------------------------------------------------------- frequentist
def wilson(n, c, alpha):
    z = zq(1 - alpha / 2)
    p = c / n
    den = 1 + z * z / n
    mid = p + z * z / (2 * n)
    rad = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = (mid - rad) / den, (mid + rad) / den
    if c == 0:
        lo = 0.0
    if c == n:
        hi = 1.0
    return max(lo, 0.0), min(hi, 1.0)


def newcombe(n1, c1, n2, c2, alpha):
    l1, u1 = wilson(n1, c1, alpha)
    l2, u2 = wilson(n2, c2, alpha)
    p1, p2 = c1 / n1, c2 / n2
    d = p2 - p1
    return (d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
            d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))


def ztest(n1, c1, n2, c2):
    pool = (c1 + c2) / (n1 + n2)
    se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (c2 / n2 - c1 / n1) / se
    return z, 2 * N.cdf(-abs(z))


def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adj = [0.0] * m
    run = 0.0
    for r, i in enumerate(order):
        run = max(run, min(1.0, (m - r) * ps[i]))
        adj[i] = run
    return adj


def chisq_sf_int(x, df):
    """P(chi2_df > x) for integer df by the closed-form series."""
    if x <= 0:
        return 1.0
    if df % 2 == 0:
        k = df // 2
        term, s = 1.0, 1.0
        for i in range(1, k):
            term *= (x / 2) / i
            s += term
        return math.exp(-x / 2) * s
    # odd df: 2*(1 - Phi(sqrt x)) + sqrt(2x/pi) e^{-x/2} * sum x^j/(3*5*...*(2j+1))
    s = 2 * N.cdf(-math.sqrt(x))
    if df == 1:
        return s
    term = math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    acc = term
    for j in range(1, (df - 1) // 2):
        term *= x / (2 * j + 1)
        acc += term
    return s + acc


def srm(ns, w=None):
    k = len(ns)
    w = w or [1.0] * k
    tot, ws = sum(ns), sum(w)
    x = sum((n - tot * wi / ws) ** 2 / (tot * wi / ws) for n, wi in zip(ns, w))
    return x, chisq_sf_int(x, k - 1)


def t_pdf(x, v):
    return math.exp(math.lgamma((v + 1) / 2) - math.lgamma(v / 2)
                    - 0.5 * math.log(v * math.pi)
                    - (v + 1) / 2 * math.log1p(x * x / v))


def t_sf2(t, v, steps=200000):
    """P(|T| > |t|) = 1 - 2 * integral_0^|t| pdf, composite Simpson."""
    t = abs(t)
    h = t / steps
    s = t_pdf(0, v) + t_pdf(t, v)
    for i in range(1, steps):
        s += (4 if i % 2 else 2) * t_pdf(i * h, v)
    return 1 - 2 * s * h / 3


def welch(m1, v1, n1, m2, v2, n2):
    s1, s2 = v1 / n1, v2 / n2
    t = (m2 - m1) / math.sqrt(s1 + s2)
    df = (s1 + s2) ** 2 / (s1 * s1 / (n1 - 1) + s2 * s2 / (n2 - 1))
    return t, df, t_sf2(t, df)


def sample_size(p1, p2, alpha, power):
    za, zb = zq(1 - alpha / 2), zq(power)
    pbar = (p1 + p2) / 2
    num = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(num * num / (p2 - p1) ** 2)


# ---------------------------------------------------------------- Bayesian
def prob_beat_miller(aA, bA, aB, bB):
    """P(pB > pA), integer parameters: Evan Miller's sum
    sum_{i=0}^{aB-1} B(aA+i, bA+bB) / ((bB+i) B(1+i, bB) B(aA, bA)),
    with term_0 = prod_{j<aA} (bA+j)/(bA+bB+j) and
    term_{i+1}/term_i = (aA+i)(bB+i) / ((aA+bA+bB+i)(1+i))."""
    lt0 = math.fsum(math.log((bA + j) / (bA + bB + j)) for j in range(aA))
    logs = [lt0]
    cur = lt0
    for i in range(aB - 1):
        cur += math.log((aA + i) * (bB + i) / ((aA + bA + bB + i) * (1 + i)))
        logs.append(cur)
    mx = max(logs)
    return math.exp(mx) * math.fsum(math.exp(v - mx) for v in logs)


def beta_cdf_int(x, a, b):
    """I_x(a, b) = P(Bin(a+b-1, x) >= a) for integer a, b."""
    n = a + b - 1
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lx, l1x = math.log(x), math.log1p(-x)
    lc = math.lgamma(n + 1)
    terms = [math.exp(lc - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * lx + (n - j) * l1x)
             for j in range(a, n + 1)]
    return min(1.0, math.fsum(terms))


def beta_pdf(x, a, b):
    if x <= 0 or x >= 1:
        return 0.0
    return math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                    + (a - 1) * math.log(x) + (b - 1) * math.log1p(-x))


def bayes_grid(arms, ctrl, steps=6000):
    """prob_best, loss (E[max] - mean), beat, loss vs control by Simpson."""
    means = [a / (a + b) for a, b in arms]
    sds = [math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))) for a, b in arms]
    lo = max(0.0, min(m - 14 * s for m, s in zip(means, sds)))
    hi = min(1.0, max(m + 14 * s for m, s in zip(means, sds)))
    h = (hi - lo) / steps
    k = len(arms)
    acc_best = [0.0] * k
    acc_emax = 0.0
    acc_beat = [0.0] * k
    acc_lc = [0.0] * k
    ac, bc = arms[ctrl]
    mc = means[ctrl]
    for i in range(steps + 1):
        x = lo + i * h
        wt = (1 if i in (0, steps) else (4 if i % 2 else 2)) * h / 3
        f = [beta_pdf(x, a, b) for a, b in arms]
        F = [beta_cdf_int(x, a, b) for a, b in arms]
        tail = mc * (1 - beta_cdf_int(x, ac + 1, bc)) - x * (1 - F[ctrl])
        for j in range(k):
            others = 1.0
            for q in range(k):
                if q != j:
                    others *= F[q]
            acc_best[j] += wt * f[j] * others
            acc_emax += wt * x * f[j] * others
            acc_beat[j] += wt * f[j] * F[ctrl]
            acc_lc[j] += wt * f[j] * tail
    loss = [acc_emax - m for m in means]
    return acc_best, loss, acc_beat, acc_lc


# ---------------------------------------------------------------- mSPRT
def msprt(n1, c1, n2, c2, tau, alpha):
    p1, p2 = c1 / n1, c2 / n2
    v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    if v <= 0:
        pool = (c1 + c2) / (n1 + n2)
        v = pool * (1 - pool) * (1 / n1 + 1 / n2)
    t2 = tau * tau
    d = p2 - p1
    lr = math.sqrt(v / (v + t2)) * math.exp(t2 * d * d / (2 * v * (v + t2)))
    hw = math.sqrt(2 * v * (v + t2) / t2 * (math.log(1 / alpha) + 0.5 * math.log((v + t2) / v)))
    return lr, hw


def main():
    out = {"normal_quantile": [], "wilson": [], "newcombe": [], "ztest": [], "holm": [],
           "srm": [], "welch": [], "prob_beat": [], "bayes": [], "sample_size": [],
           "msprt": []}
    for p in (0.5, 0.975, 0.995, 0.9, 1e-6, 0.02, 0.999999):
        out["normal_quantile"].append({"p": p, "q": zq(p)})
    for n, c, a in ((1000, 50, 0.05), (1000, 0, 0.05), (20, 20, 0.05), (10000000, 500000, 0.05),
                    (137, 12, 0.01), (5, 1, 0.1)):
        lo, hi = wilson(n, c, a)
        out["wilson"].append({"n": n, "c": c, "alpha": a, "lo": lo, "hi": hi})
    for n1, c1, n2, c2, a in ((1000, 50, 1000, 70, 0.05), (5000, 100, 4800, 80, 0.05),
                              (200, 0, 210, 3, 0.05), (10000000, 500000, 10000000, 501500, 0.01)):
        lo, hi = newcombe(n1, c1, n2, c2, a)
        out["newcombe"].append({"n1": n1, "c1": c1, "n2": n2, "c2": c2, "alpha": a,
                                "lo": lo, "hi": hi})
        z, p = ztest(n1, c1, n2, c2)
        out["ztest"].append({"n1": n1, "c1": c1, "n2": n2, "c2": c2, "z": z, "p": p})
    for ps in ([0.01, 0.04, 0.03], [0.2, 0.001, 0.5, 0.03], [0.04]):
        out["holm"].append({"p": ps, "adj": holm(ps)})
    for ns, w in (([10000, 10100], None), ([5000, 5200, 4700], None), ([6000, 4000], [60, 40]),
                  ([1000, 1000, 1000, 1300], None), ([10000000, 10003000, 9998000, 10001000, 9997000], None)):
        x, p = srm(ns, w)
        out["srm"].append({"n": ns, "w": w, "chi2": x, "p": p})
    for args in ((5.0, 4.0, 30, 5.6, 6.0, 25), (1.2, 0.3, 21, 1.31, 0.25, 21),
                 (100.0, 400.0, 8, 90.0, 100.0, 12)):
        t, df, p = welch(*args)
        out["welch"].append({"m1": args[0], "v1": args[1], "n1": args[2], "m2": args[3],
                             "v2": args[4], "n2": args[5], "t": t, "df": df, "p": p})
    # P(B > A): (aA, bA, aB, bB) with uniform prior = (1+c, 1+n-c)
    for nA, cA, nB, cB in ((1000, 50, 1000, 60), (200, 10, 180, 12), (50, 0, 50, 1),
                           (10000, 1200, 10000, 1150), (10000000, 500000, 10000000, 501000),
                           (10000000, 20000, 10000000, 20150)):
        aA, bA, aB, bB = 1 + cA, 1 + nA - cA, 1 + cB, 1 + nB - cB
        out["prob_beat"].append({"a1": aA, "b1": bA, "a2": aB, "b2": bB,
                                 "p": prob_beat_miller(aA, bA, aB, bB)})
    for arms in ([(1000, 50), (1000, 60), (1000, 45)],
                 [(500, 30), (520, 41), (480, 35), (510, 29)]):
        post = [(1 + c, 1 + n - c) for n, c in arms]
        best, loss, beat, lc = bayes_grid(post, 0)
        out["bayes"].append({"a": [a for a, _ in post], "b": [b for _, b in post],
                             "prob_best": best, "loss": loss, "beat": beat, "loss_ctrl": lc})
    for p1, mde, a, pw, arms in ((0.05, 0.1, 0.05, 0.8, 2), (0.1, 0.2, 0.05, 0.9, 2),
                                 (0.02, 0.15, 0.05, 0.8, 4), (0.3, -0.1, 0.01, 0.8, 3)):
        out["sample_size"].append({"baseline": p1, "mde": mde, "alpha": a, "power": pw,
                                   "arms": arms,
                                   "n": sample_size(p1, p1 * (1 + mde), a / (arms - 1), pw)})
    for n1, c1, n2, c2, tau, a in ((1000, 50, 1000, 70, 0.005, 0.05),
                                   (20000, 1000, 20000, 1100, 0.005, 0.05),
                                   (300, 0, 300, 0, 0.01, 0.05)):
        if c1 == 0 and c2 == 0:
            out["msprt"].append({"n1": n1, "c1": c1, "n2": n2, "c2": c2, "tau": tau,
                                 "alpha": a, "lr": 1.0, "hw": 1.0})
            continue
        lr, hw = msprt(n1, c1, n2, c2, tau, a)
        out["msprt"].append({"n1": n1, "c1": c1, "n2": n2, "c2": c2, "tau": tau, "alpha": a,
                             "lr": lr, "hw": hw})
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
