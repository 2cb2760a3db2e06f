package dev.mtdtl.data.prepare;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest's learning sources are checked before use: a source without its {@code file}, or with a field of the
 * wrong type, is an IOException naming manifest.json and the field (the fuzzing suite found a manifest without a
 * source's {@code file} line ending in a NullPointerException, an internal error).
 */
class LearningSourceSpecTest {

    @TempDir
    Path tmp;

    private IOException build(Map<String, Object> sources) {
        return assertThrows(IOException.class, () -> LearningTargets.build(tmp, sources, List.of("t1", "t2"),
                tmp.resolve("out"), 2, 3, 0, 1, m -> { }));
    }

    private static Map<String, Object> source(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The triplet arrays' capacity: one entry a line at most, a last line without its newline counted. */
    @Test
    void linesAreCountedWithOrWithoutAFinalNewline() throws IOException {
        Path f = tmp.resolve("t.tsv");
        for (String[] c : new String[][] {{"", "0"}, {"h", "1"}, {"h\n", "1"}, {"h\na\tb\n", "2"}, {"h\na\tb", "2"},
            {"h\n\n\n", "3"}}) {
            java.nio.file.Files.writeString(f, c[0]);
            org.junit.jupiter.api.Assertions.assertEquals(Long.parseLong(c[1]), SourceTable.lineCount(f), c[0]);
        }
    }

    /** A long EM fit says how far it is (the last iteration is the source's own summary line). */
    @Test
    void emProgressLinesNameTheSourceTheIterationAndWhatIsLeft() {
        List<String> lines = new java.util.ArrayList<>();
        dev.mtdtl.factor.Plsa.Progress p = LearningTargets.progress("taste", "plsa", lines::add, 0);
        p.iteration(0, 3, Double.NaN);
        p.iteration(1, 3, -1234.5);
        p.iteration(2, 3, -1200.25);
        p.iteration(3, 3, -1190.0);
        assertTrue(lines.size() == 2 && lines.get(0).startsWith("target taste (plsa): EM iteration 1 of 3, "
                + "log-likelihood -1234.50, ") && lines.get(1).contains("EM iteration 2 of 3")
                && lines.get(1).contains("s an iteration, about "), lines.toString());
        List<String> quiet = new java.util.ArrayList<>();
        dev.mtdtl.factor.Plsa.Progress q = LearningTargets.progress("tag", "plsa", quiet::add, 3600);
        q.iteration(1, 3, -1.0);
        assertTrue(quiet.isEmpty(), quiet.toString());
    }

    @Test
    void missingOrMistypedFieldsAreNamed() {
        String mf = tmp.resolve("manifest.json").toString();
        IOException e = build(Map.of("tag", source("model", "plsa", "track_column", "track_id", "term_column", "tag")));
        assertTrue(e.getMessage().startsWith(mf + ": learning.sources.tag has no 'file'"), e.getMessage());
        e = build(Map.of("bpm", source("model", "gmm", "file", "bpm.tsv", "track_column", "track_id")));
        assertTrue(e.getMessage().contains("learning.sources.bpm has no 'value_column'"), e.getMessage());
        e = build(Map.of("tag", source("model", "plsa", "file", 7.0, "track_column", "track_id", "term_column", "t")));
        assertTrue(e.getMessage().contains("learning.sources.tag.file is not a string"), e.getMessage());
        e = build(Map.of("tag", "plsa"));
        assertTrue(e.getMessage().contains("learning.sources.tag is not an object"), e.getMessage());
        e = build(Map.of("tag", source("model", 3.0)));
        assertTrue(e.getMessage().contains("learning.sources.tag.model is not a string"), e.getMessage());
        // The artist source's tags_from source is checked too, whichever comes first.
        Map<String, Object> both = new LinkedHashMap<>();
        both.put("artist", source("model", "artist-tag-plsa", "file", "artist.tsv", "track_column", "track_id",
                "term_column", "artist_id"));
        both.put("tag", source("model", "plsa", "track_column", "track_id", "term_column", "tag"));
        e = build(both);
        assertTrue(e.getMessage().contains("learning.sources.tag has no 'file'"), e.getMessage());
    }
}
