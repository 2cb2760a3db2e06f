#!/usr/bin/env bash
# Compiles every .cu beside this script to PTX under src/main/resources/dev/mtdtl/cuda/, first line
# "// src-sha256=<sha256 of the .cu bytes> nvcc=<version>" (PtxFreshnessTest re-hashes the .cu and fails on a
# mismatch). Run by `mvn -Pnvcc -pl tensor,cuda-kernels -am test-compile`, or by hand. compute_75 is the oldest
# virtual architecture nvcc 13 accepts; the driver JIT-compiles that PTX for any newer GPU (H100: sm_90).
# Usage: build-ptx.sh [nvcc]   (default: nvcc on the PATH)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../resources/dev/mtdtl/cuda"
nvcc="${1:-nvcc}"
ver="$("$nvcc" --version | sed -n 's/.*, V\([0-9.]*\).*/\1/p')"
mkdir -p "$out"
for cu in "$here"/*.cu; do
  name="$(basename "$cu" .cu)"
  sha="$(sha256sum "$cu" | cut -d' ' -f1)"
  tmp="$(mktemp)"
  "$nvcc" -ptx -lineinfo -arch=compute_75 -o "$tmp" "$cu"
  { echo "// src-sha256=$sha nvcc=$ver"; cat "$tmp"; } > "$out/$name.ptx"
  rm -f "$tmp"
  echo "ptx: $name.ptx ($sha)"
done
