package dev.mtdtl.factor;

import dev.mtdtl.factor.io.FactorOutputs;
import dev.mtdtl.factor.io.TripletReader;
import dev.mtdtl.tensor.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CLI pipeline end to end: triplets -> tfidf.tsv -> pLSA outputs; values -> GMM outputs. */
class FactorOutputsTest {

    @TempDir
    Path dir;

    @Test
    void tripletsThroughTfidfAndPlsa() throws IOException {
        Path in = dir.resolve("lyrics.tsv");
        Files.writeString(in, "track\tword\tcount\nA\tlove\t3\nA\tbaby\t1\nB\tlove\t1\nB\tfire\t4\nC\tfire\t2\nC\tbaby\t2\n");
        TripletReader.Labeled l = TripletReader.readTriplets(in);
        Csr t = TfIdf.transform(l.matrix(), TfIdf.Norm.L2);
        FactorOutputs.writeTfidf(dir.resolve("tf"), t, TfIdf.idf(l.matrix()), l.rowIds(), l.colIds());
        TripletReader.Labeled back = TripletReader.readTriplets(dir.resolve("tf/tfidf.tsv"));
        assertArrayEquals(t.toDense(), back.matrix().toDense(), 0.0);   // Double.toString round-trips

        Plsa.Result res = Plsa.fit(l.matrix(), Plsa.Options.defaults().withTopics(2).withIterations(10));
        FactorOutputs.writePlsa(dir.resolve("p"), res, l.rowIds(), l.colIds(), 2);
        Npy.Array z = Npy.read(dir.resolve("p/doc_topic.npy"));
        assertArrayEquals(new int[] {3, 2}, z.shape());
        assertEquals(List.of("A", "B", "C"), Files.readAllLines(dir.resolve("p/row_ids.txt")));
        assertEquals(5, Files.readAllLines(dir.resolve("p/top_terms.tsv")).size());
    }

    @Test
    void valuesThroughGmm() throws IOException {
        Path in = dir.resolve("year.tsv");
        StringBuilder sb = new StringBuilder("track\tyear\n");
        for (int i = 0; i < 200; i++) {
            sb.append("T").append(i).append('\t').append(1960 + (i * 7) % 50).append('\n');
        }
        Files.writeString(in, sb);
        TripletReader.Values v = TripletReader.readValues(in);
        Gmm1d.Fit f = Gmm1d.fit(v.values(), Gmm1d.Options.defaults().withComponents(4));
        FactorOutputs.writeGmm(dir.resolve("g"), f, v.values(), v.ids());
        assertArrayEquals(new int[] {200, 4}, Npy.read(dir.resolve("g/proba.npy")).shape());
        assertEquals(200, Files.readAllLines(dir.resolve("g/row_ids.txt")).size());
    }
}
