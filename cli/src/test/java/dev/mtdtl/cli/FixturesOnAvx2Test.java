package dev.mtdtl.cli;

import dev.mtdtl.tensor.JitFlags;
import dev.mtdtl.tensor.cpu.CpuDevice;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixtures on an AVX2 machine, emulated on an AVX-512 one: {@code mtdtl fixtures} in a child JVM started with
 * {@code -XX:UseAVX=2}, whose preferred vector shape, and so every CPU kernel's, is 256 bits (8 float lanes). The
 * 8-lane code paths (the general kernels that the 16-lane-only ones step aside for, other lane orders of the sums)
 * are otherwise never run where CI has AVX-512; here each fixture case checks them against its float64 reference.
 * On a machine without AVX-512 the suite's own run already takes those paths, and the test skips.
 */
class FixturesOnAvx2Test {

    @TempDir
    Path tmp;

    @Test
    void everyFixturePassesWithEightLanes() throws Exception {
        Assumptions.assumeTrue(CpuDevice.floatLanes() == 16,
                "this JVM has " + CpuDevice.floatLanes() + " float lanes: the suite itself runs the narrow paths");
        Path log = tmp.resolve("fixtures.log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:UseAVX=2", "--add-modules=jdk.incubator.vector", JitFlags.OPTION, "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "fixtures", "--threads", "2", Fixtures.dir().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mtdtl fixtures under -XX:UseAVX=2 did not finish within 300 s:\n"
                    + Files.readString(log));
        }
        String out = Files.readString(log);
        assertTrue(out.contains("CPU kernels with 8 float lanes (256-bit vectors)"), out);
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.matches("\\d+ passed, 0 failed(, \\d+ skipped)?"), last);
        assertTrue(Integer.parseInt(last.substring(0, last.indexOf(' '))) >= 16, last);
    }
}
