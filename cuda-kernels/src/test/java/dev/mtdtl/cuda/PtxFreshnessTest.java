package dev.mtdtl.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU-only checks of the committed PTX: each .cu has a PTX resource whose header hashes the current
 * source (else: run {@code mvn -Pnvcc -pl tensor,cuda-kernels -am test-compile} and commit), no PTX is left
 * without its source, every {@code extern "C" __global__} kernel of a source is an entry of its PTX, and
 * kernel names follow {@code <file prefix>_..._f32}.
 */
class PtxFreshnessTest {

    static final Path CUDA_SRC = Path.of("src/main/cuda");
    static final Path PTX_DIR = Path.of("src/main/resources/dev/mtdtl/cuda");
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (?:__launch_bounds__\\([^)]*\\) )?(\\w+)\\s*\\(");

    static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.list(CUDA_SRC)) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    static String base(Path p) {
        String f = p.getFileName().toString();
        return f.substring(0, f.lastIndexOf('.'));
    }

    @Test
    void everySourceHasFreshPtx() throws Exception {
        List<String> stale = new ArrayList<>();
        List<Path> srcs = sources();
        assertFalse(srcs.isEmpty(), "no .cu files under " + CUDA_SRC.toAbsolutePath());
        for (Path cu : srcs) {
            String[] h = PtxModule.header(PtxModule.text(base(cu)));
            assertNotNull(h, base(cu) + ".ptx has no '// src-sha256=... nvcc=...' first line");
            String sha = sha256(Files.readAllBytes(cu));
            if (!sha.equals(h[0])) {
                stale.add(base(cu) + ".ptx (built from " + h[0].substring(0, 12) + "..., source is now " + sha.substring(0, 12) + "...)");
            }
        }
        assertTrue(stale.isEmpty(), "stale PTX, rebuild with `mvn -Pnvcc -pl tensor,cuda-kernels -am test-compile` "
                + "(or src/main/cuda/build-ptx.sh) and commit: " + stale);
    }

    @Test
    void noPtxWithoutSource() throws IOException {
        List<String> names = sources().stream().map(PtxFreshnessTest::base).toList();
        try (Stream<Path> s = Files.list(PTX_DIR)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".ptx")).toList()) {
                assertTrue(names.contains(base(p)), p + " has no source " + base(p) + ".cu");
            }
        }
    }

    @Test
    void everyKernelIsAnEntryAndNamedAfterItsFile() throws IOException {
        for (Path cu : sources()) {
            String src = Files.readString(cu);
            List<String> entries = PtxModule.entries(PtxModule.text(base(cu)));
            String prefix = base(cu).split("_")[0] + "_";
            Matcher m = KERNEL.matcher(src);
            int count = 0;
            while (m.find()) {
                String k = m.group(1);
                count++;
                assertTrue(entries.contains(k), k + " of " + cu + " is not an entry of its PTX " + entries);
                assertTrue(k.startsWith(prefix) && k.endsWith("_f32"), k + " should read " + prefix + "<what>_f32");
            }
            assertTrue(count > 0, cu + " defines no extern \"C\" __global__ kernel");
            assertEquals(count, entries.size(), cu + ": PTX entries " + entries + " differ from the source's kernels");
        }
    }

    @Test
    void launchersFindTheirKernels() throws IOException {
        // Every function name a launcher looks up must be an entry of the PTX it loads (else the GPU run fails).
        Pattern load = Pattern.compile("PtxModule\\.load\\(\"(\\w+)\"\\)");
        Pattern fn = Pattern.compile("function\\(\"(\\w+)\"\\)");
        try (Stream<Path> s = Files.list(Path.of("src/main/java/dev/mtdtl/cuda"))) {
            for (Path j : s.filter(p -> p.toString().endsWith("Cuda.java")).toList()) {
                String src = Files.readString(j);
                Matcher lm = load.matcher(src);
                if (!lm.find()) {
                    continue;
                }
                List<String> entries = PtxModule.entries(PtxModule.text(lm.group(1)));
                Matcher fm = fn.matcher(src);
                while (fm.find()) {
                    assertTrue(entries.contains(fm.group(1)), j.getFileName() + " looks up " + fm.group(1)
                            + ", not in " + lm.group(1) + ".ptx");
                }
            }
        }
    }

    @Test
    void headerIsParsed() {
        String[] h = PtxModule.header("// src-sha256=" + "ab".repeat(32) + " nvcc=13.0.88\n//\n.version 9.0\n");
        assertArrayEquals(new String[] {"ab".repeat(32), "13.0.88"}, h);
        assertNull(PtxModule.header(".version 9.0\n"));
        assertEquals(List.of("a_f32", "b_f32"), PtxModule.entries(".visible .entry a_f32(\n.param\n.visible .entry b_f32 (\n"));
    }

    static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
