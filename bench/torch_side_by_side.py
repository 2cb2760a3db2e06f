#!/usr/bin/env python3
"""Side-by-side: one training step of the base CNN in mtdtl (Java) and in PyTorch (CPU), same run,
same machine, same thread count. Prints both medians and the ratio mtdtl/PyTorch (lower is better).

    python3 bench/torch_side_by_side.py [--batch 32] [--threads 2] [--warmup 12] [--iters 10] [--jvm "-Xmx6g"]

With --inference it times feature extraction's pass instead: the evaluation-mode forward to the representation
ReLU(BN(fc_feature)) (mtdtl: MultiSourceNet.representation through RepresentationTimer; PyTorch: the same layers
under torch.inference_mode()).

Also prints each side's peak resident set (VmHWM of its own process: the JVM's, and this Python's with torch
loaded; torch runs after the JVM has exited). For the memory comparison of issue 15 run
    python3 bench/torch_side_by_side.py --batch 128 --jvm "-Xmx540m -Xmn16m -XX:+UseSerialGC"
(a heap just above the step's live set; a larger -Xmx only lets the collector keep garbage around).

Builds bench/target/benchmarks.jar first if it is missing (mvn -q -DskipTests package).
Skips cleanly (exit 0) when torch is not importable.
"""
import argparse
import os
import subprocess
import sys
import time

from side_by_side_common import peak_rss_mb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def representation_layers(nn):
    """The base CNN up to its representation: five pooled blocks, conv61, conv62, GAP, fc_feature + BN + ReLU."""
    def block(cin, cout, k, stride, pad, pool):
        layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=pad), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        if pool:
            layers.append(nn.MaxPool2d(2))
        return layers

    return [*block(2, 16, 5, (2, 1), 2, True), *block(16, 32, 3, 1, 1, True), *block(32, 64, 3, 1, 1, True),
            *block(64, 64, 3, 1, 1, True), *block(64, 128, 3, 1, 1, True), *block(128, 256, 3, 1, 1, False),
            *block(256, 256, 1, 1, 0, False), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(inplace=True)]


def torch_step_ms(batch, threads, warmup, iters):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(1234)
    net = nn.Sequential(*representation_layers(nn), nn.Dropout(0.5), nn.Linear(256, 50))
    opt = torch.optim.Adam(net.parameters(), lr=2.5e-4, weight_decay=1e-6)
    x = torch.randn(batch, 2, 216, 128)
    z = torch.softmax(torch.randn(batch, 50), dim=1)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.kl_div(F.log_softmax(net(x), dim=1), z, reduction="mean")
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2], torch.__version__


def torch_infer_ms(batch, threads, warmup, iters):
    """PyTorch's evaluation-mode forward of the base CNN to the representation (fc-feature, BN, ReLU)."""
    import torch
    import torch.nn as nn

    torch.set_num_threads(threads)
    torch.manual_seed(1234)
    net = nn.Sequential(*representation_layers(nn)).eval()
    x = torch.randn(batch, 2, 216, 128)
    with torch.inference_mode():
        for _ in range(warmup):
            net(x)
        times = []
        for _ in range(iters):
            t0 = time.perf_counter()
            net(x)
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2], torch.__version__


def mtdtl_infer_ms(batch, threads, warmup, iters, jvm="-Xmx6g", java="java"):
    """mtdtl's representation of one source (SS-R on tag), the path of mtdtl extract: RepresentationTimer."""
    jar = os.path.join(ROOT, "bench", "target", "benchmarks.jar")
    if not os.path.exists(jar):
        subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=ROOT, check=True)
    out = subprocess.run(
        [java, "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", *jvm.split(), "-cp", jar,
         "dev.mtdtl.bench.RepresentationTimer", "ssr", "tag", str(batch), str(threads), str(warmup), str(iters)],
        check=True, capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("representations ")][-1]
    fields = dict(kv.split("=", 1) for kv in line.split()[1:])
    return float(fields["per_source_ms"]), line


def mtdtl_step_ms(batch, threads, warmup, iters, jvm="-Xmx6g", java="java"):
    jar = os.path.join(ROOT, "bench", "target", "benchmarks.jar")
    if not os.path.exists(jar):
        subprocess.run(["mvn", "-q", "-B", "-DskipTests", "package"], cwd=ROOT, check=True)
    out = subprocess.run(
        [java, "--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000", *jvm.split(), "-cp", jar, "dev.mtdtl.bench.TrainStepTimer",
         str(batch), str(threads), str(warmup), str(iters)],
        check=True, capture_output=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("mtdtl batch=")][-1]
    loops = [l for l in out.splitlines() if l.startswith("mtdtl loops_per_step=")]
    fields = dict(kv.split("=") for kv in line.split()[1:])
    return float(fields["median_ms"]), line, loops[-1] if loops else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    # 12: C2 compiles mtdtl's vector kernels during the first few steps; with 3 warm-ups the timed steps still
    # include some of that (medians 96-128 ms against minima of 72-78 in the same runs, bench/RESULTS.md).
    # The figures in RESULTS.md before 2026-12-05 used 3.
    ap.add_argument("--warmup", type=int, default=12)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--jvm", default="-Xmx6g", help="JVM options for mtdtl's side (heap size, collector)")
    ap.add_argument("--java", default=os.environ.get("MTDTL_JAVA", "java"),
                    help="the java that runs mtdtl's side (default: $MTDTL_JAVA, else java on the PATH)")
    ap.add_argument("--inference", action="store_true",
                    help="time the evaluation-mode forward to the representation instead of a training step")
    a = ap.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        print("SKIP: torch is not importable here; nothing to compare against.")
        return 0
    if a.inference:
        ours, line = mtdtl_infer_ms(a.batch, a.threads, a.warmup, a.iters, a.jvm, a.java)
        theirs, version = torch_infer_ms(a.batch, a.threads, a.warmup, a.iters)
        print(line)
        print(f"torch {version} inference batch={a.batch} threads={a.threads} median_ms={theirs:.1f}")
        print(f"ratio mtdtl/torch = {ours / theirs:.2f} (lower is better; < 1 means mtdtl is faster)")
        return 0
    ours, line, loops = mtdtl_step_ms(a.batch, a.threads, a.warmup, a.iters, a.jvm, a.java)
    theirs, version = torch_step_ms(a.batch, a.threads, a.warmup, a.iters)
    rss = peak_rss_mb()
    print(line + f" jvm_opts='{a.jvm}'")
    if loops:
        print(loops)
    print(f"torch {version} batch={a.batch} threads={a.threads} median_ms={theirs:.1f}"
          + (f" peak_rss_mb={rss:.0f}" if rss is not None else ""))
    print(f"ratio mtdtl/torch = {ours / theirs:.2f} (lower is better; < 1 means mtdtl is faster)")
    fields = dict(kv.split("=") for kv in line.split()[1:])
    if rss is not None and "peak_rss_mb" in fields:
        print(f"peak RSS mtdtl/torch = {float(fields['peak_rss_mb']) / rss:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
