#!/usr/bin/env bash
# Run HERE (the development machine, no GPU needed) before the GPU session: puts everything
# bench/gpu_check.sh needs under .gpu/ (git-ignored), so that the GPU machine, which has no Maven, no
# ~/.m2 and maybe no Java, needs nothing but the carried folder:
#   .gpu/lib/*.jar   tensor (+ its test-jar: the double references), cuda-kernels (+ its test classes:
#                    the GPU tests, GpuCheck, CudaStepTiming), JCuda 12.6.0 + linux-x86_64 natives, JUnit
#   .gpu/jre/        a jlink'ed Java 17 runtime (java.base, jdk.incubator.vector, java.logging, ...)
# Then on the GPU: run(command="bash bench/gpu_check.sh", carry=[".gpu"], timeout_s=540).
# Usage: bash bench/gpu_prepare.sh            (add OFFLINE= to let Maven fetch what ~/.m2 lacks)
set -euo pipefail
cd "$(dirname "$0")/.."
offline="${OFFLINE--o}"
rm -rf .gpu && mkdir -p .gpu/lib
mvn -q -B $offline -pl tensor,cuda-kernels -am -DskipTests package \
    dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$PWD/.gpu/lib" -Dmdep.useBaseVersion=true
cp tensor/target/tensor-*.jar cuda-kernels/target/cuda-kernels-*.jar .gpu/lib/
jar cf .gpu/lib/cuda-kernels-gpu-tests.jar -C cuda-kernels/target/test-classes .
# The natives jar holds four libraries; only the driver API's (and the runtime's, loaded by jcuda.runtime) are
# used: drop the 24 MB nvPTXCompiler and NVRTC ones so that the tree plus .gpu stays under the 64 MiB carry limit.
python3 - .gpu/lib/jcuda-natives-*.jar <<'PY'
import sys, zipfile, os
src = sys.argv[1]; tmp = src + ".tmp"
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        if "NvPTXCompiler" not in item.filename and "JNvrtc" not in item.filename:
            zo.writestr(item, zi.read(item.filename))
os.replace(tmp, src)
PY
ls .gpu/lib
# A small runtime in case the GPU image has no Java 17+ (the script prefers a java on its PATH).
mods="java.base,java.logging,jdk.incubator.vector,jdk.unsupported,jdk.zipfs"
jdk="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
# Uncompressed modules + stripped libjvm, then one xz archive: about 12 MB instead of 36 (the carry limit is
# 64 MiB for the whole tree); gpu_check.sh unpacks it to /tmp when the GPU image has no Java 17+.
"$jdk/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --output .gpu/jre
strip --strip-unneeded .gpu/jre/lib/server/libjvm.so 2>/dev/null || true
# Prove the carried runtime + jars work: all module tests (GPU ones skip here), with the working directory
# at cuda-kernels/ where PtxFreshnessTest reads the sources.
(cd cuda-kernels && ../.gpu/jre/bin/java --add-modules=jdk.incubator.vector -cp "../.gpu/lib/*" dev.mtdtl.cuda.GpuCheck --selfcheck) \
    2>&1 | grep -E "TESTS|SELFCHECK|=>|Exception" | head -20
tar -C .gpu -cf - jre | xz -T2 -6 > .gpu/jre.tar.xz
rm -rf .gpu/jre
du -sh .gpu/lib .gpu/jre.tar.xz
echo "prepared .gpu/ ($(du -sh .gpu | cut -f1)); carry it: run(command=\"bash bench/gpu_check.sh\", carry=[\".gpu\"])"
