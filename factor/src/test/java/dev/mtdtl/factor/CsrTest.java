package dev.mtdtl.factor;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Building from triplets (duplicates summed in input order, exact zeros dropped) and the transpose's structure. */
class CsrTest {

    @Test
    void tripletsAreSummedInInputOrderAndExactZerosDropped() {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 40;
        int cols = 30;
        int n = 2000;   // many duplicates at this density, some summing to exactly 0
        int[] ri = new int[n];
        int[] ci = new int[n];
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            ri[k] = r.nextInt(rows);
            ci[k] = r.nextInt(cols);
            v[k] = r.nextInt(5) == 0 ? 0 : r.nextDouble() - 0.3;
        }
        ri[7] = ri[8];
        ci[7] = ci[8];
        v[7] = 0.5;
        v[8] = -0.5;   // a pair that sums to 0 unless others join it; either way the reference decides
        // the reference: per (row, column) the sum in input order, kept when it is not exactly 0
        Map<Long, Double> ref = new TreeMap<>();
        for (int k = 0; k < n; k++) {
            ref.merge((long) ri[k] * cols + ci[k], v[k], Double::sum);
        }
        ref.values().removeIf(x -> x == 0);
        Csr m = Csr.fromTriplets(rows, cols, ri, ci, v, n);
        assertEquals(ref.size(), m.nnz());
        assertEquals(ref.size(), m.indices.length, "arrays of exactly nnz entries");
        int k = 0;
        for (Map.Entry<Long, Double> e : ref.entrySet()) {
            int row = (int) (e.getKey() / cols);
            assertEquals(e.getKey() % cols, m.indices[k]);
            assertEquals(e.getValue(), m.values[k]);   // bit for bit: the same additions in the same order
            assertEquals(true, m.indptr[row] <= k && k < m.indptr[row + 1]);
            k++;
        }
        Csr.Transposed t = m.transpose();
        Csr.Pattern p = m.transposedPattern();
        assertArrayEquals(t.matrix().indptr, p.indptr());
        assertArrayEquals(t.matrix().indices, p.indices());
        assertArrayEquals(t.perm(), p.perm());
        for (int j = 0; j < p.perm().length; j++) {
            assertEquals(m.values[p.perm()[j]], t.matrix().values[j]);
        }
    }
}
