#!/usr/bin/env bash
# prepare before/after side by side (bench/RESULTS.md, "prepare: pLSA topic terms"): two source trees, each
# built with `mvn -B -o -q -pl data -am -DskipTests package`, prepare the same synthetic corpus into their own
# folders; then every file both wrote is compared byte for byte, and the learning-targets step is timed
# alternately on CORPUS2/PREPARED2 when given.
#   bench/prepare/side_by_side.sh OLD_TREE NEW_TREE WORK [CORPUS2 PREPARED2]
set -euo pipefail
old=$1; new=$2; work=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ext=$(find ~/.m2/repository -name 'JTransforms-*.jar' -o -name 'JLargeArrays-*.jar' -o -name 'commons-math3-3.6.1.jar' | tr '\n' ':')
cp() { echo "$1/tensor/target/classes:$1/dsp/target/classes:$1/factor/target/classes:$1/data/target/classes:$ext"; }
run() { java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 --add-exports=java.desktop/com.sun.media.sound=ALL-UNNAMED -cp "$(cp "$1")" "$here/PrepareSideBySide.java" "${@:2}" 2>/dev/null; }
mkdir -p "$work"
echo "old prepare: $(run "$old" prepare "$work/corpus" "$work/old")"
echo "new prepare: $(run "$new" prepare "$work/corpus" "$work/new")"
(cd "$work/old" && find . -type f | sort) | while read -r f; do
  cmp -s "$work/old/$f" "$work/new/$f" || echo "differs: $f"
done
echo "only in new: $(cd "$work/new" && find . -type f | sort | comm -13 <(cd "$work/old" && find . -type f | sort) -)"
if [ $# -ge 5 ]; then
  uptime
  for i in 1 2 3; do
    echo "targets old: $(run "$old" targets "$4" "$5" "$work/t-old-$i")  new: $(run "$new" targets "$4" "$5" "$work/t-new-$i")"
  done
fi
