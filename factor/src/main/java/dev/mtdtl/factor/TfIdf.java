package dev.mtdtl.factor;

/**
 * TF-IDF weighting of a document x term count matrix, with scikit-learn's {@code TfidfTransformer}
 * semantics (the lyrics source, digest section 2: the defaults smooth_idf=True, norm='l2',
 * sublinear_tf=False, use_idf=True).
 *
 * <p>Letters: D documents (rows), T terms (columns).
 * <pre>
 *   df(t)       = number of documents with a stored (nonzero) entry in column t
 *   idf(t)      = ln((1 + D) / (1 + df(t))) + 1           smooth idf: as if one extra document held every term
 *   raw[d,t]    = count[d,t] * idf(t)                     tf = the raw count
 *   l2[d,:]     = raw[d,:] / ||raw[d,:]||_2                an all-zero row stays all zero
 * </pre>
 * Omitted: sublinear_tf (1 + ln tf), use_idf=False, smooth_idf=False and the l1 norm, which the
 * reference never uses.
 */
public final class TfIdf {

    private TfIdf() {}

    /** Row normalisation after the idf weighting. */
    public enum Norm { L2, NONE }

    /** Smooth idf (T) of a count matrix: {@code ln((1+D)/(1+df)) + 1}. */
    public static double[] idf(Csr counts) {
        int[] df = new int[counts.cols];
        for (int j = 0; j < counts.nnz(); j++) {
            df[counts.indices[j]]++;
        }
        double[] idf = new double[counts.cols];
        double n1 = 1.0 + counts.rows;
        for (int t = 0; t < idf.length; t++) {
            idf[t] = StrictMath.log(n1 / (1.0 + df[t])) + 1.0;
        }
        return idf;
    }

    /** The tf-idf matrix: same sparsity pattern as {@code counts}. */
    public static Csr transform(Csr counts, Norm norm) {
        return transform(counts, idf(counts), norm);
    }

    /** The tf-idf matrix with a given idf (T), e.g. one fitted on other documents. */
    public static Csr transform(Csr counts, double[] idf, Norm norm) {
        if (idf.length != counts.cols) {
            throw new IllegalArgumentException("idf has " + idf.length + " entries, matrix has " + counts.cols + " columns");
        }
        double[] v = new double[counts.nnz()];
        for (int d = 0; d < counts.rows; d++) {
            int lo = counts.indptr[d];
            int hi = counts.indptr[d + 1];
            double ss = 0;
            for (int j = lo; j < hi; j++) {
                double x = counts.values[j] * idf[counts.indices[j]];
                v[j] = x;
                ss += x * x;
            }
            if (norm == Norm.L2 && ss > 0) {
                double nrm = Math.sqrt(ss);   // divide (not multiply by 1/nrm), as sklearn's normalize does
                for (int j = lo; j < hi; j++) {
                    v[j] /= nrm;
                }
            }
        }
        return counts.withValues(v);
    }
}
