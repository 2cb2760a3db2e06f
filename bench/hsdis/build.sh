#!/usr/bin/env bash
# Builds bench/hsdis/target/hsdis-<arch>.so (HotSpot's disassembler plugin, on Capstone) so that C2's code for
# a kernel can be read:
#   bash bench/hsdis/build.sh            # needs gcc and Capstone's headers (Debian: apt-get install libcapstone-dev)
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
if ! echo '#include <capstone/capstone.h>' | gcc -E - > /dev/null 2>&1; then
  echo "hsdis: Capstone's headers not found (Debian/Ubuntu: apt-get install libcapstone-dev)" >&2; exit 3
fi
mkdir -p "$out"
gcc -O2 -Wall -Wextra -shared -fPIC -o "$out/hsdis-$arch.so" "$here/hsdis.c" -lcapstone
echo "$out/hsdis-$arch.so"
