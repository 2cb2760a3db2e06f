package dev.mtdtl.cli;

import dev.mtdtl.cli.conformance.Families;
import dev.mtdtl.cli.conformance.Runner;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.cpu.CpuDevice;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Npy;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixturesCommandTest {

    @TempDir
    Path tmp;

    private static final List<String> ENGINE_CORE = List.of("conv2d", "batchnorm", "maxpool", "relu",
            "global_avg_pool", "linear", "softmax_kl", "cross_entropy", "adam", "cnn_");

    @Test
    void everyEngineCoreCaseOfTheBundledFixturesPasses() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Runner.Summary s = new Runner(Families.all(), new PrintStream(buf, true, StandardCharsets.UTF_8), true)
                .run(Fixtures.dir());
        String out = buf.toString(StandardCharsets.UTF_8);
        long coreCases = Arrays.stream(out.split("\n"))
                .filter(l -> l.matches("^(PASS|FAIL|SKIP)  .*"))
                .map(l -> l.substring(6).trim())
                .filter(n -> ENGINE_CORE.stream().anyMatch(n::startsWith))
                .count();
        assertEquals(0, s.failed(), out);
        assertEquals(16, coreCases, out);
        assertTrue(s.passed() >= 16, out);
        String[] lines = out.strip().split("\n");
        assertTrue(lines[lines.length - 1].matches("\\d+ passed, 0 failed(, \\d+ skipped)?"), lines[lines.length - 1]);
        for (String l : lines) {
            if (l.startsWith("SKIP")) {
                String name = l.substring(6).trim();
                assertTrue(ENGINE_CORE.stream().noneMatch(name::startsWith), "core family skipped: " + l);
            }
        }
    }

    /**
     * The bits every case computes, pinned by lane count (fixtures-bits.txt): the same on x86 and AArch64 and on JDK
     * 17 and 25 where they were measured, for any thread count (run here with 1 thread, pinned from 2-thread runs).
     */
    @Test
    void everyCaseComputesItsPinnedBits() throws IOException {
        int lanes = CpuDevice.floatLanes();
        Map<String, String> want = FixtureBits.expected(lanes);
        Assumptions.assumeTrue(want != null, "no pinned bits for " + lanes + " float lanes");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int before = Parallel.threads();
        Parallel.setThreads(1);
        try {
            new Runner(Families.all(), new PrintStream(buf, true, StandardCharsets.UTF_8), false, true)
                    .run(Fixtures.dir());
        } finally {
            Parallel.setThreads(before);
        }
        FixtureBits.check(buf.toString(StandardCharsets.UTF_8), want, lanes + " lanes, 1 thread");
    }

    /** A fixture directory of the same format but other shapes, references computed here in double. */
    @Test
    void runsAnyDirectoryOfTheFormatAndFailsWrongReferences() throws IOException {
        Path dir = tmp.resolve("fx");
        writeConvCase(dir, false);
        assertEquals(0, quietly(() -> Main.run("fixtures", dir.toString())));
        writeConvCase(dir, true);
        // The runner's own report ("0 passed, 1 failed") stays out of the test log: CI reads such lines.
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertEquals(1, quietly(buf, () -> Main.run("fixtures", dir.toString())));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("FAIL  conv2d_odd") && out.contains("SKIP  some_future_family"), out);
        assertTrue(out.strip().endsWith("0 passed, 1 failed, 1 skipped"), out);
    }

    @Test
    void missingManifestIsAClearError() {
        IOException e = assertThrows(IOException.class,
                () -> new Runner(Families.all(), System.out, false).run(tmp));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
    }

    @Test
    void helpWorks() {
        assertEquals(0, Main.run("--help"));
        assertEquals(0, Main.run("fixtures", "--help"));
    }

    private static int quietly(java.util.function.IntSupplier run) {
        return quietly(new ByteArrayOutputStream(), run);
    }

    /** Run with System.out captured into {@code buf}. */
    private static int quietly(ByteArrayOutputStream buf, java.util.function.IntSupplier run) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return run.getAsInt();
        } finally {
            System.setOut(old);
        }
    }

    private static void writeConvCase(Path dir, boolean corrupt) throws IOException {
        int n = 1;
        int c = 3;
        int h = 7;
        int w = 9;
        int oc = 4;
        int kh = 3;
        int kw = 5;
        int sh = 1;
        int sw = 2;
        int ph = 1;
        int pw = 2;
        int ho = (h + 2 * ph - kh) / sh + 1;
        int wo = (w + 2 * pw - kw) / sw + 1;
        Rng r = new Rng(5);
        float[] x = new float[n * c * h * w];
        float[] wt = new float[oc * c * kh * kw];
        float[] b = new float[oc];
        for (float[] a : new float[][]{x, wt, b}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
            }
        }
        double[] y = new double[n * oc * ho * wo];
        for (int o = 0; o < oc; o++) {
            for (int i = 0; i < ho; i++) {
                for (int j = 0; j < wo; j++) {
                    double s = b[o];
                    for (int ci = 0; ci < c; ci++) {
                        for (int u = 0; u < kh; u++) {
                            for (int v = 0; v < kw; v++) {
                                int hi = i * sh - ph + u;
                                int wi = j * sw - pw + v;
                                if (hi >= 0 && hi < h && wi >= 0 && wi < w) {
                                    s += (double) wt[((o * c + ci) * kh + u) * kw + v] * x[(ci * h + hi) * w + wi];
                                }
                            }
                        }
                    }
                    y[(o * ho + i) * wo + j] = s;
                }
            }
        }
        if (corrupt) {
            y[3] += 0.5;
        }
        Path cd = dir.resolve("conv_odd");
        Files.createDirectories(cd);
        Npy.writeFloat(cd.resolve("x.npy"), x, n, c, h, w);
        Npy.writeFloat(cd.resolve("weight.npy"), wt, oc, c, kh, kw);
        Npy.writeFloat(cd.resolve("bias.npy"), b, oc);
        Npy.writeDouble(cd.resolve("y_f64.npy"), y, n, oc, ho, wo);
        String manifest = """
                {"cases": [{"name": "conv2d_odd", "params": {"kernel": [%d, %d], "stride": [%d, %d],
                  "padding": [%d, %d], "dilation": [1, 1], "groups": 1, "bias": true},
                  "inputs": [{"name": "x", "file": "conv_odd/x.npy", "shape": [%d, %d, %d, %d]},
                             {"name": "weight", "file": "conv_odd/weight.npy"},
                             {"name": "bias", "file": "conv_odd/bias.npy"}],
                  "outputs": [{"name": "y", "shape": [%d, %d, %d, %d], "compare": "rel_l2", "tol": 1e-5,
                               "file_f64": "conv_odd/y_f64.npy"}]},
                  {"name": "some_future_family", "inputs": [], "outputs": []}]}
                """.formatted(kh, kw, sh, sw, ph, pw, n, c, h, w, n, oc, ho, wo);
        AtomicFiles.writeString(dir.resolve("manifest.json"), manifest);
    }
}
