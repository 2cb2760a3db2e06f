package dev.mtdtl.cli;

import dev.mtdtl.tensor.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FactorCommandTest {

    @TempDir
    Path tmp;

    @Test
    void plsaTfidfAndGmmWriteTheirOutputs() throws Exception {
        StringBuilder sb = new StringBuilder("track\ttag\tcount\n");
        for (int d = 0; d < 12; d++) {
            for (int w = 0; w < 8; w++) {
                if ((d + w) % 3 != 0) {
                    sb.append("t").append(d).append('\t').append("w").append(w).append('\t').append(1 + (d * w) % 5).append('\n');
                }
            }
        }
        Path tri = tmp.resolve("tags.tsv");
        Files.writeString(tri, sb);
        assertEquals(0, Main.run("factor", "plsa", "--in", tri.toString(), "--out", tmp.resolve("p").toString(),
                "--topics", "3", "--iterations", "20"));
        Npy.Array z = Npy.read(tmp.resolve("p/doc_topic.npy"));
        assertArrayEquals(new int[]{12, 3}, z.shape());
        for (int d = 0; d < 12; d++) {
            double s = z.values()[3 * d] + z.values()[3 * d + 1] + z.values()[3 * d + 2];
            assertEquals(1.0, s, 1e-5, "row " + d + " is a distribution");
        }
        assertEquals(12, Files.readAllLines(tmp.resolve("p/row_ids.txt")).size());
        // run again over what a killed run left (a temporary), and beside a second writer of the folder
        Files.writeString(tmp.resolve("p/.doc_topic.npy.1f2e.tmp"), "half written");
        assertEquals(0, Main.run("factor", "plsa", "--in", tri.toString(), "--out", tmp.resolve("p").toString(),
                "--topics", "3", "--iterations", "20"));
        assertTrue(!Files.exists(tmp.resolve("p/.doc_topic.npy.1f2e.tmp")), "the killed run's temporary is gone");
        try (dev.mtdtl.tensor.io.OutputLock held = dev.mtdtl.tensor.io.OutputLock.folder(tmp.resolve("p"))) {
            assertEquals(1, Main.run("factor", "plsa", "--in", tri.toString(), "--out", tmp.resolve("p").toString()));
        }

        assertEquals(0, Main.run("factor", "tfidf", "--in", tri.toString(), "--out", tmp.resolve("t").toString()));
        assertTrue(Files.list(tmp.resolve("t")).findAny().isPresent());

        StringBuilder v = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            v.append("t").append(i).append('\t').append(i % 2 == 0 ? 90 + (i % 7) : 150 + (i % 5)).append('\n');
        }
        Path vals = tmp.resolve("bpm.tsv");
        Files.writeString(vals, v);
        assertEquals(0, Main.run("factor", "gmm", "--in", vals.toString(), "--out", tmp.resolve("g").toString(),
                "--components", "2"));
    }

    @Test
    void malformedLineFailsWithFileAndLine() throws Exception {
        Path tri = tmp.resolve("bad.tsv");
        Files.writeString(tri, "a\tb\t1\nc\td\n");
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.run("factor", "plsa", "--in", tri.toString(), "--out", tmp.resolve("o").toString());
        } finally {
            System.setErr(old);
        }
        String msg = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, rc);
        assertTrue(msg.contains("bad.tsv:2"), msg);
    }
}
