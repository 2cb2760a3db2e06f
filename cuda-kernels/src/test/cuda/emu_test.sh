#!/usr/bin/env bash
# Host-emulator check of the CUDA kernels (no GPU, no nvcc: g++ 12 with C++20). See emu.h and emu_test.cpp.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(mktemp -d)/emu_test"
g++ -std=c++20 -O1 -pthread -ffp-contract=off -Wno-unused-result -o "$bin" "$here/emu_test.cpp"
"$bin"
