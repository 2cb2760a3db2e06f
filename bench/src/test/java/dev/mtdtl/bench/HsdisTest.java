package dev.mtdtl.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bench/hsdis builds a disassembler plugin that HotSpot loads: a child JVM prints a C2-compiled method as
 * instructions. Skips (with the build script's reason) where gcc or libopcodes' headers (binutils-dev) are
 * missing.
 */
class HsdisTest {

    @TempDir
    Path dir;

    /** A method for the child JVM to compile and print. */
    public static final class Probe {
        static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
                s += a[i] * b[i];
            }
            return s;
        }

        public static void main(String[] args) {
            double[] a = new double[1000];
            java.util.Arrays.fill(a, 0.5);
            double t = 0;
            for (int r = 0; r < 20_000; r++) {
                t += dot(a, a);
            }
            System.out.println("sum " + t);
        }
    }

    @Test
    void hotspotPrintsC2CodeAsInstructions() throws IOException, InterruptedException {
        Path script = Path.of("hsdis/build.sh").toAbsolutePath();
        assertTrue(Files.isRegularFile(script), "missing " + script);
        Process build = new ProcessBuilder("bash", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String buildOut = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = build.waitFor();
        Assumptions.assumeTrue(rc != 3, "hsdis not built: " + buildOut.trim());
        assertEquals(0, rc, buildOut);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UnlockDiagnosticVMOptions", "-Xbatch",
                "-XX:CompileCommand=print," + Probe.class.getName() + "::dot",
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out.substring(Math.max(0, out.length() - 2000)));
        assertTrue(out.contains("sum 5000000.0"), "the probe did not finish");
        assertTrue(!out.contains("Could not load hsdis"), "HotSpot did not load the plugin");
        assertTrue(out.contains("Compiled method (c2)"), "no C2 compilation printed");
        // A decoded loop: a double multiply (scalar or packed) and a return, as instruction text.
        List<String> lines = out.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches(".*\\s(v?mulsd|v?mulpd|v?fmadd\\w*)\\s.*")),
                "no multiply among the decoded instructions");
        assertTrue(lines.stream().anyMatch(l -> l.matches(".*\\sret\\b.*")), "no ret among the decoded instructions");
    }
}
