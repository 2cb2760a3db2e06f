package dev.mtdtl.cli;

import dev.mtdtl.tensor.cpu.CpuDevice;
import dev.mtdtl.tensor.test.Avx2Jvm;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixtures on an AVX2 machine, emulated on an AVX-512 one: {@code mtdtl fixtures} in a child JVM started with
 * {@code -XX:UseAVX=2}, whose preferred vector shape, and so every CPU kernel's, is 256 bits (8 float lanes). The
 * 8-lane code paths (the general kernels that the 16-lane-only ones step aside for, other lane orders of the sums)
 * are otherwise never run where CI has AVX-512; here each fixture case checks them against its float64 reference.
 * Each case's bits are checked against the 8-lane column of fixtures-bits.txt too. On a machine without AVX-512 the
 * suite's own run already takes those paths, and the test skips.
 */
class FixturesOnAvx2Test {

    @TempDir
    Path tmp;

    @Test
    void everyFixturePassesWithEightLanes() throws Exception {
        Assumptions.assumeTrue(CpuDevice.floatLanes() == 16,
                "this JVM has " + CpuDevice.floatLanes() + " float lanes: the suite itself runs the narrow paths");
        String out = Avx2Jvm.run(Main.class, tmp.resolve("fixtures.log"), 300,
                "fixtures", "--bits", "--threads", "2", Fixtures.dir().toString());
        assertTrue(out.contains("CPU kernels with 8 float lanes (256-bit vectors)"), out);
        String[] lines = out.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.matches("\\d+ passed, 0 failed(, \\d+ skipped)?"), last);
        assertTrue(Integer.parseInt(last.substring(0, last.indexOf(' '))) >= 16, last);
        FixtureBits.check(out, FixtureBits.expected(8), "8 lanes (-XX:UseAVX=2), 2 threads");
    }
}
