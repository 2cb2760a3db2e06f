package dev.mtdtl.eval;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.CpuDevice;
import dev.mtdtl.tensor.test.Avx2Jvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MLP's training is pinned bit for bit: the same model for 1 and 2 threads, and the same model as the
 * implementation before issue 15 (a sequence of {@code Gemm.sgemm} calls and scalar loops; the fingerprints
 * below were printed by that code, main at 4622059). The cases cover what the packed, fused trainer has to get
 * right: a 512-d input (two K blocks in the first layer), a hidden width above the K block (300) and a
 * minibatch above it (280: two K blocks in the weight gradients), a short last minibatch, n below the
 * minibatch, regression with one and two outputs, standardised inputs. The same model with 8-lane vectors (an
 * AVX2 machine, emulated by a child JVM with {@code -XX:UseAVX=2}): every product element is one FMA chain over a
 * K block whatever the vector width or the GEMM tile's height (6 rows at 16 lanes, 4 at 8), and the rest of the
 * step is element-wise or summed in row order.
 */
class MlpBitsTest {

    private static final String[] EXPECTED = {
        "epochs=4 loss=0.3155520686808338 crc=e6f20ab4",
        "epochs=30 loss=0.028541928272230056 crc=90b98b03",
        "epochs=25 loss=15.248965022234406 crc=fb5d6395",
        "epochs=40 loss=0.04987513807932774 crc=cfd54551",
        "epochs=3 loss=0.8717773266496898 crc=79283efd",
        "epochs=20 loss=13.729425089120907 crc=3bc5c6ff",
    };

    @TempDir
    Path tmp;

    /** Epochs, final loss and a CRC-32 of the output bits on the first min(n, 300) training rows. */
    private static String fingerprint(boolean classifier, int n, int d, int k, int hidden, int batch, int epochs,
                                      boolean standardize, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 2 + 0.5);
        }
        Mlp.Options o = new Mlp.Options(hidden, 1e-3, 1e-4, batch, epochs, 1e-4, 10, standardize, seed);
        Mlp m;
        if (classifier) {
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = ((x[i * d] > 0 ? 1 : 0) + (x[i * d + 1] > 0.5 ? 1 : 0)) % k;
            }
            m = Mlp.classifier(x, n, d, y, k, o);
        } else {
            float[] y = new float[n * k];
            for (int i = 0; i < y.length; i++) {
                float v = x[(i / k) * d];
                y[i] = (float) (v * v + r.nextGaussian());
            }
            m = Mlp.regressor(x, n, d, y, k, o);
        }
        int rows = Math.min(n, 300);
        float[] p = m.predictRaw(Arrays.copyOf(x, rows * d), rows);
        CRC32 crc = new CRC32();
        for (float v : p) {
            int bits = Float.floatToRawIntBits(v);
            crc.update(bits);
            crc.update(bits >> 8);
            crc.update(bits >> 16);
            crc.update(bits >> 24);
        }
        return String.format("epochs=%d loss=%s crc=%08x", m.epochs(), m.finalLoss(), crc.getValue());
    }

    private static String[] all() {
        return new String[]{
            fingerprint(true, 1000, 512, 10, 256, 200, 4, false, 1),
            fingerprint(true, 450, 60, 3, 256, 200, 30, true, 2),
            fingerprint(false, 333, 40, 2, 256, 200, 25, true, 3),
            fingerprint(true, 150, 20, 4, 256, 200, 40, false, 4),
            fingerprint(true, 700, 300, 5, 300, 280, 3, false, 5),
            fingerprint(false, 601, 17, 1, 7, 64, 20, false, 6),
        };
    }

    @Test
    void sameModelAsBeforeIssue15AndForOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[]{1, 2}) {
                Parallel.setThreads(threads);
                String[] got = all();
                for (int i = 0; i < EXPECTED.length; i++) {
                    assertEquals(EXPECTED[i], got[i], "case " + i + " with " + threads + " thread(s)");
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void sameModelWithEightLanes() throws Exception {
        Assumptions.assumeTrue(CpuDevice.floatLanes() == 16,
                "this JVM has " + CpuDevice.floatLanes() + " float lanes: the test above runs the narrow paths");
        String out = Avx2Jvm.run(MlpBitsTest.class, tmp.resolve("mlp-bits.log"), 300);
        assertTrue(out.contains("lanes=8\n"), out);
        for (int threads : new int[]{1, 2}) {
            for (int i = 0; i < EXPECTED.length; i++) {
                assertTrue(out.contains("threads=" + threads + " case=" + i + " " + EXPECTED[i] + "\n"),
                        "case " + i + " with " + threads + " thread(s) and 8 lanes:\n" + out);
            }
        }
    }

    /** The fingerprints of every case for 1 and 2 threads, one line each (the 8-lane test's child JVM). */
    public static void main(String[] args) {
        System.out.println("lanes=" + CpuDevice.floatLanes());
        for (int threads : new int[]{1, 2}) {
            Parallel.setThreads(threads);
            String[] got = all();
            for (int i = 0; i < got.length; i++) {
                System.out.println("threads=" + threads + " case=" + i + " " + got[i]);
            }
        }
    }
}
