package dev.mtdtl.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * GemmKernel.tileRows and tileCols (op(A) read in place) give the bits of GemmKernel.tile on the packed panel; the
 * 4-row kernels (MR at 8 lanes on JDK 21+) give the bits of the 6-row ones' first four rows, whichever MR this JVM
 * takes.
 */
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
            int row0 = 2;                                     // op(A)'s MR rows: rows 2.. of a
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
            int col = 11;                                     // op(A)'s MR rows: columns 11..
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

    @Test
    void fourRowKernelsGiveTheSixRowKernelsFirstRows() {
        int nr = GemmKernel.NR;
        SplittableRandom r = new SplittableRandom(9);
        for (int kc : new int[]{1, 7, 200, GemmKernel.KC}) {
            int lda = kc + 9;                                 // A: 6 rows of a row-major (6 + kc, lda) matrix
            float[] a = new float[(6 + kc) * lda];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
            }
            float[] w = new float[kc * 6 + kc * 4 + kc * nr + 6 * nr + 4 * nr];
            int a4 = kc * 6;                                  // the same rows 0..3 as a 4-row panel
            int bp = a4 + kc * 4;
            int t6 = bp + kc * nr;
            int t4 = t6 + 6 * nr;
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < 6; i++) {
                    w[p * 6 + i] = a[i * lda + p];
                    if (i < 4) {
                        w[a4 + p * 4 + i] = a[i * lda + p];
                    }
                }
                for (int j = 0; j < nr; j++) {
                    w[bp + p * nr + j] = (float) r.nextGaussian();
                }
            }
            Gemm.kernel6(kc, w, 0, bp, t6);
            Gemm.kernel4(kc, w, a4, bp, t4);
            float[] rows6 = new float[6 * nr];
            float[] rows4 = new float[4 * nr];
            GemmKernel.rows6(kc, a, 0, lda, w, bp, rows6, 0);
            GemmKernel.rows4(kc, a, 0, lda, w, bp, rows4, 0);
            int ldt = 11;                                     // the same rows stored transposed: at[p][3 + r]
            float[] at = new float[kc * ldt];
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < 6; i++) {
                    at[p * ldt + 3 + i] = a[i * lda + p];
                }
            }
            float[] cols6 = new float[6 * nr];
            float[] cols4 = new float[4 * nr];
            GemmKernel.cols6(kc, at, 3, ldt, w, bp, cols6, 0);
            GemmKernel.cols4(kc, at, 3, ldt, w, bp, cols4, 0);
            for (int i = 0; i < 4 * nr; i++) {
                String where = "kc " + kc + ", tile element " + i;
                int bits = Float.floatToRawIntBits(w[t6 + i]);
                assertEquals(bits, Float.floatToRawIntBits(w[t4 + i]), "packed, " + where);
                assertEquals(bits, Float.floatToRawIntBits(rows6[i]), "rows in place (6), " + where);
                assertEquals(bits, Float.floatToRawIntBits(rows4[i]), "rows in place (4), " + where);
                assertEquals(bits, Float.floatToRawIntBits(cols6[i]), "columns in place (6), " + where);
                assertEquals(bits, Float.floatToRawIntBits(cols4[i]), "columns in place (4), " + where);
            }
            for (int i = 4 * nr; i < 6 * nr; i++) {           // the 6-row kernels' last two rows, whichever MR runs
                String where = "kc " + kc + ", tile element " + i;
                int bits = Float.floatToRawIntBits(w[t6 + i]);
                assertEquals(bits, Float.floatToRawIntBits(rows6[i]), "rows in place (6), " + where);
                assertEquals(bits, Float.floatToRawIntBits(cols6[i]), "columns in place (6), " + where);
            }
        }
    }
}
