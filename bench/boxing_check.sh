#!/usr/bin/env bash
# Fresh JVMs, each timing a few training steps, each printing the heap its compute threads allocated per step
# (TrainStepTimer's alloc_mb_per_step: 0.40 at batch 32 when C2 compiled every Vector API kernel well, tens of MB
# when some kernel runs boxed). Which kernels C2 compiles well can depend on the order and timing of its
# compilations, so a change to a kernel can box in some JVMs only; a JFR recording shifts that timing, and made a
# transpose that boxed in 3 of 7 plain JVMs box in 6 of 6 (bench/RESULTS.md, "Step speed, session 34"), so every
# other JVM here runs with one.
#   bash bench/boxing_check.sh [JVMS [JAR [JAVA]]]    (defaults: 6, bench/target/benchmarks.jar, $MTDTL_JAVA or java)
# Exits 1 when any JVM allocated more than 4 MB a step.
set -euo pipefail
cd "$(dirname "$0")/.."
JVMS="${1:-6}"
JAR="${2:-bench/target/benchmarks.jar}"
JAVA="${3:-${MTDTL_JAVA:-java}}"
[ -f "$JAR" ] || { echo "boxing_check: $JAR not found (mvn -B -q -pl bench -am -DskipTests package)" >&2; exit 2; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/deopt.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.Deoptimization"><setting name="enabled">true</setting></event>
</configuration>
JFC
bad=0
for i in $(seq 1 "$JVMS"); do
  jfr=()
  label="plain"
  if [ $((i % 2)) -eq 0 ]; then
    jfr=("-XX:StartFlightRecording=filename=$TMP/run$i.jfr,settings=$TMP/deopt.jfc")
    label="jfr  "
  fi
  line="$("$JAVA" --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -Xmx6g "${jfr[@]}" -cp "$JAR" \
      dev.mtdtl.bench.TrainStepTimer 32 2 15 10 2>/dev/null | grep '^mtdtl batch=' || true)"
  alloc="$(sed -n 's/.*alloc_mb_per_step=\([0-9.]*\).*/\1/p' <<< "$line")"
  median="$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<< "$line")"
  if [ -z "$alloc" ]; then
    echo "jvm $i ($label): no result line"; bad=1; continue
  fi
  verdict="ok"
  if awk -v a="$alloc" 'BEGIN { exit !(a > 4) }'; then verdict="BOXED"; bad=1; fi
  echo "jvm $i ($label): alloc_mb_per_step=$alloc median_ms=$median $verdict"
done
exit "$bad"
