#!/usr/bin/env python3
"""Side by side: hand-written numpy/scipy versions of the factor workloads against the Java (JMH) numbers.

Workloads (issue 4), the same sizes and distributions as PlsaBench, WmfBench and GmmBench:
  plsa  one EM iteration, 40,000 x 5,000, ~800k stored counts, K = 50
        (entry-wise s = <theta_d, phi_w> by blocked einsum, q = n / s, then two sparse products
        A = Q phi and B = Q^T theta: the vectorised numpy way; never the N x K responsibilities)
  als   one ALS sweep of WMF with item features, 1,000 users x 27,000 items at 1 %, r = 50, D = 512,
        paper settings: per-row np.linalg.solve of the r x r normal equations (the loop a numpy user
        writes; mf-numba jit-compiles the same loop), W by a cached Cholesky factor (setup not timed)
  gmm   one EM iteration (fused E and M, log space) on 1M bpm-like values, 50 components,
        in chunks of 100k values x 50 components

Usage:
  python3 bench/factor_side_by_side.py                    # numpy timings, then JMH (bench/target/benchmarks.jar)
  python3 bench/factor_side_by_side.py --jmh-json r.json  # reuse a JMH result file (-rf json)
  python3 bench/factor_side_by_side.py --no-java          # numpy only
  python3 bench/factor_side_by_side.py --cpu              # single-thread CPU time on both sides
Prints seconds per operation and the ratio numpy / Java (> 1: Java faster). Exits 0 without numpy.

--cpu is for machines shared with other jobs, where wall times swing by 2-4x between the numpy and the
Java phase: numpy runs with one BLAS thread and is timed by time.process_time, Java runs
dev.mtdtl.bench.FactorCpuTime (one pool thread, thread CPU time) instead of JMH.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

if "--cpu" in sys.argv:  # must precede the numpy import
    for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = "1"

try:
    import numpy as np
    import scipy.linalg as sla
    import scipy.sparse as sp
except ImportError as e:  # the comparison is optional: never fail a build over it
    print(f"factor_side_by_side: skipped ({e})")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))


CLOCK = time.process_time if "--cpu" in sys.argv else time.perf_counter


def timeit(fn, reps, warm=1):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        t0 = CLOCK()
        fn()
        ts.append(CLOCK() - t0)
    return statistics.median(ts)


def counts(docs, terms, nnz, rng):
    rows = np.concatenate([np.arange(docs), rng.integers(0, docs, nnz - docs)])
    cols = np.minimum(terms - 1, (terms * rng.random(nnz) ** 2).astype(np.int64))
    vals = 1.0 + rng.integers(0, 5, nnz)
    m = sp.csr_matrix((vals, (rows, cols)), shape=(docs, terms))
    m.sum_duplicates()
    m.sort_indices()
    return m


def bench_plsa(reps):
    rng = np.random.default_rng(42)
    D, T, N, K = 40000, 5000, 800000, 50
    m = counts(D, T, N, rng)
    rows = np.repeat(np.arange(D), np.diff(m.indptr))
    cols = m.indices
    vals = m.data
    theta = rng.random((D, K))
    theta /= theta.sum(1, keepdims=True)
    phi = rng.random((T, K))
    phi /= phi.sum(0, keepdims=True)
    q = m.copy()
    state = {"theta": theta, "phi": phi}
    nnz = m.nnz
    s = np.empty(nnz)

    def it():
        th, ph = state["theta"], state["phi"]
        for b in range(0, nnz, 100000):
            e = min(nnz, b + 100000)
            s[b:e] = np.einsum("ij,ij->i", th[rows[b:e]], ph[cols[b:e]])
        q.data = vals / s
        ll = float(vals @ np.log(s))
        a = q @ ph
        bmat = q.T @ th
        th2 = th * a
        th2 /= th2.sum(1, keepdims=True)
        ph2 = ph * bmat
        ph2 /= ph2.sum(0, keepdims=True)
        state["theta"], state["phi"] = th2, ph2
        return ll

    l0 = it()
    l1 = it()
    assert l1 >= l0, (l0, l1)
    return timeit(it, reps), f"nnz={nnz}"


def bench_als(reps):
    rng = np.random.default_rng(7)
    M, I, Dd, r = 1000, 27000, 512, 50
    alpha, lu, lv, lw = 0.1, 1e-5, 1e-5, 0.1
    R = counts(M, I, int(0.01 * M * I), rng)
    RT = R.T.tocsr()
    X = rng.standard_normal((I, Dd))
    X = (X - X.mean(0)) / X.std(0)
    U = 0.01 * rng.standard_normal((M, r))
    V = 0.01 * rng.standard_normal((I, r))
    W = 0.01 * rng.standard_normal((Dd, r))
    cho = sla.cho_factor(X.T @ X + (lw / lv) * np.eye(Dd))  # setup, as in Java
    eye = np.eye(r)

    def solve_rows(out, A, F, lam, Y, pull):
        G = F.T @ F + lam * eye
        for row in range(A.shape[0]):
            lo, hi = A.indptr[row], A.indptr[row + 1]
            if lo == hi:
                continue
            idx = A.indices[lo:hi]
            c = alpha * A.data[lo:hi]
            Fr = F[idx]
            mat = G + (Fr.T * c) @ Fr
            b = (1.0 + c) @ Fr
            if Y is not None:
                b = b + pull * Y[row]
            out[row] = np.linalg.solve(mat, b)

    def sweep():
        nonlocal W
        solve_rows(U, R, V, lu, None, 0.0)
        solve_rows(V, RT, U, lv, X @ W, lw)
        W = sla.cho_solve(cho, X.T @ V)

    return timeit(sweep, reps), f"nnz={R.nnz}"


def bench_gmm(reps):
    rng = np.random.default_rng(5)
    n, K = 1_000_000, 50
    x = (120 + 25 * rng.standard_normal(n)).astype(np.float32).astype(np.float64)
    # Start from quantile-spread means (the Java run starts from a k-means init; per-iteration cost is the same).
    mu = np.quantile(x, (np.arange(K) + 0.5) / K)
    var = np.full(K, (x.std() / K * 4) ** 2)
    w = np.full(K, 1.0 / K)
    st = {"mu": mu, "var": var, "w": w}

    def step():
        mu, var, w = st["mu"], st["var"], st["w"]
        a = np.log(w) - 0.5 * np.log(2 * np.pi * var)
        b = 0.5 / var
        nk = np.zeros(K)
        s1 = np.zeros(K)
        s2 = np.zeros(K)
        ll = 0.0
        for c in range(0, n, 100000):
            xc = x[c:c + 100000]
            d = xc[:, None] - mu
            lp = a - d * d * b
            m = lp.max(1)
            e = np.exp(lp - m[:, None])
            s = e.sum(1)
            ll += float((m + np.log(s)).sum())
            rr = e / s[:, None]
            nk += rr.sum(0)
            s1 += (rr * d).sum(0)
            s2 += (rr * d * d).sum(0)
        nk += 10 * np.finfo(float).eps
        shift = s1 / nk
        st["mu"] = mu + shift
        st["var"] = np.maximum(s2 / nk - shift * shift, 0) + 1e-6
        st["w"] = nk / nk.sum()
        return ll / n

    return timeit(step, reps), f"n={n}"


def run_jmh(jar, threads, only):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    names = {"plsa": "PlsaBench", "als": "WmfBench", "gmm": "GmmBench"}
    pattern = r"dev.mtdtl.bench.(" + "|".join(names[o] for o in only) + ")"
    cmd = ["java", "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", "-jar", jar, pattern, "-f", "1", "-wi", "2", "-i", "3",
           "-rf", "json", "-rff", out]
    if threads:
        cmd += ["-p", f"threads={threads}"]
    print("running:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


def jmh_seconds(path):
    res = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)
        key = name[-2] + "." + name[-1]
        p = r.get("params", {})
        if "data" in p:
            key += "[" + p["data"] + "]"
        unit = r["primaryMetric"]["scoreUnit"]
        scale = {"ms/op": 1e-3, "s/op": 1.0, "us/op": 1e-6}[unit]
        res[key] = r["primaryMetric"]["score"] * scale
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", default=os.path.join(HERE, "target", "benchmarks.jar"))
    ap.add_argument("--jmh-json", help="existing JMH JSON results instead of running the jar")
    ap.add_argument("--no-java", action="store_true")
    ap.add_argument("--threads", type=int, default=0, help="Java threads (JMH param; 0 = all cores)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cpu", action="store_true", help="single-thread CPU time on both sides (see above)")
    ap.add_argument("--only", default="plsa,als,gmm", help="comma-separated subset of plsa,als,gmm")
    args = ap.parse_args()

    print(f"numpy {np.__version__}, scipy {sp.__name__} ({__import__('scipy').__version__}), "
          f"{os.cpu_count()} cpus", flush=True)
    py = {}
    only = args.only.split(",")
    for name, fn in (("plsa", bench_plsa), ("als", bench_als), ("gmm", bench_gmm)):
        if name not in only:
            continue
        t, info = fn(args.reps)
        py[name] = t
        print(f"numpy {name:5s} {t:8.4f} s/op  ({info})", flush=True)

    if args.no_java:
        return
    if args.cpu:
        if not os.path.exists(args.jar):
            print(f"no {args.jar}: build it with mvn -pl bench -am package -DskipTests; numpy only")
            return
        js = {}
        for name in only:  # one JVM per workload, as JMH forks do: JIT profiles of one workload slow another
            cmd = ["java", "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", "-Xmx2g", "-cp", args.jar,
                   "dev.mtdtl.bench.FactorCpuTime", str(max(3, args.reps)), name]
            print("running:", " ".join(cmd), flush=True)
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            js.update({ln.split()[1]: float(ln.split()[2]) for ln in out.splitlines() if ln.startswith("cpu ")})
        print(f"\n{'workload':8s} {'numpy cpu s':>12s} {'java cpu s':>11s} {'numpy/java':>11s}")
        for name in only:
            if name in js and name in py:
                print(f"{name:8s} {py[name]:12.4f} {js[name]:11.4f} {py[name] / js[name]:10.1f}x")
        return
    path = args.jmh_json
    if path is None:
        if not os.path.exists(args.jar):
            print(f"no {args.jar}: build it with mvn -pl bench -am package -DskipTests; numpy only")
            return
        path = run_jmh(args.jar, args.threads, only)
    js = jmh_seconds(path)
    pairs = (("plsa", "PlsaBench.emIteration"), ("als", "WmfBench.sweep"), ("gmm", "GmmBench.emIteration[bpm]"))
    print(f"\n{'workload':8s} {'numpy s':>10s} {'java s':>10s} {'numpy/java':>11s}")
    for name, key in pairs:
        if key in js and name in py:
            print(f"{name:8s} {py[name]:10.4f} {js[key]:10.4f} {py[name] / js[key]:10.1f}x")
    for key, t in sorted(js.items()):
        if key.startswith("GmmBench.fit"):
            print(f"java {key}: {t:.3f} s per full fit (k-means++ init + EM to tol 1e-3)")


if __name__ == "__main__":
    main()
