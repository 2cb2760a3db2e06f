package dev.mtdtl.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TSV tables and the corpus manifest: round trip and errors that name file and line. */
class TsvTest {

    @Test
    void roundTrip(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a/t.tsv");
        Tsv.write(f, new String[]{"track_id", "tag", "intensity"},
                List.of(new String[]{"T1", "seen live", "100"}, new String[]{"T2", "rock", "0"}));
        Tsv.Table t = Tsv.read(f);
        assertArrayEquals(new String[]{"track_id", "tag", "intensity"}, t.header());
        assertEquals(2, t.rows().size());
        assertEquals("seen live", t.rows().get(0)[t.column("tag")]);
        assertThrows(IllegalArgumentException.class, () -> t.column("nope"));
    }

    @Test
    void errorsNameFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.tsv");
        Files.writeString(f, "a\tb\n1\t2\n3\n");
        IOException e = assertThrows(IOException.class, () -> Tsv.read(f));
        assertTrue(e.getMessage().contains("bad.tsv:3"), e.getMessage());
        assertThrows(IOException.class, () -> Tsv.write(dir.resolve("x.tsv"), new String[]{"a"},
                List.<String[]>of(new String[]{"tab\there"})));
    }

    @Test
    void manifestChecksFormatAndVersion(@TempDir Path dir) throws IOException {
        assertThrows(IOException.class, () -> CorpusManifest.read(dir));
        CorpusManifest.write(dir, Map.of("format", "other", "version", 1));
        assertTrue(assertThrows(IOException.class, () -> CorpusManifest.read(dir)).getMessage().contains("format"));
        CorpusManifest.write(dir, Map.of("format", CorpusManifest.FORMAT, "version", 1, "sample_rate", 22050,
                "learning", Map.of(), "targets", Map.of()));
        assertEquals(22050L, ((Number) CorpusManifest.read(dir).get("sample_rate")).longValue());
    }
}
