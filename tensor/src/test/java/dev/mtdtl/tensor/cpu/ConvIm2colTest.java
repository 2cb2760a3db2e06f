package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.test.Threads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector im2col and col2im of stride-1 "same" geometries (shifted loads under masks) against the row loops
 * they replace there, bit for bit: conv5's 6 x 8 and other planes of 16, 48 and 64 floats (whole vectors at 4,
 * 8 and 16 lanes), conv61's 3 x 4, 5 x 7 and 1 x 1 planes (a partial last vector, spilling into the next image
 * or plane, except at the end of a chunk: 108 and 180 rows of col in chunks of 8, 36 to 160 planes of dx in
 * chunks of 32, through the scratch), planes one row high (every tap row but the middle one empty),
 * 1x1, 3x3 and 5x5 taps (5x5 on a 4 x 12 plane: taps taller than the plane), the batch's first and last planes
 * (whose shifted vectors stick out of the array: the lane-by-lane edge path), lowered from the middle of the
 * batch, into a col with other data after it (which must survive), at 1 to 3 threads. The inputs hold -0.0 and
 * exact cancellations, and x NaNs and infinities, which a masked-out lane (a tap outside the image, read from the
 * neighbouring row, plane or image) must turn into +0 as the row loops' zero fill does.
 */
class ConvIm2colTest {

    @ParameterizedTest
    @CsvSource({"3, 4, 6, 8, 3, 1", "3, 5, 6, 8, 3, 3", "2, 3, 4, 4, 3, 1", "4, 6, 4, 12, 1, 3", "2, 2, 8, 8, 5, 1",
            "1, 1, 2, 8, 3, 3", "5, 2, 1, 16, 3, 1", "2, 3, 4, 12, 5, 2", "3, 12, 3, 4, 3, 1", "4, 40, 3, 4, 1, 2",
            "2, 3, 5, 7, 3, 3", "1, 1, 1, 1, 3, 1", "3, 20, 3, 4, 3, 2"})
    void vectorPathsEqualTheRowLoops(int n, int c, int h, int w, int k, int threads) {
        ConvGeom g = ConvGeom.same(n, c, h, w, 2, k);
        assertTrue(ConvIm2col.same(g), "geometry " + g + " is not a same-size stride-1 one");
        SplittableRandom r = new SplittableRandom(n * 1000L + c * 100 + h * 10 + w + k);
        float[] x = new float[g.xSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 11 == 0 ? -0f : i % 13 == 0 ? 1f : i % 17 == 0 ? Float.NaN : i % 19 == 0
                    ? Float.NEGATIVE_INFINITY : (float) r.nextGaussian();
        }
        int ckk = c * k * k;
        int n0 = n > 2 ? 1 : 0;
        int gn = n - n0;
        int rows = ckk * gn * h * w;
        int extra = 40;
        Threads.with(threads, () -> {
            float[] colRows = new float[5 + rows + extra];
            float[] colVec = new float[5 + rows + extra];
            java.util.Arrays.fill(colRows, 7f);
            java.util.Arrays.fill(colVec, 7f);
            ConvIm2col.im2colRows(colRows, 5, x, g, n0, gn);
            ConvIm2col.im2colSame(colVec, 5, x, g, n0, gn);
            assertArrayEquals(colRows, colVec, "im2col " + g);

            float[] col = new float[5 + rows];
            for (int i = 0; i < col.length; i++) {
                col[i] = i % 7 == 0 ? -col[Math.max(0, i - 1)] : (float) r.nextGaussian();
            }
            float[] dxRows = new float[g.xSize()];
            float[] dxVec = new float[g.xSize()];
            java.util.Arrays.fill(dxRows, 3f);
            java.util.Arrays.fill(dxVec, 3f);
            ConvIm2col.col2imRows(dxRows, col, 5, g, n0, gn);
            ConvIm2col.col2imSame(dxVec, col, 5, g, n0, gn);
            for (int i = 0; i < dxRows.length; i++) {
                assertTrue(Float.floatToRawIntBits(dxRows[i]) == Float.floatToRawIntBits(dxVec[i]),
                        "col2im " + g + " at " + i + ": " + dxVec[i] + " instead of " + dxRows[i]);
            }
        });
    }
}
