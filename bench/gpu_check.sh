#!/usr/bin/env bash
# The one prepared GPU check (issues 9 and 18). About 3 to 4 minutes on an H200 (budget: 8, leaving time for a
# second call). Prepare on the development machine first (no GPU needed):
#     bash bench/gpu_prepare.sh          # every module's jar + a small Java runtime into .gpu/ (git-ignored)
# then, on the GPU, from the repository root:
#     run(command="bash bench/gpu_check.sh", carry=[".gpu"], timeout_s=540)
# Steps (each bounded by `timeout`, so one hang cannot eat the lease):
#   1. device, driver, nvcc, Java, torch versions
#   2. ptxas for sm_90 on every committed PTX (the driver's JIT; sgemm's registers/spills)
#   3. every "gpu"-tagged test of cuda-kernels: each kernel against the float64 references, bit-exactness
#      with the CPU where promised, two identical runs bit for bit, CudaDevice (moves, views, flags, layout)
#   4. the CLI on the GPU (CudaTrainCommandTest): every fixture with --device cuda; train --device cuda follows
#      the CPU run and repeats bit for bit; its checkpoint gives the same features on the CPU; resume across devices
#   5. our training step and inference through the real nn path (DeviceStepTimer), batch 32, 128, 512
#   6. PyTorch + cuDNN on the same GPU, same batches: fp32, tf32, bf16
#   7. several runs on one GPU: K processes of the step timer at once (K = 1, 4, 8), then with MPS if present
#   8. a markdown table -> $OUT/gpu_table.md (paste into bench/RESULTS.md, section "GPU")
# Output: $OUT/gpu_check.log (everything), $OUT/gpu_table.md; without $OUT: bench/out-gpu/.
# SANITIZE=1 bash bench/gpu_check.sh: instead of steps 3-7, the kernel tests under compute-sanitizer memcheck.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-bench/out-gpu}"
mkdir -p "$out"
log="$out/gpu_check.log"
batches="${BATCHES:-32,128,512}"
iters="${ITERS:-20}"

main() {
  echo "== 1. machine  $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader || echo "nvidia-smi failed"
  nvcc --version 2>/dev/null | tail -1
  java_bin=""
  if command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
    java_bin="$(command -v java)"
  elif [ -f .gpu/jre.tar.xz ]; then
    python3 -c 'import tarfile as t; t.open(".gpu/jre.tar.xz").extractall("/tmp/mtdtl-jre", **({"filter": "tar"} if hasattr(t, "tar_filter") else {}))' \
        && java_bin=/tmp/mtdtl-jre/jre/bin/java
  fi
  if [ -z "$java_bin" ] || [ ! -d .gpu/lib ]; then
    echo "FATAL: no Java 17+ or no .gpu/lib: run bash bench/gpu_prepare.sh here and carry .gpu"; return 1
  fi
  "$java_bin" -version 2>&1 | head -1
  python3 -c 'import torch; print("torch", torch.__version__, "cuDNN", torch.backends.cudnn.version())' 2>&1 | tail -1
  cp="$PWD/.gpu/lib/*"
  j=("$java_bin" --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 --add-exports=java.desktop/com.sun.media.sound=ALL-UNNAMED -Xmx24g -cp "$cp")

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
    (cd cuda-kernels && timeout 420 compute-sanitizer --tool memcheck --print-limit 20 --error-exitcode 9 "${j[@]}" \
        dev.mtdtl.cuda.GpuCheck --tests-only)
    echo "sanitizer rc=$? (9: memcheck found errors)"
    return 0
  fi
  echo "== 3. kernel and device tests (cuda-kernels, tag gpu)"
  (cd cuda-kernels && timeout 200 "${j[@]}" dev.mtdtl.cuda.GpuCheck --tests-only)
  echo "kernel tests rc=$?"

  echo "== 4. the CLI on the GPU: fixtures, train, checkpoint on the CPU, resume across devices"
  timeout 300 "${j[@]}" dev.mtdtl.cuda.GpuCheck --class dev.mtdtl.cli.CudaTrainCommandTest
  echo "cli gpu tests rc=$?"

  echo "== 5. our training step and inference (nn path, SS-R base CNN), batches $batches"
  timeout 150 "${j[@]}" dev.mtdtl.bench.DeviceStepTimer cuda ssr tag "$batches" 5 "$iters"
  echo "step timer rc=$?"

  echo "== 6. PyTorch + cuDNN, batches $batches"
  PYTHONUNBUFFERED=1 timeout 180 python3 bench/gpu_torch_step.py "$batches" "$iters"
  echo "torch rc=$?"

  echo "== 7. concurrent runs on one GPU (batch 128)"
  conc() {   # $1 = processes, $2 = label
    local pids=() k
    for k in $(seq 1 "$1"); do
      timeout 120 "${j[@]}" -Xmx4g dev.mtdtl.bench.DeviceStepTimer cuda ssr tag 128 5 60 > "/tmp/conc-$2-$k.log" 2>&1 &
      pids+=($!)
    done
    wait "${pids[@]}"
    python3 - "$1" "$2" /tmp/conc-"$2"-*.log <<'PY'
import re, sys
k, label, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
ms = [float(m.group(1)) for f in files for m in [re.search(r"TIME train_step_b128\s+([0-9.]+) ms", open(f).read())] if m]
print(f"CONC {label} processes={k} finished={len(ms)} median_step_ms={sorted(ms)[len(ms)//2] if ms else 0:.3f} "
      f"aggregate_samples_per_s={sum(128 / (x / 1e3) for x in ms):.0f}")
PY
  }
  conc 1 k1; conc 4 k4; conc 8 k8
  if command -v nvidia-cuda-mps-control >/dev/null; then
    export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
    mkdir -p "$CUDA_MPS_PIPE_DIRECTORY" "$CUDA_MPS_LOG_DIRECTORY"
    if nvidia-cuda-mps-control -d; then
      conc 4 mps4; conc 8 mps8
      echo quit | nvidia-cuda-mps-control
    else
      echo "MPS: the daemon did not start"
    fi
  else
    echo "MPS: nvidia-cuda-mps-control not found"
  fi
}

