#!/usr/bin/env python3
"""Side-by-side: one Algorithm 1 iteration of each multi-source strategy in mtdtl (Java) and in the
PyTorch mirror module (nn/src/test/python/multisource_torch.py), same machine, same run, same threads.
Times a 50-way factor source and the Siamese self source (two crops per sample) separately, and
prints samples/s for both and the ratio mtdtl/torch of the step time (lower is better).

    /usr/bin/python3 bench/strategies_side_by_side.py [--batch 128] [--threads 2] [--sources self,tag,bpm]

Skips cleanly (exit 0) when torch is not importable. Builds bench/target/benchmarks.jar if missing.
"""
import argparse
import os
import subprocess
import sys
import time

from side_by_side_common import peak_rss_mb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
STRATEGIES = ["ssr", "msscr", "mscr2", "mscr4", "mscr6", "mssrfc"]


def torch_times(strategy, sources, batch, threads, warmup, iters):
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.join(ROOT, "nn", "src", "test", "python"))
    import multisource_torch as ms

    torch.set_num_threads(threads)
    torch.manual_seed(1234)
    net = ms.MultiSource(ms.SHARED_STAGES[strategy], sources, 2, [16, 32, 64, 64, 128, 256, 256], 256, 50, 128, 0.5)
    net.train()
    shared = list(net.shared.parameters())
    opt_shared = torch.optim.Adam(shared, lr=2.5e-4, weight_decay=1e-6) if shared else None
    opts = {s: torch.optim.Adam(net.branches[s].parameters(), lr=2.5e-4, weight_decay=1e-6) for s in sources}
    x = torch.randn(batch, 2, 216, 128)
    x2 = torch.randn(batch, 2, 216, 128)
    out = {}
    for s in [next((t for t in sources if t != "self"), None), "self" if "self" in sources else None]:
        if s is None:
            continue
        if s == "self":
            target = F.one_hot(torch.randint(0, 2, (batch,)), 2).float()
        else:
            target = torch.full((batch, 50), 1.0 / 50)

        def step():
            net.zero_grad(set_to_none=False)
            logits = net(x, s, x2) if s == "self" else net(x, s)
            loss = F.kl_div(F.log_softmax(logits, 1), target, reduction="mean")
            loss.backward()
            if opt_shared is not None:
                opt_shared.step()
            opts[s].step()

        for _ in range(warmup):
            step()
        t = []
        for _ in range(iters):
            t0 = time.perf_counter()
            step()
            t.append((time.perf_counter() - t0) * 1e3)
        t.sort()
        out[s] = t[len(t) // 2]
    return out


def mtdtl_times(strategy, sources, batch, threads, warmup, iters, jvm="-Xmx2g"):
    jar = os.path.join(ROOT, "bench", "target", "benchmarks.jar")
    if not os.path.exists(jar):
        subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=ROOT, check=True)
    res = subprocess.run(["java", "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", *jvm.split(), "-cp", jar,
                          "dev.mtdtl.bench.StrategyStepTimer", strategy, ",".join(sources), str(batch), str(threads),
                          str(warmup), str(iters)], check=True, capture_output=True, text=True).stdout
    out = {}
    for line in res.splitlines():
        if line.startswith("mtdtl "):
            f = dict(kv.split("=") for kv in line.split()[1:])
            out[f["source"]] = (float(f["median_ms"]), float(f.get("peak_rss_mb", "nan")))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sources", default="self,tag,bpm")
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--jvm", default="-Xmx2g", help="JVM options for mtdtl (issue 15: every strategy within -Xmx2g)")
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("SKIP: torch is not importable here; nothing to compare against.")
        return 0
    sources = a.sources.split(",")
    print(f"batch {a.batch}, {a.threads} threads, sources {a.sources}, torch {torch.__version__}")
    print(f"{'strategy':9} {'source':7} {'mtdtl ms':>9} {'torch ms':>9} {'mtdtl samples/s':>16} "
          f"{'torch samples/s':>16} {'ratio':>6} {'mtdtl RSS MB':>13} {'torch RSS MB*':>14}")
    for st in a.strategies.split(","):
        src = [next(s for s in sources if s != "self")] if st == "ssr" else sources
        ours = mtdtl_times(st, src, a.batch, a.threads, a.warmup, a.iters, a.jvm)
        theirs = torch_times(st, src, a.batch, a.threads, a.warmup, a.iters)
        rss = peak_rss_mb()
        for s in ours:
            ms, mrss = ours[s]
            print(f"{st:9} {s:7} {ms:9.1f} {theirs[s]:9.1f} {a.batch / ms * 1e3:16.1f} "
                  f"{a.batch / theirs[s] * 1e3:16.1f} {ms / theirs[s]:6.2f} {mrss:13.0f} "
                  f"{(rss if rss is not None else float('nan')):14.0f}")
    print("* PyTorch runs every strategy in this one process: its RSS column is the running peak so far; "
          "mtdtl's is each strategy's own JVM (" + a.jvm + ").")
    return 0


if __name__ == "__main__":
    sys.exit(main())
