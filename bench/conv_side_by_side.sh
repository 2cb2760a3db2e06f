#!/usr/bin/env bash
# Conv layers of the base CNN, every direction, two bench jars side by side (ConvCpuTimer, alternating
# jars, two rounds each): batch 32 and 128, 1 thread (compare min CPU ms) and 2 threads (wall ms).
#   bench/conv_side_by_side.sh OLD_JAR NEW_JAR > log; python3 bench/conv_table.py log
# Make OLD_JAR from the other tree with `mvn -B -o -q -pl bench -am package -DskipTests` and copy
# bench/target/benchmarks.jar out of it before building the new one.
set -euo pipefail
if [ $# -ne 2 ] || [ ! -f "$1" ] || [ ! -f "$2" ]; then
  echo "usage: $0 OLD_JAR NEW_JAR (both bench/target/benchmarks.jar of the two trees)" >&2
  exit 1
fi
for b in 32 128; do
  reps=12; [ "$b" = 128 ] && reps=6
  for t in 1 2; do
    for round in 1 2; do
      for side in before after; do
        jar="$1"; [ "$side" = after ] && jar="$2"
        echo "### side=$side batch=$b threads=$t round=$round load=$(cut -d' ' -f1-3 /proc/loadavg)"
        java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -Xmx6g -cp "$jar" dev.mtdtl.bench.ConvCpuTimer "$b" "$t" "$reps" 2>&1 \
          | grep -v WARNING
      done
    done
  done
done
