#!/usr/bin/env bash
# Builds bench/hsdis/target/hsdis-<arch>.so (HotSpot's disassembler plugin, on GNU libopcodes) so that C2's
# code for a kernel can be read:
#   bash bench/hsdis/build.sh [OUT_DIR]  # needs gcc and binutils >= 2.39's headers (apt-get install binutils-dev)
#   LD_LIBRARY_PATH=bench/hsdis/target java --add-modules=jdk.incubator.vector -XX:+UnlockDiagnosticVMOptions \
#     -XX:CompileCommand=print,dev.mtdtl.tensor.cpu.ConvFilter::tile8 -cp bench/target/benchmarks.jar \
#     dev.mtdtl.bench.ConvCpuTimer 32 1 10 conv1 > tile8.asm
# The last "Compiled method (c2)" block of a method is its steady-state code. See bench/RESULTS.md,
# "Reading C2's code".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/target}"
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "hsdis: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac
if ! command -v gcc > /dev/null; then
  echo "hsdis: gcc not found" >&2; exit 3
fi
if ! echo '#include <dis-asm.h>' | gcc -E - > /dev/null 2>&1; then
  echo "hsdis: libopcodes' headers (dis-asm.h) not found (Debian/Ubuntu: apt-get install binutils-dev)" >&2; exit 3
fi
if ! grep -q fprintf_styled_ftype "$(echo '#include <dis-asm.h>' | gcc -M -x c - | tr ' \\' '\n\n' | grep 'dis-asm.h$' | head -1)"; then
  echo "hsdis: binutils before 2.39 (no styled disassembler output); this plugin needs 2.39 or later" >&2; exit 3
fi
mkdir -p "$out"
gcc -O2 -Wall -Wextra -shared -fPIC -o "$out/hsdis-$arch.so" "$here/hsdis.c" -lopcodes -lbfd
echo "$out/hsdis-$arch.so"
