#!/usr/bin/env python3
"""The full training-trajectory parity comparison (docs/parity.md): for each strategy, mtdtl trains the
harness network for N iterations and records the run (dev.mtdtl.bench.parity.ParityRecord), PyTorch
replays it (replay_torch.py), and the results go into docs/parity.md (the table between the
<!-- parity:begin --> and <!-- parity:end --> markers) and docs/parity-loss.svg (both loss curves and
their relative difference per strategy).

    python3 bench/parity/run_parity.py [--iterations 300] [--strategies ssr,msscr,mscr2,mscr4,mscr6,mssrfc]
        [--device cpu|cuda] [--work DIR] [--no-docs] [--classpath CP]

SS-R trains one source (self: the Siamese path with its twin BN calls and three dropout calls per
iteration); the others train self, tag and bpm. --device runs both sides there (mtdtl's Trainer on that
device, its masks from that device's dropout kernel; torch on the same device). The Java classes come
from --classpath, else bench/target/benchmarks.jar (built with mvn -q -B -DskipTests package if missing).
Exit status 1 if any strategy is beyond tolerance. Resumes: a strategy whose results JSON exists is not
run again (delete WORK/STRATEGY.json to redo it).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
STRATEGIES = ["ssr", "msscr", "mscr2", "mscr4", "mscr6", "mssrfc"]
NAMES = {"ssr": "SS-R", "msscr": "MSS-CR", "mscr2": "MS-CR@2", "mscr4": "MS-CR@4", "mscr6": "MS-CR@6",
         "mssrfc": "MS-SR@FC"}
BEGIN, END = "<!-- parity:begin -->", "<!-- parity:end -->"


def classpath(given):
    if given:
        return given
    jar = os.path.join(ROOT, "bench", "target", "benchmarks.jar")
    if not os.path.exists(jar):
        subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=ROOT, check=True)
    return jar


def record(cp, strategy, iterations, device, out):
    sources = "self" if strategy == "ssr" else "self,tag,bpm"
    t0 = time.time()
    subprocess.run(["java", "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", "-cp", cp, "dev.mtdtl.bench.parity.ParityRecord",
                    "--strategy", strategy, "--sources", sources, "--iterations", str(iterations), "--device", device,
                    "--threads", "1", "--out", out], check=True)
    return time.time() - t0


def fmt(x):
    return "-" if x is None else ("%.1e" % x if isinstance(x, float) else str(x))


def table(results):
    lines = ["| strategy | sources | iterations | max rel. loss diff mtdtl vs torch (torch vs torch) |"
             " first iteration > 1e-5 (torch vs torch) | first > 1e-3 (torch vs torch) |"
             " final weights rel. L2 mtdtl vs torch (torch vs torch) |"
             " tensors judged | beyond tolerance | not judged (listed) | loss iterations beyond tolerance |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        und = sum(1 for t in r["tensors"] if not t["judged"])
        fa, fn = r["loss_first_above"], r["loss_noise_first_above"]
        lines.append("| %s | %s | %d | %.1e (%.1e) | %s (%s) | %s (%s) | %.1e (%.1e) | %d | %d | %d | %d |"
                     % (NAMES[r["strategy"]], r["sources"], r["iterations"], r["loss_rel_max"], r["loss_noise_max"],
                        fmt(fa["1e-05"]), fmt(fn["1e-05"]), fmt(fa["0.001"]), fmt(fn["0.001"]), r["weights_rel_l2"],
                        max(r["weights_rel_l2_refs"].values()), r["judged"], len(r["failed"]), und,
                        len(r["loss_bad_iterations"])))
    return "\n".join(lines)


def departures(results):
    """When each trajectory leaves torch32 by more than 1e-3 in loss: mtdtl and every reference."""
    refs = list(results[0]["loss_rel_refs"])
    lines = ["| strategy | mtdtl | " + " | ".join("torch " + k for k in refs) + " |",
             "|---|---|" + "---|" * len(refs)]
    for r in results:
        lines.append("| %s | %s | %s |" % (NAMES[r["strategy"]], fmt(r["loss_first_above"]["0.001"]),
                                           " | ".join(fmt(r["loss_refs_first_above"][k]["0.001"]) for k in refs)))
    return "\n".join(lines)


def worst_by_kind(results):
    """Per kind of tensor, the largest judged mtdtl-vs-torch relative L2 over all strategies, and its noise."""
    kinds = {}
    for r in results:
        for t in r["tensors"]:
            if not t["judged"]:
                continue
            k = kinds.get(t["kind"])
            if k is None or t["rel"] > k[0]:
                kinds[t["kind"]] = (t["rel"], t["noise"], NAMES[r["strategy"]] + " " + t["name"])
    lines = ["| kind of tensor | largest rel. L2 mtdtl vs torch | torch vs torch on it | where |", "|---|---|---|---|"]
    for k, (rel, noise, where) in sorted(kinds.items()):
        lines.append("| %s | %.1e | %.1e | `%s` |" % (k, rel, noise, where))
    return "\n".join(lines)


def svg(results):
    """Per strategy a panel: both loss curves (top) and log10 of the relative differences (bottom)."""
    pw, ph, gap, m = 300, 120, 40, 44
    cols = 3
    rows = (len(results) + cols - 1) // cols
    width = cols * (pw + m + 16) + 10
    height = rows * (2 * ph + gap + 70) + 56
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="11">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="18" font-size="13">Training-trajectory parity: loss of the drawn source per iteration '
           '(mtdtl blue, PyTorch orange dashed)</text>',
           '<text x="10" y="34">below: |relative difference| of that loss, mtdtl vs torch (blue) and torch vs torch '
           '(grey: the largest of the other float32 torches and float64), log scale</text>']
    for idx, r in enumerate(results):
        ox = 10 + (idx % cols) * (pw + m + 16) + m
        oy = 56 + (idx // cols) * (2 * ph + gap + 70) + 14
        n = r["iterations"]
        lj, lt = r["loss_mtdtl"], r["loss_torch"]
        lo, hi = min(lj + lt), max(lj + lt)
        hi = hi if hi > lo else lo + 1

        def px(i):
            return ox + pw * i / max(1, n - 1)

        def py(v):
            return oy + ph - ph * (v - lo) / (hi - lo)

        out.append('<text x="%d" y="%d" font-size="12" font-weight="bold">%s (%s)</text>'
                   % (ox, oy - 4, NAMES[r["strategy"]], r["sources"]))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (ox, oy, pw, ph))
        for v in (lo, hi):
            out.append('<text x="%d" y="%.1f" text-anchor="end">%.3f</text>' % (ox - 3, py(v) + 4, v))
        out.append('<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="%s"/>'
                   % " ".join("%.1f,%.1f" % (px(i), py(v)) for i, v in enumerate(lj)))
        out.append('<polyline fill="none" stroke="#ff7f0e" stroke-width="1.2" stroke-dasharray="3,2" points="%s"/>'
                   % " ".join("%.1f,%.1f" % (px(i), py(v)) for i, v in enumerate(lt)))
        # bottom: log10 relative differences in [-9, 0]
        oy2 = oy + ph + gap
        dlo, dhi = -9.0, 0.0

        def qy(v):
            x = math.log10(max(v, 10 ** dlo))
            return oy2 + ph - ph * (min(x, dhi) - dlo) / (dhi - dlo)

        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (ox, oy2, pw, ph))
        for e in range(int(dhi), int(dlo) - 1, -2):
            y = qy(10.0 ** e)
            out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#eee"/>' % (ox, ox + pw, y, y))
            out.append('<text x="%d" y="%.1f" text-anchor="end">1e%d</text>' % (ox - 3, y + 4, e))
        out.append('<polyline fill="none" stroke="#1f77b4" stroke-width="1" points="%s"/>'
                   % " ".join("%.1f,%.1f" % (px(i), qy(v)) for i, v in enumerate(r["loss_rel"])))
        out.append('<polyline fill="none" stroke="#555" stroke-width="1" stroke-opacity="0.6" points="%s"/>'
                   % " ".join("%.1f,%.1f" % (px(i), qy(v)) for i, v in enumerate(r["loss_noise"])))
        out.append('<text x="%d" y="%d">iteration 0</text>' % (ox, oy2 + ph + 14))
        out.append('<text x="%d" y="%d" text-anchor="end">%d</text>' % (ox + pw, oy2 + ph + 14, n - 1))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    ap.add_argument("--device", default="cpu", help="cpu or cuda: where both sides train")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "parity", "work"))
    ap.add_argument("--classpath", help="Java class path (default bench/target/benchmarks.jar)")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite docs/parity.md and docs/parity-loss.svg")
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("SKIP: torch is not importable by %s; nothing to compare against." % sys.executable)
        return 0
    import replay_torch
    cp = classpath(a.classpath)
    os.makedirs(a.work, exist_ok=True)
    results = []
    for st in a.strategies.split(","):
        js = os.path.join(a.work, st + ".json")
        if os.path.exists(js):
            with open(js) as f:
                results.append(json.load(f))
            replay_torch.report(results[-1], False)
            continue
        rec = os.path.join(a.work, st)
        subprocess.run(["rm", "-rf", rec], check=True)
        tj = record(cp, st, a.iterations, a.device, rec)
        t0 = time.time()
        r = replay_torch.compare(rec, torch.device(a.device), 1)
        r["seconds_mtdtl"], r["seconds_torch_both"] = tj, time.time() - t0
        write_atomic(js, json.dumps(r))
        subprocess.run(["rm", "-rf", rec], check=True)
        results.append(r)
        replay_torch.report(r, False)
    tab = (table(results) + "\n\nFirst iteration at which the loss differs from torch32's by more than 1e-3 (relative):\n\n"
           + departures(results) + "\n\nPer kind of tensor, the largest judged difference at the end:\n\n"
           + worst_by_kind(results))
    print(tab)
    if not a.no_docs:
        tag = "device %s, torch %s, %d iteration(s) per strategy" % (a.device, results[0]["torch"], a.iterations)
        doc = os.path.join(ROOT, "docs", "parity.md")
        with open(doc) as f:
            text = f.read()
        i, j = text.index(BEGIN), text.index(END)
        write_atomic(doc, text[:i + len(BEGIN)] + "\n<!-- written by bench/parity/run_parity.py (" + tag + ") -->\n\n"
                     + tab + "\n\n" + text[j:])
        write_atomic(os.path.join(ROOT, "docs", "parity-loss.svg"), svg(results))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
