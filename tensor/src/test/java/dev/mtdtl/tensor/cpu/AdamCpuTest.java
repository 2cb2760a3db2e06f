package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ref.AdamRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Threads;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.mtdtl.tensor.test.Fixtures.f32;
import static dev.mtdtl.tensor.test.Fixtures.f64;
import static dev.mtdtl.tensor.test.Fixtures.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamCpuTest {

    private static final float LR = 2.5e-4f;
    private static final float B1 = 0.9f;
    private static final float B2 = 0.999f;
    private static final float EPS = 1e-8f;
    private static final float WD = 1e-6f;

    /** Manifest adam_3steps: param 1e-6, exp_avg and exp_avg_sq 1e-5, delta_step{t} = p_t - p0 1e-4. */
    @Test
    void matchesTorchFixtureForThreeSteps() {
        float[] p0 = f32("adam_3steps/param0.npy");
        int len = p0.length;
        float[] p = p0.clone();
        float[] m = new float[len];
        float[] v = new float[len];
        for (int t = 1; t <= 3; t++) {
            AdamCpu.step(p, f32("adam_3steps/grad_step" + t + ".npy"), m, v, 0, len, t, LR, B1, B2, EPS, WD);
            Close.assertRelL2(f64("adam_3steps/param_step" + t + "_f64.npy"), p, Tol.ADAM_PARAM, "param_step" + t);
            Close.assertRelL2(f64("adam_3steps/exp_avg_step" + t + "_f64.npy"), m, Tol.FIXTURE_DEFAULT, "exp_avg_step" + t);
            Close.assertRelL2(f64("adam_3steps/exp_avg_sq_step" + t + "_f64.npy"), v, Tol.FIXTURE_DEFAULT, "exp_avg_sq_step" + t);
            double[] delta = new double[len];
            for (int i = 0; i < len; i++) {
                delta[i] = (double) p[i] - p0[i];
            }
            Close.assertRelL2(f64("adam_3steps/delta_step" + t + "_f64.npy"), delta, Tol.ADAM_DELTA, "delta_step" + t);
        }
    }

    @Test
    void hyperParametersAreReadAsTheirDecimalLiterals() {
        assertEquals(0.999, AdamCpu.decimal(0.999f));
        assertEquals(0.9, AdamCpu.decimal(0.9f));
        assertEquals(2.5e-4, AdamCpu.decimal(2.5e-4f));
    }

    /** Ten steps on a sub-range [off, off+len): matches the double reference; outside the range untouched. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1023, 4099})
    void matchesDoubleReferenceOnASlice(int len) {
        int off = 5;
        int total = off + len + 3;
        float[] p = Fixtures.uniform(1, total, -1f, 1f);
        float[] m = new float[total];
        float[] v = new float[total];
        double[] pd = toDouble(p);
        double[] md = new double[total];
        double[] vd = new double[total];
        float[] before = p.clone();
        for (int t = 1; t <= 10; t++) {
            float[] g = Fixtures.uniform(100 + t, total, -1f, 1f);
            g[off] = 0f;   // the update then comes only from weight decay
            AdamCpu.step(p, g, m, v, off, len, t, 1e-2f, B1, B2, EPS, 1e-2f);
            double[] gd = toDouble(g);
            double[] ps = java.util.Arrays.copyOfRange(pd, off, off + len);
            double[] ms = java.util.Arrays.copyOfRange(md, off, off + len);
            double[] vs = java.util.Arrays.copyOfRange(vd, off, off + len);
            AdamRef.step(ps, java.util.Arrays.copyOfRange(gd, off, off + len), ms, vs, t, 1e-2, 0.9, 0.999, 1e-8, 1e-2);
            System.arraycopy(ps, 0, pd, off, len);
            System.arraycopy(ms, 0, md, off, len);
            System.arraycopy(vs, 0, vd, off, len);
        }
        Close.assertRelL2(pd, p, Tol.F32_ELEMENTWISE, "p");
        Close.assertRelL2(md, m, Tol.F32_ELEMENTWISE, "m");
        Close.assertRelL2(vd, v, Tol.F32_ELEMENTWISE, "v");
        for (int i = 0; i < off; i++) {
            assertEquals(before[i], p[i], "p before the slice is untouched");
        }
        for (int i = off + len; i < total; i++) {
            assertEquals(before[i], p[i], "p after the slice is untouched");
            assertEquals(0f, m[i]);
        }
    }

    @Test
    void oneAndThreeThreadsAreBitIdentical() {
        int len = 576_538;   // the base CNN's parameter count
        float[] p0 = Fixtures.uniform(2, len, -1f, 1f);
        float[] g = Fixtures.uniform(3, len, -1f, 1f);
        float[][] p = {p0.clone(), p0.clone()};
        float[][] m = new float[2][len];
        float[][] v = new float[2][len];
        for (int r = 0; r < 2; r++) {
            int k = r;
            Threads.with(r == 0 ? 1 : 3, () -> {
                for (int t = 1; t <= 3; t++) {
                    AdamCpu.step(p[k], g, m[k], v[k], 0, len, t, LR, B1, B2, EPS, WD);
                }
            });
        }
        Close.assertExact(p[0], p[1], "p");
        Close.assertExact(m[0], m[1], "m");
        Close.assertExact(v[0], v[1], "v");
    }

    /**
     * A group in one call ({@link AdamCpu#stepAll}) gives the bits of one call per tensor: its chunks of GRAIN_ALL run
     * end to end over the tensors, so they start and stop inside tensors and the vector loop's tail falls elsewhere
     * (the base CNN's 34 tensors, plus lengths of 1, of a vector and one, of a chunk and one, at 1 and 3 threads).
     */
    @Test
    void aGroupInOneCallGivesTheBitsOfOneCallPerTensor() {
        int[] len = {800, 16, 16, 16, 4608, 32, 32, 32, 18432, 64, 64, 64, 36864, 64, 64, 64, 73728, 128, 128, 128,
            294912, 256, 256, 256, 65536, 256, 256, 256, 65536, 256, 256, 256, 12800, 50,
            1, 17, AdamCpu.GRAIN_ALL + 1, 3};
        int k = len.length;
        float[][] g = new float[k][];
        float[][][] p = new float[2][k][], m = new float[2][k][], v = new float[2][k][];
        for (int i = 0; i < k; i++) {
            g[i] = Fixtures.uniform(100 + i, len[i], -1f, 1f);
            float[] p0 = Fixtures.uniform(200 + i, len[i], -1f, 1f);
            for (int r = 0; r < 2; r++) {
                p[r][i] = p0.clone();
                m[r][i] = new float[len[i]];
                v[r][i] = new float[len[i]];
            }
        }
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < k; i++) {
                AdamCpu.step(p[0][i], g[i], m[0][i], v[0][i], 0, len[i], t, LR, B1, B2, EPS, WD);
            }
        }
        for (int threads : new int[]{1, 3}) {
            for (int i = 0; i < k; i++) {
                float[] p0 = Fixtures.uniform(200 + i, len[i], -1f, 1f);
                p[1][i] = p0;
                m[1][i] = new float[len[i]];
                v[1][i] = new float[len[i]];
            }
            Threads.with(threads, () -> {
                for (int t = 1; t <= 3; t++) {
                    AdamCpu.stepAll(p[1], g, m[1], v[1], len, t, LR, B1, B2, EPS, WD);
                }
            });
            for (int i = 0; i < k; i++) {
                Close.assertExact(p[0][i], p[1][i], "p of tensor " + i + " at " + threads + " threads");
                Close.assertExact(m[0][i], m[1][i], "m of tensor " + i);
                Close.assertExact(v[0][i], v[1][i], "v of tensor " + i);
            }
        }
        float[] a = new float[10];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdamCpu.stepAll(
                new float[][]{a, a}, new float[][]{a, new float[9]}, new float[][]{a, a}, new float[][]{a, a},
                new int[]{10, 10}, 1, LR, B1, B2, EPS, WD));
        assertTrue(e.getMessage().contains("g: length 9") && e.getMessage().contains("of tensor 1"), e.getMessage());
    }

    @Test
    void badArgumentsNameTheRange() {
        float[] a = new float[10];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                AdamCpu.step(a, new float[8], a, a, 2, 7, 1, LR, B1, B2, EPS, WD));
        assertTrue(e.getMessage().contains("g: length 8") && e.getMessage().contains("off+len (2+7)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdamCpu.step(a, a, a, a, 0, 10, 0, LR, B1, B2, EPS, WD));
        assertTrue(e.getMessage().contains("t must be >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdamCpu.step(a, a, a, a, 0, 10, 1, LR, B1, 1f, EPS, WD));
        assertTrue(e.getMessage().contains("beta2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdamCpu.step(a, a, a, a, -1, 10, 1, LR, B1, B2, EPS, WD));
        assertTrue(e.getMessage().contains("off"), e.getMessage());
    }
}
