#!/usr/bin/env python3
"""Side by side: scikit-learn's MLPClassifier against mtdtl's evaluation MLP (dev.mtdtl.eval.Mlp), per epoch.

Workload (issue 15): n = 5,000 rows of d = 512 standard-normal float32 features, 10 random classes,
hidden_layer_sizes=(256, 256) and every other setting at sklearn's default on both sides (ReLU, Adam
lr 1e-3, alpha 1e-4, batch min(200, n), shuffle): what docs/eval.md's MLP is. A fit of --epochs epochs
(random labels: no early stop) divided by the epochs it ran. sklearn keeps float32 input in float32
(checked: its weights come back float32).

The two sides run alternately in separate processes, --rounds times, each process timing several fits
after warm-up (sklearn: one untimed fit; Java: MlpEpochTimer's two warm-up rounds). With --before REV the
Java process also times the Mlp of git revision REV (compiled from `git show REV:...Mlp.java` into a
temporary folder, with REV's other Mlp*.java) in the same JVM, alternating with this build's, and checks that both train the same model.

Usage:
  python3 bench/mlp_side_by_side.py [--python PY] [--rounds 3] [--fits 4] [--epochs 5] [--threads 2]
                                    [--before main] [--cpu] [--jar bench/target/benchmarks.jar]
  --python PY  the interpreter with scikit-learn (default $MTDTL_PYTHON, else python3); the script skips
               (exit 0, with the reason) when it cannot import sklearn
  --cpu        one thread on both sides and CPU time (sklearn: 1 BLAS thread, time.process_time; Java:
               one pool thread, thread CPU time): robust on a shared machine
Prints a table: ms per epoch (min and median over all timed fits), peak RSS of each process (sklearn:
ru_maxrss; Java: VmHWM, the JVM with both builds loaded when --before is given) and the ratios.
Build the jar first: mvn -B -o -q -pl bench -am package -DskipTests
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WORKER = r'''
import os, sys
threads, n, d, k, epochs, fits, cpu = (int(a) for a in sys.argv[1:8])
for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(threads)
import resource, time, warnings
import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
clock = time.process_time if cpu else time.perf_counter
rng = np.random.default_rng(1)
X = rng.standard_normal((n, d)).astype(np.float32)
y = rng.integers(0, k, n)
print("version", sklearn.__version__, np.__version__, flush=True)
for f in range(fits + 1):
    clf = MLPClassifier(hidden_layer_sizes=(256, 256), max_iter=epochs, random_state=f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = clock()
        clf.fit(X, y)
        t = clock() - t0
    if clf.coefs_[0].dtype != np.float32:
        sys.exit("sklearn trained in " + str(clf.coefs_[0].dtype) + ", not float32")
    if f > 0:
        print("epoch sklearn %.2f" % (1000.0 * t / clf.n_iter_), flush=True)
print("rss_peak_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
'''


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit("mlp_side_by_side: " + " ".join(cmd[:3]) + " ... failed:\n" + p.stdout[-2000:] + p.stderr[-2000:])
    return p.stdout.splitlines()


def compile_before(rev, jar, tmp):
    src = os.path.join(tmp, "src")
    out = os.path.join(tmp, "classes")
    os.makedirs(src)
    os.makedirs(out)
    # Every Mlp*.java of REV and Metrics: the trainer is split over package-private classes (MlpStep, ...),
    # which must come from the same class loader as REV's Mlp (a package-private class of the app loader is
    # another runtime package: IllegalAccessError).
    pkg = "eval/src/main/java/dev/mtdtl/eval/"
    ls = subprocess.run(["git", "-C", ROOT, "ls-tree", "--name-only", rev, pkg], capture_output=True, text=True)
    if ls.returncode != 0:
        sys.exit("mlp_side_by_side: --before %s: %s" % (rev, ls.stderr.strip()))
    names = [os.path.basename(f)[:-5] for f in ls.stdout.split()
             if os.path.basename(f).startswith("Mlp") and f.endswith(".java")] + ["Metrics"]
    files = []
    for name in names:
        path = pkg + "%s.java" % name
        text = subprocess.run(["git", "-C", ROOT, "show", "%s:%s" % (rev, path)], capture_output=True, text=True)
        if text.returncode != 0:
            sys.exit("mlp_side_by_side: --before %s: %s" % (rev, text.stderr.strip()))
        f = os.path.join(src, name + ".java")
        with open(f, "w") as fh:
            fh.write(text.stdout)
        files.append(f)
    javac = shutil.which("javac") or "javac"
    run([javac, "--add-modules", "jdk.incubator.vector", "-nowarn", "-cp", jar, "-d", out] + files)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", default=os.environ.get("MTDTL_PYTHON", "python3"))
    ap.add_argument("--java", default="java")
    ap.add_argument("--jar", default=os.path.join(HERE, "target", "benchmarks.jar"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--fits", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--d", type=int, default=512)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--before", default=None, help="git revision whose Mlp to time too, e.g. main")
    ap.add_argument("--cpu", action="store_true")
    a = ap.parse_args()

    probe = subprocess.run([a.python, "-c", "import sklearn, numpy"], capture_output=True, text=True)
    if probe.returncode != 0:
        err = (probe.stderr.strip().splitlines() or ["not runnable"])[-1]
        print("mlp_side_by_side: skipped (%s cannot import sklearn: %s)" % (a.python, err))
        return 0
    if not os.path.isfile(a.jar):
        sys.exit("mlp_side_by_side: %s missing; build it: mvn -B -o -q -pl bench -am package -DskipTests" % a.jar)

    threads = 1 if a.cpu else a.threads
    times = {}
    rss = {}
    versions = ""
    identical = []
    with tempfile.TemporaryDirectory() as tmp:
        before = compile_before(a.before, a.jar, tmp) if a.before else None
        jcmd = [a.java, "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", "-Xmx1g", "-cp", a.jar, "dev.mtdtl.bench.MlpEpochTimer",
                "--n", str(a.n), "--d", str(a.d), "--classes", str(a.classes), "--epochs", str(a.epochs),
                "--rounds", str(a.fits), "--threads", str(threads)] + (["--cpu"] if a.cpu else []) \
            + (["--before", before] if before else [])
        pcmd = [a.python, "-c", WORKER, str(threads), str(a.n), str(a.d), str(a.classes), str(a.epochs),
                str(a.fits), "1" if a.cpu else "0"]
        for r in range(a.rounds):
            for cmd, side in ((pcmd, "sklearn"), (jcmd, "mtdtl")) if r % 2 == 0 else ((jcmd, "mtdtl"), (pcmd, "sklearn")):
                for line in run(cmd):
                    f = line.split()
                    if not f:
                        continue
                    if f[0] == "epoch":
                        name = "sklearn" if f[1] == "sklearn" else "mtdtl (main)" if f[1] == "before" else "mtdtl"
                        times.setdefault(name, []).append(float(f[2]))
                    elif f[0] == "rss_peak_mb":
                        rss.setdefault(side, []).append(int(f[1]))
                    elif f[0] == "version":
                        versions = "scikit-learn %s, numpy %s" % (f[1], f[2])
                    elif f[0] == "identical":
                        identical.append(f[1] == "true")

    clock = "CPU time, 1 thread" if a.cpu else "wall time, %d threads" % threads
    print("MLP (256, 256), n = %d, d = %d, %d classes, float32, %d epochs a fit; %s; %s"
          % (a.n, a.d, a.classes, a.epochs, clock, versions))
    print("%-14s %10s %10s %6s %12s" % ("side", "min ms/ep", "median", "fits", "peak RSS MB"))
    for name in ("sklearn", "mtdtl (main)", "mtdtl"):
        if name in times:
            side = "sklearn" if name == "sklearn" else "mtdtl"
            print("%-14s %10.1f %10.1f %6d %12d" % (name, min(times[name]), statistics.median(times[name]),
                                                    len(times[name]), max(rss.get(side, [-1]))))
    s, m = times["sklearn"], times["mtdtl"]
    print("ratio sklearn / mtdtl: %.2fx (min), %.2fx (median)  (> 1: mtdtl faster)"
          % (min(s) / min(m), statistics.median(s) / statistics.median(m)))
    if "mtdtl (main)" in times:
        b = times["mtdtl (main)"]
        print("ratio main / this build: %.2fx (min), %.2fx (median); same model: %s"
              % (min(b) / min(m), statistics.median(b) / statistics.median(m), all(identical)))
        if not all(identical):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
