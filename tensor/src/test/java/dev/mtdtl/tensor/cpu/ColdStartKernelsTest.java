package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.ColdStart;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The network kernels' scalar twins ({@link ColdStart}) give the bits of their Vector API forms: the direct
 * convolution tile (forward, the data gradient's strided rows, the fused conv + batch norm + ReLU + pool of
 * inference), the fused batch norm + ReLU + pool planes (every plane width the vector paths treat apart) with their
 * argmax codes, the GEMM micro-tiles (packed, rows and columns of A in place, both transposes, alpha and beta) and
 * B panels, and the small layers' lowering (im2col).
 * Each is computed with every unit forced scalar and with every unit forced vector, and compared bit for bit.
 */
class ColdStartKernelsTest {

    @AfterEach
    void follow() {
        ColdStart.force(null);
    }

    /** {@code f}'s results computed scalar, then vector ({@code f} must compute afresh on every call). */
    private static <T> Object[] both(Supplier<T> f) {
        ColdStart.force(true);
        Object s = f.get();
        ColdStart.force(false);
        Object v = f.get();
        ColdStart.force(null);
        return new Object[] {s, v};
    }

    private static void assertSameBits(String what, float[] scalar, float[] vector) {
        assertEquals(vector.length, scalar.length, what + ": lengths");
        for (int i = 0; i < vector.length; i++) {
            if (Float.floatToRawIntBits(scalar[i]) != Float.floatToRawIntBits(vector[i])) {
                throw new AssertionError(what + ": element " + i + " scalar " + scalar[i] + " vector " + vector[i]);
            }
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void directConvolutionGivesTheVectorBits() {
        Random r = new Random(21);
        ConvGeom[] geoms = {
            new ConvGeom(3, 2, 40, 36, 16, 5, 5, 2, 1, 2, 2),   // conv1's shape of kernel, stride and padding
            new ConvGeom(2, 16, 14, 32, 32, 3, 3, 1, 1, 1, 1),
            new ConvGeom(2, 5, 9, 20, 12, 3, 3, 1, 1, 1, 1),    // channels not in whole tiles, rows not in vectors
            new ConvGeom(1, 8, 7, 17, 8, 3, 3, 1, 1, 0, 1),
        };
        for (ConvGeom g : geoms) {
            float[] x = gaussian(r, (int) g.xSize());
            float[] w = gaussian(r, (int) g.wSize());
            float[] dy = gaussian(r, (int) g.ySize());
            for (float[] b : new float[][] {null, gaussian(r, g.oc())}) {
                Object[] y = both(() -> {
                    float[] out = new float[(int) g.ySize()];
                    Conv2dCpu.forward(out, x, w, b, g, null);
                    return out;
                });
                assertSameBits("forward " + g + (b == null ? "" : " with bias"), (float[]) y[0], (float[]) y[1]);
            }
            Object[] dx = both(() -> {
                float[] out = new float[(int) g.xSize()];
                Conv2dCpu.backwardData(out, dy, w, g, null);
                return out;
            });
            assertSameBits("data gradient " + g, (float[]) dx[0], (float[]) dx[1]);
        }
    }

    @Test
    void fusedConvolutionAndPoolGiveTheVectorBits() {
        Random r = new Random(22);
        for (int[] s : new int[][] {{2, 4, 12, 64, 16}, {2, 8, 13, 32, 8}, {3, 8, 6, 16, 24}}) {
            ConvGeom g = new ConvGeom(s[0], s[1], s[2], s[3], s[4], 3, 3, 1, 1, 1, 1);
            float[] x = gaussian(r, (int) g.xSize());
            float[] w = gaussian(r, (int) g.wSize());
            float[] b = gaussian(r, g.oc());
            float[] gamma = gaussian(r, g.oc());
            float[] beta = gaussian(r, g.oc());
            float[] mean = gaussian(r, g.oc());
            float[] var = new float[g.oc()];
            for (int i = 0; i < var.length; i++) {
                var[i] = 0.5f + r.nextFloat();
            }
            Object[] y = both(() -> {
                float[] out = new float[g.n() * g.oc() * (g.ho() / 2) * (g.wo() / 2)];
                ConvPoolEvalCpu.forward(out, x, w, b, gamma, beta, mean, var, 1e-5f, g,
                        new float[(int) ConvPoolEvalCpu.workspaceFloats(g)]);
                return out;
            });
            assertSameBits("conv + bn + relu + pool " + g, (float[]) y[0], (float[]) y[1]);
        }
    }

    @Test
    void batchNormPoolPlanesGiveTheVectorBitsAndCodes() {
        Random r = new Random(23);
        // widths: several vectors of windows, exactly L windows, two rows a vector (W = L), a quarter (W = L/2),
        // odd heights and widths, narrow planes that are all tail
        int l = BatchNormPoolRows.L;
        int[][] hw = {{6, 4 * l}, {4, 2 * l}, {6, l}, {8, l / 2}, {7, l / 2}, {13, 2 * l + 6}, {5, 7}, {3, 4}};
        for (int[] p : hw) {
            int n = 3;
            int c = 5;
            int h = p[0];
            int w = p[1];
            float[] x = gaussian(r, n * c * h * w);
            for (int i = 0; i < x.length; i += 7) {
                x[i] = x[i + 1 < x.length ? i + 1 : i];   // ties inside windows
            }
            float[] gamma = gaussian(r, c);
            float[] beta = gaussian(r, c);
            int yl = n * c * (h / 2) * (w / 2);
            int al = BatchNormPoolCpu.argmaxLength(n, c, h, w);
            Object[] eval = both(() -> {
                float[] y = new float[yl];
                int[] codes = new int[al];
                float[] mean = new float[c];
                float[] var = new float[c];
                java.util.Arrays.fill(var, 1f);
                BatchNormPoolCpu.forwardEval(y, codes, x, gamma, beta, mean, var, n, c, h, w, 1e-5f);
                return new Object[] {y, codes};
            });
            Object[] s = (Object[]) eval[0];
            Object[] v = (Object[]) eval[1];
            assertSameBits("eval plane " + h + " x " + w, (float[]) s[0], (float[]) v[0]);
            assertArrayEquals((int[]) v[1], (int[]) s[1], "eval codes " + h + " x " + w);
            Object[] train = both(() -> {
                float[] y = new float[yl];
                int[] codes = new int[al];
                float[] rm = new float[c];
                float[] rv = new float[c];
                java.util.Arrays.fill(rv, 1f);
                BatchNormPoolCpu.forwardTrain(y, codes, new float[c], new float[c], x, gamma, beta, rm, rv, n, c, h, w,
                        0.1f, 1e-5f);
                return new Object[] {y, codes, rm, rv};
            });
            s = (Object[]) train[0];
            v = (Object[]) train[1];
            assertSameBits("train plane " + h + " x " + w, (float[]) s[0], (float[]) v[0]);
            assertArrayEquals((int[]) v[1], (int[]) s[1], "train codes " + h + " x " + w);
            assertSameBits("running mean " + h + " x " + w, (float[]) s[2], (float[]) v[2]);
        }
    }

    /**
     * The lowering of the small layers (conv5-conv62 of the base CNN: W below a vector, same size out as in): by rows
     * while cold, by shifted, masked vectors after; the same columns (masked lanes +0 both ways), and through the
     * im2col forward and data gradient (their GEMMs' B panels packed by scalar copies while cold) the same outputs.
     */
    @Test
    void loweringGivesTheVectorColumns() {
        Random r = new Random(25);
        ConvGeom[] geoms = {
            new ConvGeom(3, 5, 6, 8, 7, 3, 3, 1, 1, 1, 1),      // conv5's kind: rows of 8 floats
            new ConvGeom(2, 16, 3, 4, 20, 3, 3, 1, 1, 1, 1),    // conv61's: 12 positions
            new ConvGeom(2, 9, 3, 4, 11, 1, 1, 1, 1, 0, 0),     // conv62's: 1 x 1
        };
        for (ConvGeom g : geoms) {
            float[] x = gaussian(r, (int) g.xSize());
            float[] w = gaussian(r, (int) g.wSize());
            float[] dy = gaussian(r, (int) g.ySize());
            int cols = g.c() * g.kh() * g.kw() * g.n() * g.ho() * g.wo();
            Object[] col = both(() -> {
                float[] out = new float[cols];
                java.util.Arrays.fill(out, Float.NaN);
                ConvIm2col.im2col(out, 0, x, g, 0, g.n());
                return out;
            });
            assertSameBits("im2col " + g, (float[]) col[0], (float[]) col[1]);
            Object[] y = both(() -> {
                float[] out = new float[(int) g.ySize()];
                Conv2dCpu.forward(out, x, w, null, g, null);
                return out;
            });
            assertSameBits("im2col forward " + g, (float[]) y[0], (float[]) y[1]);
            Object[] dx = both(() -> {
                float[] out = new float[(int) g.xSize()];
                Conv2dCpu.backwardData(out, dy, w, g, null);
                return out;
            });
            assertSameBits("im2col data gradient " + g, (float[]) dx[0], (float[]) dx[1]);
        }
    }

    @Test
    void gemmTilesGiveTheVectorBits() {
        Random r = new Random(24);
        // small and tall shapes (A in place or packed), k over one and several K blocks, partial tiles
        int[][] mnk = {{7, 13, 5}, {37, 50, 300}, {64, 256, 1152}, {200, 9, 700}, {3, 300, 40}};
        for (int[] s : mnk) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    float[] a = gaussian(r, m * k);
                    float[] b = gaussian(r, k * n);
                    float[] c0 = gaussian(r, m * n);
                    for (float[] ab : new float[][] {{1f, 0f}, {1f, 1f}, {0.5f, 2f}}) {
                        Object[] c = both(() -> {
                            float[] out = c0.clone();
                            Gemm.sgemm(ta, tb, m, n, k, ab[0], a, 0, ta ? m : k, b, 0, tb ? k : n, ab[1], out, 0, n);
                            return out;
                        });
                        assertSameBits("gemm " + m + "x" + n + "x" + k + " transA " + ta + " transB " + tb + " alpha "
                                + ab[0] + " beta " + ab[1], (float[]) c[0], (float[]) c[1]);
                    }
                }
            }
        }
    }
}
