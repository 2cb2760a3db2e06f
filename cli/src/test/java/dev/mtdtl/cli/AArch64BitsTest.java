package dev.mtdtl.cli;

import dev.mtdtl.tensor.JitFlags;
import dev.mtdtl.tensor.test.ChildJvm;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine on AArch64: {@code mtdtl fixtures --bits} in an AArch64 JVM (Debian's OpenJDK 17 under QEMU's user-mode
 * emulator, set up by deploy/aarch64/qemu-java.sh) on three emulated CPUs, NEON (4 float lanes), SVE 256-bit (8) and
 * SVE 512-bit (16): every case must pass and compute the bits that x86 computes at the same lane count
 * (fixtures-bits.txt). Floating point under QEMU is an exact IEEE emulation, so these are the hardware's bits.
 *
 * <p>Skips, with the reason, where the emulated java cannot be set up (no apt-get or dpkg-deb, no network to Debian's
 * mirrors, not an x86-64 machine); MTDTL_AARCH64_TEST=0 skips it outright. The three JVMs run side by side, about a
 * minute each under emulation.
 */
class AArch64BitsTest {

    @TempDir
    Path tmp;

    private record Cpu(String qemu, int lanes) {}

    private static final List<Cpu> CPUS = List.of(
            new Cpu("neoverse-n1", 4), new Cpu("max,sve-default-vector-length=32", 8), new Cpu("a64fx", 16));

    @Test
    void theFixturesComputeTheSameBitsAsOnX86() throws Exception {
        Assumptions.assumeFalse("0".equals(System.getenv("MTDTL_AARCH64_TEST")), "MTDTL_AARCH64_TEST=0");
        String java = emulatedJava();
        List<ChildJvm.Child> children = new ArrayList<>();
        for (Cpu c : CPUS) {
            children.add(ChildJvm.start(java, List.of("--add-modules=jdk.incubator.vector", JitFlags.OPTION, "-Xmx1g"),
                    Map.of("QEMU_CPU", c.qemu()), Main.class, tmp.resolve(c.lanes() + ".log"),
                    "mtdtl fixtures on an emulated AArch64 " + c.qemu(),
                    "fixtures", "--bits", "--threads", "2", Fixtures.dir().toString()));
        }
        try {
            for (int i = 0; i < CPUS.size(); i++) {
                Cpu c = CPUS.get(i);
                String out = children.get(i).await(900);
                assertTrue(out.contains("CPU kernels with " + c.lanes() + " float lanes"), out);
                String[] lines = out.strip().split("\n");
                assertTrue(lines[lines.length - 1].matches("\\d+ passed, 0 failed(, \\d+ skipped)?"), out);
                FixtureBits.check(out, FixtureBits.expected(c.lanes()), "AArch64 " + c.qemu());
            }
        } finally {
            for (ChildJvm.Child ch : children) {      // none left running when one failed
                ch.process().destroyForcibly();
            }
        }
    }

    /** deploy/aarch64/qemu-java.sh's launcher, set up on first use; skips the test when that fails. */
    private String emulatedJava() throws IOException, InterruptedException {
        Path script = Path.of("..", "deploy", "aarch64", "qemu-java.sh").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isExecutable(script), "no " + script);
        Path outLog = tmp.resolve("qemu-java.out"), errLog = tmp.resolve("qemu-java.err");
        Process p = new ProcessBuilder(script.toString()).redirectOutput(outLog.toFile())
                .redirectError(errLog.toFile()).start();
        boolean done = p.waitFor(600, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(outLog).strip();
        String err = Files.readString(errLog).strip();
        Assumptions.assumeTrue(done && p.exitValue() == 0 && !out.isEmpty(),
                "no emulated AArch64 java (deploy/aarch64/qemu-java.sh): " + (done ? err : "timed out"));
        return out.lines().reduce((a, b) -> b).orElseThrow();
    }
}
