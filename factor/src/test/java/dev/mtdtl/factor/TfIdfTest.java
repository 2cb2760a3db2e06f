package dev.mtdtl.factor;

import dev.mtdtl.tensor.io.Npy;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fixture family {@code tfidf} (sklearn TfidfTransformer, 30 x 40, one empty document, one df=0 term). */
class TfIdfTest {

    private static Csr counts() {
        Npy.Array a = Fixtures.npy("tfidf/counts.npy");
        return Csr.fromDense(a.values(), a.shape()[0], a.shape()[1]);
    }

    @Test
    void idfMatchesSklearn() {
        Close.assertRelL2(Fixtures.f64("tfidf/idf_f64.npy"), TfIdf.idf(counts()), 1e-5, "idf");
    }

    @Test
    void l2MatchesSklearn() {
        Csr t = TfIdf.transform(counts(), TfIdf.Norm.L2);
        Close.assertRelL2(Fixtures.f64("tfidf/tfidf_l2_f64.npy"), t.toDense(), 1e-5, "tfidf_l2");
        // The empty document (row 16) stays empty.
        assertEquals(t.indptr[16], t.indptr[17]);
    }

    @Test
    void normNoneMatchesSklearn() {
        Csr t = TfIdf.transform(counts(), TfIdf.Norm.NONE);
        Close.assertRelL2(Fixtures.f64("tfidf/tfidf_norm_none_f64.npy"), t.toDense(), 1e-5, "tfidf_norm_none");
    }
}
