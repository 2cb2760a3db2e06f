#!/usr/bin/env bash
# Run HERE (the development machine, no GPU needed) before the GPU session: puts everything
# bench/gpu_check.sh needs under .gpu/ (git-ignored), so that the GPU machine, which has no Maven, no
# ~/.m2 and maybe no Java, needs nothing but the carried folder:
#   .gpu/lib/*.jar   every module's jar, their runtime dependencies, the GPU tests (cuda-kernels' kernel tests
#                    and GpuCheck, the CLI's CudaTrainCommandTest), the bench mains (DeviceStepTimer), JUnit
#   .gpu/jre.tar.xz  a jlink'ed Java 17 runtime, used when the GPU image has no Java 17+
# The working tree travels too, and tree + .gpu must stay under the 64 MiB carry limit: the JCuda natives jar
# keeps only the driver API's library, and fastutil (23 MB, used by one triplet reader) keeps only the classes
# that reader reaches (jdeps closure).
# Then on the GPU: run(command="bash bench/gpu_check.sh", carry=[".gpu"], timeout_s=540).
# Usage: bash bench/gpu_prepare.sh            (add OFFLINE= to let Maven fetch what ~/.m2 lacks)
set -euo pipefail
cd "$(dirname "$0")/.."
offline="${OFFLINE--o}"
rm -rf .gpu && mkdir -p .gpu/lib
mvn -q -B $offline -DskipTests package dependency:copy-dependencies -DincludeScope=test \
    -DexcludeGroupIds=dev.mtdtl,org.openjdk.jmh -DoutputDirectory="$PWD/.gpu/lib" -Dmdep.useBaseVersion=true
for m in tensor cuda-kernels dsp factor data nn embed eval study cli bench; do
  cp "$m/target/$m-0.1.0-SNAPSHOT.jar" .gpu/lib/
done
cp tensor/target/tensor-0.1.0-SNAPSHOT-tests.jar .gpu/lib/
jar cf .gpu/lib/cuda-kernels-gpu-tests.jar -C cuda-kernels/target/test-classes .
jar cf .gpu/lib/cli-gpu-tests.jar -C cli/target/test-classes dev/mtdtl/cli/CudaTrainCommandTest.class
python3 - .gpu/lib/jcuda-natives-*.jar <<'PY'
import sys, zipfile, os
src = sys.argv[1]; tmp = src + ".tmp"
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        if "NvPTXCompiler" not in item.filename and "JNvrtc" not in item.filename:
            zo.writestr(item, zi.read(item.filename))
os.replace(tmp, src)
PY
fu="$(ls .gpu/lib/fastutil-*.jar)"
jdeps -verbose:class -filter:none -cp "$fu" .gpu/lib/factor-0.1.0-SNAPSHOT.jar "$fu" 2>/dev/null > .gpu/jdeps.txt || true
python3 - "$fu" .gpu/jdeps.txt <<'PY'
# keep the fastutil classes reachable from our factor module (class-level jdeps edges, breadth first)
import re, sys, zipfile, os, collections
jar, deps = sys.argv[1], open(sys.argv[2]).read().splitlines()
edges, roots = collections.defaultdict(set), set()
for line in deps:
    m = re.match(r"\s+(\S+)\s+->\s+(it\.unimi\.\S+)", line)
    if m:
        edges[m.group(1)].add(m.group(2))
        if m.group(1).startswith("dev.mtdtl"):
            roots.add(m.group(2))
keep, todo = set(roots), list(roots)
while todo:
    for d in edges.get(todo.pop(), ()):
        if d not in keep:
            keep.add(d); todo.append(d)
names = {k.replace(".", "/") + ".class" for k in keep}
tmp = jar + ".tmp"
with zipfile.ZipFile(jar) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        base = re.sub(r"\$.*\.class$", ".class", item.filename)
        if not item.filename.endswith(".class") or item.filename in names or base in names:
            zo.writestr(item, zi.read(item.filename))
os.replace(tmp, jar)
print(f"fastutil: kept {len(keep)} classes reachable from dev.mtdtl")
PY
rm -f .gpu/jdeps.txt
# A small runtime in case the GPU image has no Java 17+ (the script prefers a java on its PATH).
mods="java.base,java.logging,jdk.incubator.vector,jdk.unsupported,jdk.zipfs,java.desktop,java.management,java.naming"
jdk="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
"$jdk/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --output .gpu/jre
strip --strip-unneeded .gpu/jre/lib/server/libjvm.so 2>/dev/null || true
# Prove the carried runtime + jars work: cuda-kernels' tests (the GPU ones skip here), the CLI GPU test (its
# no-GPU case runs), and the step timer on the CPU, with the working directory where PtxFreshnessTest reads.
cp="$PWD/.gpu/lib/*"
(cd cuda-kernels && ../.gpu/jre/bin/java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -cp "$cp" dev.mtdtl.cuda.GpuCheck --selfcheck) \
    2>&1 | grep -E "TESTS|SELFCHECK|=>|Exception" | head -20 || true
.gpu/jre/bin/java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 --add-exports=java.desktop/com.sun.media.sound=ALL-UNNAMED -cp "$cp" \
    dev.mtdtl.cuda.GpuCheck --class dev.mtdtl.cli.CudaTrainCommandTest 2>&1 | grep -E "TESTS|CLASS|=>" | head || true
.gpu/jre/bin/java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -cp "$cp" dev.mtdtl.bench.DeviceStepTimer cpu ssr tag 4 1 2 2>&1 | grep -E "STEP|TIME" || true
tar -C .gpu -cf - jre | xz -T2 -6 > .gpu/jre.tar.xz
rm -rf .gpu/jre
du -sh .gpu/lib .gpu/jre.tar.xz
echo "tree $(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) bytes + .gpu $(du -sb .gpu | cut -f1) bytes (limit 67108864)"
echo "prepared .gpu/; carry it: run(command=\"bash bench/gpu_check.sh\", carry=[\".gpu\"], timeout_s=540)"
