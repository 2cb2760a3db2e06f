#!/usr/bin/env bash
# The one prepared GPU check of issue 9 (cuda-kernels). Finishes in about 3 to 5 minutes on an H100
# (budget: 8). Prepare on the development machine first (no GPU needed):
#     bash bench/gpu_prepare.sh          # builds the jars + a small Java runtime into .gpu/ (git-ignored, ~13 MB)
# then, on the GPU, from the repository root:
#     run(command="bash bench/gpu_check.sh", carry=[".gpu"], timeout_s=540)
# Steps (each bounded by `timeout`, so one hang cannot eat the lease):
#   1. device, driver, nvcc, Java, torch versions
#   2. ptxas for sm_90 on every committed PTX (the same JIT the driver does at load; sgemm's registers/spills)
#   3. GpuCheck: every "gpu"-tagged JUnit test of cuda-kernels (each kernel vs the double references, and
#      bit-exactness vs the CPU ops for ReLU, dropout, Adam, max-pool), then CudaStepTiming: the base CNN's
#      training step and inference at batch 128 with our kernels, and the heaviest single ops
#   4. the same training step and inference in PyTorch + cuDNN (fp32 and tf32), same GPU, same call
#   5. a markdown table with the ratios -> $OUT/gpu_table.md (paste into bench/RESULTS.md, section "GPU")
# Output: $OUT/gpu_check.log (everything), $OUT/gpu_table.md; without $OUT: bench/out-gpu/.
# SANITIZE=1 bash bench/gpu_check.sh: instead of steps 3-4, the GPU tests under compute-sanitizer memcheck
# (out-of-bounds and misaligned accesses; slow: for a second call after a failure, not the first one).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-bench/out-gpu}"
mkdir -p "$out"
log="$out/gpu_check.log"
batch="${BATCH:-128}"
iters="${ITERS:-10}"

main() {
  echo "== 1. machine  $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader || echo "nvidia-smi failed"
  nvcc --version 2>/dev/null | tail -1
  java_bin=""
  if command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
    java_bin="$(command -v java)"
  elif [ -f .gpu/jre.tar.xz ]; then
    # Python's tarfile + lzma, in case the image has no xz binary
    python3 -c 'import tarfile as t; t.open(".gpu/jre.tar.xz").extractall("/tmp/mtdtl-jre", **({"filter": "tar"} if hasattr(t, "tar_filter") else {}))' \
        && java_bin=/tmp/mtdtl-jre/jre/bin/java
  fi
  if [ -z "$java_bin" ] || [ ! -d .gpu/lib ]; then
    echo "FATAL: no Java 17+ or no .gpu/lib: run bash bench/gpu_prepare.sh here and carry .gpu"; return 1
  fi
  "$java_bin" -version 2>&1 | head -1
  python3 -c 'import torch; print("torch", torch.__version__, "cuDNN", torch.backends.cudnn.version())' 2>&1 | tail -1

  echo "== 2. ptxas sm_90 on the committed PTX"
  for f in cuda-kernels/src/main/resources/dev/mtdtl/cuda/*.ptx; do
    if [ "$(basename "$f")" = sgemm.ptx ]; then
      timeout 60 ptxas -arch=sm_90 -v "$f" -o /dev/null 2>&1 | grep -A3 "entry function .sgemm_nn_f32" | head -4
    else
      timeout 60 ptxas -arch=sm_90 "$f" -o /dev/null 2>&1 | head -3
    fi
    echo "ptxas $(basename "$f"): rc=$?"
  done

  if [ "${SANITIZE:-0}" = 1 ]; then
    echo "== 3. GPU tests under compute-sanitizer memcheck"
    (cd cuda-kernels && timeout 420 compute-sanitizer --tool memcheck --print-limit 20 --error-exitcode 9 "$java_bin" \
        --add-modules=jdk.incubator.vector -Xmx16g -cp "../.gpu/lib/*" dev.mtdtl.cuda.GpuCheck --tests-only)
    echo "sanitizer rc=$? (9: memcheck found errors)"
    return 0
  fi
  echo "== 3. GpuCheck (tests, then timings of our kernels, batch $batch)"
  (cd cuda-kernels && timeout 300 "$java_bin" --add-modules=jdk.incubator.vector -Xmx16g -cp "../.gpu/lib/*" \
      dev.mtdtl.cuda.GpuCheck "$batch" "$iters")
  echo "GpuCheck rc=$?"

  echo "== 4. PyTorch + cuDNN, batch $batch"
  PYTHONUNBUFFERED=1 timeout 180 python3 bench/gpu_torch_step.py "$batch" "$iters"
  echo "torch rc=$?"
}

main 2>&1 | tee "$log"

echo "== 5. table"
python3 - "$log" "$batch" > "$out/gpu_table.md" <<'PY'
import re, sys
log, batch = open(sys.argv[1]).read(), sys.argv[2]
t = {m.group(1): float(m.group(2)) for m in re.finditer(r"^TIME (\S+)\s+([0-9.]+) ms", log, re.M)}
dev = re.search(r"^DEVICE (.*)$", log, re.M)
tests = re.search(r"^TESTS .*$", log, re.M)
verdict = re.search(r"^GPU TESTS (PASS|FAIL)", log, re.M)
print(f"Device: {dev.group(1) if dev else '?'}; tests: {tests.group(0) if tests else 'not run'} -> "
      f"{verdict.group(1) if verdict else '?'}\n")
print("| batch " + batch + " | mtdtl ms | torch fp32 ms | ratio fp32 | torch tf32 ms | ratio tf32 |")
print("|---|---|---|---|---|---|")
for what in ("train_step", "inference"):
    ours = t.get(f"{what}_b{batch}")
    f32, tf = t.get(f"torch_fp32_{what}_b{batch}"), t.get(f"torch_tf32_{what}_b{batch}")
    r = lambda a, b: f"{a / b:.2f}" if a and b else "-"
    s = lambda v: f"{v:.2f}" if v else "-"
    print(f"| {what} | {s(ours)} | {s(f32)} | {r(ours, f32)} | {s(tf)} | {r(ours, tf)} |")
print("\n| our op (batch " + batch + ") | ms | GFLOP/s |\n|---|---|---|")
for m in re.finditer(r"^TIME (\S+)\s+([0-9.]+) ms(?:\s+([0-9.]+) GFLOP/s)?", log, re.M):
    if not m.group(1).startswith(("torch_", "train_step", "inference")):
        print(f"| {m.group(1)} | {m.group(2)} | {m.group(3) or ''} |")
PY
cat "$out/gpu_table.md"
