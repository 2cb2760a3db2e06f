package dev.mtdtl.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** GemmKernel.tileRows and tileCols (op(A) read in place) give the bits of GemmKernel.tile on the packed panel. */
class GemmKernelTest {

    @Test
    void tileRowsMatchesThePackedKernelBitForBit() {
        int mr = GemmKernel.MR;
        int nr = GemmKernel.NR;
        SplittableRandom r = new SplittableRandom(7);
        for (int kc : new int[]{1, 10, 200, GemmKernel.KC}) {
            int lda = kc + 13;                                // rows of a wider row-major matrix
            float[] a = new float[9 * lda];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
            }
            int row0 = 2;                                     // op(A)'s six rows: rows 2..7 of a
            int off = 5;                                      // a K-block offset inside each row
            float[] w = new float[kc * mr + kc * nr + 2 * mr * nr];
            int bp = kc * mr;
            int t = bp + kc * nr;
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < mr; i++) {
                    w[p * mr + i] = a[(row0 + i) * lda + off + p];   // the packed op(A) panel, [p][r]
                }
                for (int j = 0; j < nr; j++) {
                    w[bp + p * nr + j] = (float) r.nextGaussian();
                }
            }
            GemmKernel.tile(kc, w, 0, bp, t);
            float[] out = new float[mr * nr + 3];
            GemmKernel.tileRows(kc, a, row0 * lda + off, lda, w, bp, out, 3);
            for (int i = 0; i < mr * nr; i++) {
                assertEquals(Float.floatToRawIntBits(w[t + i]), Float.floatToRawIntBits(out[3 + i]),
                        "kc " + kc + ", tile element " + i);
            }
        }
    }

    @Test
    void tileColsMatchesThePackedKernelBitForBit() {
        int mr = GemmKernel.MR;
        int nr = GemmKernel.NR;
        SplittableRandom r = new SplittableRandom(8);
        for (int kc : new int[]{1, 10, 200, GemmKernel.KC}) {
            int lda = 23;                                     // A is (kc + 2, lda) row-major; op(A) = its columns
            int col = 11;                                     // op(A)'s six rows: columns 11..16
            int row0 = 2;                                     // depth starts at A's row 2 (a K-block offset)
            float[] a = new float[(kc + row0) * lda];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
            }
            float[] w = new float[kc * mr + kc * nr + mr * nr];
            int bp = kc * mr;
            int t = bp + kc * nr;
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < mr; i++) {
                    w[p * mr + i] = a[(row0 + p) * lda + col + i];
                }
                for (int j = 0; j < nr; j++) {
                    w[bp + p * nr + j] = (float) r.nextGaussian();
                }
            }
            GemmKernel.tile(kc, w, 0, bp, t);
            float[] out = new float[mr * nr];
            GemmKernel.tileCols(kc, a, row0 * lda + col, lda, w, bp, out, 0);
            for (int i = 0; i < mr * nr; i++) {
                assertEquals(Float.floatToRawIntBits(w[t + i]), Float.floatToRawIntBits(out[i]),
                        "kc " + kc + ", tile element " + i);
            }
        }
    }
}
