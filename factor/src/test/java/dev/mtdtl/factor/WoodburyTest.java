package dev.mtdtl.factor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Woodbury path of the ALS rows against the r x r normal equations solved directly. */
class WoodburyTest {

    @Test
    void matchesTheDirectSolveIncludingAZeroWeightEntry() {
        int k = 12;
        int fRows = 40;
        int rows = 6;
        SplittableRandom g = new SplittableRandom(3);
        double[] f = new double[fRows * k];
        for (int i = 0; i < f.length; i++) {
            f[i] = 0.3 * g.nextGaussian();
        }
        double[] y = new double[rows * k];
        for (int i = 0; i < y.length; i++) {
            y[i] = g.nextGaussian();
        }
        // Rows with 1..5 entries (< k/2); row 5 holds an explicit zero count (weight 0: right-hand side only).
        int[] indptr = {0, 1, 3, 6, 10, 15, 18};
        int[] indices = {4, 0, 39, 1, 2, 3, 5, 9, 17, 33, 6, 7, 8, 20, 21, 10, 11, 12};
        double[] values = {3, 1, 5, 2, 2, 2, 1, 4, 1, 9, 1, 2, 3, 4, 5, 2, 0, 7};
        Csr a = new Csr(rows, fRows, indptr, indices, values);
        double lambda = 0.05;
        double alpha = 0.7;
        double pull = 0.4;
        double[] gram = Wmf.gram(f, fRows, k);
        Woodbury w = Woodbury.prepare(gram, lambda, f, fRows, y, rows, k);
        double[] out = new double[rows * k];
        Woodbury.Work work = new Woodbury.Work(k);
        for (int row = 0; row < rows; row++) {
            assertTrue(Woodbury.applies(indptr[row + 1] - indptr[row], k));
            assertTrue(w.solve(out, a, row, f, alpha, pull, work));
            double[] m = new double[k * k];
            double[] b = new double[k];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j <= i; j++) {
                    m[i * k + j] = gram[i * k + j] + (i == j ? lambda : 0);
                }
                b[i] = pull * y[row * k + i];
            }
            for (int e = indptr[row]; e < indptr[row + 1]; e++) {
                double d = alpha * values[e];
                int fo = indices[e] * k;
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j <= i; j++) {
                        m[i * k + j] += d * f[fo + i] * f[fo + j];
                    }
                    b[i] += (1 + d) * f[fo + i];
                }
            }
            assertTrue(Linalg.cholesky(m, k));
            Linalg.cholSolve(m, k, b, 0);
            for (int i = 0; i < k; i++) {
                assertEquals(b[i], out[row * k + i], 1e-11 * (1 + Math.abs(b[i])), "row " + row + ", factor " + i);
            }
        }
    }

    @Test
    void onlyShortRowsAndOnlyWhenTheSharedProductsPay() {
        assertTrue(Woodbury.applies(1, 50));
        assertTrue(Woodbury.applies(24, 50));
        assertFalse(Woodbury.applies(25, 50));
        assertFalse(Woodbury.applies(0, 50));
        // One short row against 10,000 rows of the other side: Z = F P would cost more than it saves.
        Csr one = new Csr(1, 10_000, new int[] {0, 2}, new int[] {3, 4}, new double[] {1, 1});
        assertFalse(Woodbury.worthIt(one, 10_000, 50));
        int[] ptr = new int[1001];
        int[] idx = new int[2000];
        for (int r = 0; r < 1000; r++) {
            ptr[r + 1] = 2 * r + 2;
            idx[2 * r] = r % 99;
            idx[2 * r + 1] = 99;
        }
        assertTrue(Woodbury.worthIt(new Csr(1000, 100, ptr, idx, new double[2000]), 100, 50));
    }
}