main 2>&1 | tee "$log"

echo "== 8. table"
python3 - "$log" "$batches" > "$out/gpu_table.md" <<'PY'
import re, sys
log, batches = open(sys.argv[1]).read(), sys.argv[2].split(",")
t = {m.group(1): float(m.group(2)) for m in re.finditer(r"^TIME (\S+)\s+([0-9.]+) ms", log, re.M)}
dev = re.search(r"^DEVICE (.*)$", log, re.M)
kern = re.search(r"^GPU TESTS (PASS|FAIL)", log, re.M)
cli = re.search(r"^CLASS (PASS|FAIL)", log, re.M)
fx = re.search(r"^(\d+) passed, (\d+) failed", log, re.M)
print(f"Device: {dev.group(1) if dev else '?'}. Kernel/device tests: {kern.group(1) if kern else 'not run'}; "
      f"CLI on the GPU (fixtures --device cuda, train, CPU load, resume): {cli.group(1) if cli else 'not run'}"
      f"{f'; fixtures on the GPU: {fx.group(1)} passed, {fx.group(2)} failed' if fx else ''}.\n")
r = lambda a, b: f"{a / b:.2f}" if a and b else "-"
s = lambda v: f"{v:.2f}" if v else "-"
print("| step (SS-R base CNN) | mtdtl fp32 ms | torch fp32 ms | ratio | torch tf32 ms | ratio | torch bf16 ms | ratio |")
print("|---|---|---|---|---|---|---|---|")
for b in batches:
    for what in ("train_step", "inference"):
        ours = t.get(f"{what}_b{b}")
        row = [t.get(f"torch_{p}_{what}_b{b}") for p in ("fp32", "tf32", "bf16")]
        print(f"| {what} b{b} | {s(ours)} | " + " | ".join(f"{s(v)} | {r(ours, v)}" for v in row) + " |")
print("\nratio = mtdtl / torch (below 1: mtdtl faster).\n")
print("| concurrent runs (batch 128) | processes | median step ms | aggregate samples/s | vs one run |\n|---|---|---|---|---|")
conc = [(m.group(1), int(m.group(2)), float(m.group(4)), float(m.group(5)))
        for m in re.finditer(r"^CONC (\S+) processes=(\d+) finished=(\d+) median_step_ms=([0-9.]+) aggregate_samples_per_s=([0-9.]+)", log, re.M)]
one = next((c[3] for c in conc if c[0] == "k1"), None)
for label, k, med, agg in conc:
    print(f"| {label} | {k} | {med:.2f} | {agg:.0f} | {r(agg, one)} |")
PY
cat "$out/gpu_table.md"
