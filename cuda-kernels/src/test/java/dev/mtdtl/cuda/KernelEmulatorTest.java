package dev.mtdtl.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU-only check of the kernels' logic: src/test/cuda/emu_test.sh compiles the .cu sources with g++ against a
 * small host emulator of CUDA (threads, __syncthreads, warp shuffles, shared memory) and compares SGEMM
 * (every transpose, split-K), the conv2d pipeline in all three directions, batch norm, softmax/KL/CE,
 * pooling and the linear bias with naive double loops, using the launch parameters of the Java launchers.
 * Skipped where no g++ with C++20 is installed; the GPU tests stay the real check.
 */
class KernelEmulatorTest {

    @Test
    void kernelsAgreeWithNaiveLoopsOnTheHostEmulator() throws IOException, InterruptedException {
        assumeTrue(hasGxx(), "g++ not found: kernel emulator skipped");
        Process p = new ProcessBuilder("bash", Path.of("src/test/cuda/emu_test.sh").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        System.out.println(out);
        assertEquals(true, done, "emulator timed out");
        assertEquals(0, p.exitValue(), "kernel emulator failed:\n" + out);
    }

    private static boolean hasGxx() {
        try {
            Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
