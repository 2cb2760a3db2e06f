package dev.mtdtl.factor;

import java.util.Arrays;

/**
 * A sparse matrix in compressed sparse row form (the scipy.sparse.csr_matrix layout), float64 values.
 *
 * <p>Letters: R rows (documents, users), C columns (terms, items), N stored entries. Row {@code r} holds
 * entries {@code indptr[r] .. indptr[r+1]-1}; within a row the column indices are strictly increasing
 * (canonical form: no duplicates, sorted). Explicit zeros are allowed by the layout but never produced by
 * {@link #fromTriplets}, which sums duplicates (as scipy's COO to CSR conversion does) and then drops
 * entries whose sum is 0, so "stored" and "nonzero" mean the same thing for every matrix built here.
 *
 * <p>Immutable by convention: the arrays are exposed for speed (hot loops index them directly) and must
 * not be written by callers. Omitted: arithmetic beyond what the factor models need, int64 sizes.
 */
public final class Csr {

    /** Number of rows R and columns C. */
    public final int rows, cols;
    /** (R+1) row starts into {@link #indices}/{@link #values}. */
    public final int[] indptr;
    /** (N) column index of each stored entry, increasing within a row. */
    public final int[] indices;
    /** (N) value of each stored entry. */
    public final double[] values;

    /** Wrap canonical CSR arrays (checked: sizes, bounds, sorted unique columns, finite values). */
    public Csr(int rows, int cols, int[] indptr, int[] indices, double[] values) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        if (indptr.length != rows + 1 || indptr[0] != 0) {
            throw new IllegalArgumentException("indptr must have rows+1 = " + (rows + 1) + " entries starting at 0");
        }
        int nnz = indptr[rows];
        if (indices.length != nnz || values.length != nnz) {
            throw new IllegalArgumentException("indices/values must have indptr[rows] = " + nnz + " entries, got "
                    + indices.length + "/" + values.length);
        }
        for (int r = 0; r < rows; r++) {
            if (indptr[r + 1] < indptr[r]) {
                throw new IllegalArgumentException("indptr decreases at row " + r);
            }
            for (int j = indptr[r]; j < indptr[r + 1]; j++) {
                int c = indices[j];
                if (c < 0 || c >= cols || (j > indptr[r] && c <= indices[j - 1])) {
                    throw new IllegalArgumentException("row " + r + ": column indices must be in [0," + cols
                            + ") and strictly increasing (entry " + j + " has " + c + ")");
                }
                if (!Double.isFinite(values[j])) {
                    throw new IllegalArgumentException("row " + r + ", column " + c + ": value " + values[j]);
                }
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.indptr = indptr;
        this.indices = indices;
        this.values = values;
    }

    /** Number of stored entries N. */
    public int nnz() {
        return indptr[rows];
    }

    /**
     * Build from coordinate triplets (any order): duplicates are summed in input order, entries whose sum
     * is exactly 0 are dropped. The arrays are not modified.
     */
    public static Csr fromTriplets(int rows, int cols, int[] r, int[] c, double[] v, int n) {
        // Counting sort by row, stable, then sort each row by column (insertion sort is fine for the short
        // rows of label matrices; long rows fall back to a sort of packed (column, position) keys).
        int[] count = new int[rows + 1];
        for (int k = 0; k < n; k++) {
            if (r[k] < 0 || r[k] >= rows || c[k] < 0 || c[k] >= cols) {
                throw new IllegalArgumentException("triplet " + k + " (" + r[k] + "," + c[k] + ") outside "
                        + rows + "x" + cols);
            }
            count[r[k] + 1]++;
        }
        for (int i = 0; i < rows; i++) {
            count[i + 1] += count[i];
        }
        int[] pos = count.clone();
        long[] key = new long[n];   // (column << 32 | input position) for the in-row sort; stable on ties
        for (int k = 0; k < n; k++) {
            key[pos[r[k]]++] = ((long) c[k] << 32) | k;
        }
        // Two passes over the sorted rows: the first sorts each row and counts its entries after duplicates are summed
        // and zeros dropped, the second writes them into arrays of exactly that size. One pass into arrays of n
        // trimmed afterwards held both copies at once: 580 MB more at the Taste Profile's 48 M entries, the peak of
        // prepare's memory.
        int[] ptr = new int[rows + 1];
        int[] idx = null;
        double[] val = null;
        for (int pass = 0; pass < 2; pass++) {
            int out = 0;
            for (int i = 0; i < rows; i++) {
                if (pass == 0) {
                    Arrays.sort(key, count[i], count[i + 1]);
                }
                ptr[i] = out;
                for (int j = count[i]; j < count[i + 1]; ) {
                    int col = (int) (key[j] >>> 32);
                    double sum = 0;
                    for (; j < count[i + 1] && (int) (key[j] >>> 32) == col; j++) {
                        sum += v[(int) key[j]];
                    }
                    if (sum != 0) {
                        if (pass == 1) {
                            idx[out] = col;
                            val[out] = sum;
                        }
                        out++;
                    }
                }
            }
            ptr[rows] = out;
            if (pass == 0) {
                idx = new int[out];
                val = new double[out];
            }
        }
        return new Csr(rows, cols, ptr, idx, val);
    }

    /** Dense row-major (R, C) array to CSR, dropping zeros. */
    public static Csr fromDense(double[] a, int rows, int cols) {
        if (a.length != (long) rows * cols) {
            throw new IllegalArgumentException("dense array has " + a.length + " values, not " + rows + "x" + cols);
        }
        int nnz = 0;
        for (double x : a) {
            if (x != 0) {
                nnz++;
            }
        }
        int[] ptr = new int[rows + 1];
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double x = a[i * cols + j];
                if (x != 0) {
                    idx[k] = j;
                    val[k++] = x;
                }
            }
            ptr[i + 1] = k;
        }
        return new Csr(rows, cols, ptr, idx, val);
    }

    /** Dense row-major (R, C) copy. */
    public double[] toDense() {
        double[] a = new double[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < rows; i++) {
            for (int j = indptr[i]; j < indptr[i + 1]; j++) {
                a[i * cols + indices[j]] = values[j];
            }
        }
        return a;
    }

    /** Same pattern, new values (length N). */
    public Csr withValues(double[] newValues) {
        return new Csr(rows, cols, indptr, indices, newValues);
    }

    /**
     * The same shape with every entry of the columns marked in {@code drop} (C) removed: e.g. the
     * training matrix of a recommendation split, whose held-out items keep their columns but no entries.
     */
    public Csr dropColumns(boolean[] drop) {
        if (drop.length != cols) {
            throw new IllegalArgumentException("mask has " + drop.length + " entries, matrix has " + cols + " columns");
        }
        int[] ptr = new int[rows + 1];
        int n = 0;
        for (int j = 0; j < nnz(); j++) {
            n += drop[indices[j]] ? 0 : 1;
        }
        int[] idx = new int[n];
        double[] val = new double[n];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = indptr[i]; j < indptr[i + 1]; j++) {
                if (!drop[indices[j]]) {
                    idx[k] = indices[j];
                    val[k++] = values[j];
                }
            }
            ptr[i + 1] = k;
        }
        return new Csr(rows, cols, ptr, idx, val);
    }

    /** Sum of each row (R). */
    public double[] rowSums() {
        double[] s = new double[rows];
        for (int i = 0; i < rows; i++) {
            double t = 0;
            for (int j = indptr[i]; j < indptr[i + 1]; j++) {
                t += values[j];
            }
            s[i] = t;
        }
        return s;
    }

    /** Sum of each column (C), accumulated in row order. */
    public double[] colSums() {
        double[] s = new double[cols];
        for (int j = 0; j < nnz(); j++) {
            s[indices[j]] += values[j];
        }
        return s;
    }

    /**
     * The transpose in CSR form (= this matrix in CSC form), with {@code perm[k]} = the position in this
     * matrix of the transpose's entry k, so that per-entry arrays computed in row order can be read in
     * column order without copying values. Rows of the transpose list the original rows in increasing order.
     */
    public Transposed transpose() {
        Pattern t = transposedPattern();
        double[] val = new double[t.perm().length];
        for (int k = 0; k < val.length; k++) {
            val[k] = values[t.perm()[k]];
        }
        return new Transposed(new Csr(cols, rows, t.indptr(), t.indices(), val), t.perm());
    }

    /**
     * {@link #transpose} without its values (the row pointers, column indices and {@code perm} of the transpose):
     * for a caller that reads per-entry arrays of its own through {@code perm} (pLSA's two-pass EM), which saves
     * 8 bytes an entry (387 MB for the Taste Profile's 48 M).
     */
    public Pattern transposedPattern() {
        int n = nnz();
        int[] ptr = new int[cols + 1];
        for (int j = 0; j < n; j++) {
            ptr[indices[j] + 1]++;
        }
        for (int c = 0; c < cols; c++) {
            ptr[c + 1] += ptr[c];
        }
        int[] next = Arrays.copyOf(ptr, cols);
        int[] idx = new int[n];
        int[] perm = new int[n];
        for (int i = 0; i < rows; i++) {
            for (int j = indptr[i]; j < indptr[i + 1]; j++) {
                int k = next[indices[j]]++;
                idx[k] = i;
                perm[k] = j;
            }
        }
        return new Pattern(ptr, idx, perm);
    }

    /** The structure of a transpose: (cols + 1) row pointers, (nnz) column indices, (nnz) positions in this matrix. */
    public record Pattern(int[] indptr, int[] indices, int[] perm) {}

    /** A transpose and the map from its entries back to the original's entries. */
    public record Transposed(Csr matrix, int[] perm) {}

    @Override
    public String toString() {
        return "Csr(" + rows + "x" + cols + ", nnz=" + nnz() + ")";
    }
}
