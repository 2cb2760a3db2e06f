package dev.mtdtl.factor;

import dev.mtdtl.factor.io.FormatException;
import dev.mtdtl.factor.io.TripletReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TripletReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsHeaderIdsAndSumsDuplicates() throws IOException {
        Path f = dir.resolve("t.tsv");
        Files.writeString(f, "track\ttag\tvalue\nT2\trock\t3\nT1\tpop\t1\n\nT2\tpop\t2\nT2\trock\t1.5\nT3\tpop\t0\n");
        TripletReader.Labeled l = TripletReader.readTriplets(f);
        assertEquals(List.of("T2", "T1", "T3"), l.rowIds());
        assertEquals(List.of("rock", "pop"), l.colIds());
        assertArrayEquals(new double[] {4.5, 2, 0, 1, 0, 0}, l.matrix().toDense(), 0.0);
        assertEquals(3, l.matrix().nnz());   // the explicit 0 of T3 is not stored, but T3 has a row
    }

    @Test
    void malformedLinesNameFileAndLine() throws IOException {
        Path f = dir.resolve("bad.tsv");
        Files.writeString(f, "a\tb\t1\na\tc\n");
        FormatException e = assertThrows(FormatException.class, () -> TripletReader.readTriplets(f));
        assertEquals(2, e.line);
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());

        Files.writeString(f, "a\tb\t1\na\tc\tx\n");
        e = assertThrows(FormatException.class, () -> TripletReader.readTriplets(f));
        assertTrue(e.getMessage().startsWith(f + ":2: value 'x'"), e.getMessage());

        Files.writeString(f, "a\tb\t1\n\ta\tNaN\n");
        e = assertThrows(FormatException.class, () -> TripletReader.readTriplets(f));
        assertEquals(2, e.line);
    }

    @Test
    void valueFilesWithAndWithoutIds() throws IOException {
        Path f = dir.resolve("v.tsv");
        Files.writeString(f, "year\n1999\n2001.5\n");
        TripletReader.Values v = TripletReader.readValues(f);
        assertArrayEquals(new double[] {1999, 2001.5}, v.values(), 0.0);
        assertEquals(List.of("0", "1"), v.ids());
        Files.writeString(f, "id\tbpm\nA\t120\nB\t90\n");
        v = TripletReader.readValues(f);
        assertEquals(List.of("A", "B"), v.ids());
        Files.writeString(f, "A\t120\nB\tfast\n");
        FormatException e = assertThrows(FormatException.class, () -> TripletReader.readValues(f));
        assertEquals(2, e.line);
    }

    /** A file cut to its header (found by the fuzzing suite): refused with the file named, not "no values to fit". */
    @Test
    void filesWithoutDataLinesAreRefusedNamingTheFile() throws IOException {
        Path v = dir.resolve("values.tsv");
        Path t = dir.resolve("triplets.tsv");
        for (String text : new String[] {"", "\n\n", "id\tbpm\n"}) {
            Files.writeString(v, text);
            FormatException e = assertThrows(FormatException.class, () -> TripletReader.readValues(v));
            assertTrue(e.getMessage().startsWith(v + ":"), e.getMessage());
        }
        for (String text : new String[] {"", "user\titem\tplays\n"}) {
            Files.writeString(t, text);
            FormatException e = assertThrows(FormatException.class, () -> TripletReader.readTriplets(t));
            assertTrue(e.getMessage().contains("no data lines"), e.getMessage());
        }
    }

    /** Counts for pLSA and TF-IDF: a negative one names its line (a fuzz seed found pLSA's own error, no file). */
    @Test
    void negativeCountsAreRefusedNamingTheLine() throws IOException {
        Path t = dir.resolve("counts.tsv");
        Files.writeString(t, "u1\ti1\t4\nu1\ti2\t-1\n");
        assertEquals(-1.0, TripletReader.readTriplets(t).matrix().values[1], 0.0);   // weights in general: allowed
        FormatException e = assertThrows(FormatException.class, () -> TripletReader.readCounts(t));
        assertEquals(2, e.line);
        assertTrue(e.getMessage().startsWith(t + ":2: value -1 is negative"), e.getMessage());
    }

    @Test
    void dropColumnsKeepsShape() {
        Csr m = Csr.fromDense(new double[] {1, 2, 0, 3, 0, 4}, 2, 3);
        Csr t = m.dropColumns(new boolean[] {false, true, false});
        assertEquals(3, t.cols);
        assertArrayEquals(new double[] {1, 0, 0, 3, 0, 4}, t.toDense(), 0.0);
    }
}
