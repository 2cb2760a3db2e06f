package dev.mtdtl.data.synth;

import dev.mtdtl.data.CorpusManifest;
import dev.mtdtl.data.Tsv;
import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.WavReader;
import dev.mtdtl.tensor.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The written corpus: layout and manifest, determinism across thread counts, resumption, refusals. */
class SynthCorpusTest {

    /** ~100 clips of 2 s (instrument 1 s): a few seconds to render. */
    static SynthConfig tiny(long seed) {
        return new SynthConfig(seed, 12, 2, 10, 1, 5, 1, 1, 5, 20, 3, List.of(), false);
    }

    @Test
    void layoutManifestAndAudio(@TempDir Path dir) throws Exception {
        SynthCorpus.Report r = SynthCorpus.generate(tiny(11), dir, s -> { });
        assertEquals(r.clips(), r.rendered());
        Map<String, Object> m = CorpusManifest.read(dir);
        assertEquals(22050L, ((Number) m.get("sample_rate")).longValue());
        // Every path named in the manifest exists.
        List<String> paths = new java.util.ArrayList<>();
        collectPaths(m, paths);
        assertTrue(paths.size() > 20, "manifest names its files");
        for (String p : paths) {
            assertTrue(Files.exists(dir.resolve(p)), "manifest names a missing file: " + p);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> targets = (Map<String, Object>) m.get("targets");
        assertEquals(Set.of("genre", "dance", "instrument", "emotion", "recsys"), targets.keySet());
        Set<String> learningArtists = artists(dir.resolve("learning/tracks.tsv"));
        for (String t : targets.keySet()) {
            Path td = dir.resolve("targets/" + t);
            Tsv.Table tracks = Tsv.read(td.resolve("tracks.tsv"));
            Set<String> ids = new HashSet<>();
            for (String[] row : tracks.rows()) {
                ids.add(row[0]);
                Audio a = WavReader.read(td.resolve(row[tracks.column("audio")]));
                assertEquals(2, a.channels());
                assertEquals(22050, a.sampleRate());
                assertEquals(Math.round(Double.parseDouble(row[tracks.column("seconds")]) * 22050), a.frames());
                assertTrue(rms(a) > 1e-3, row[0] + " is silent");
            }
            Set<String> ta = artists(td.resolve("tracks.tsv"));
            ta.retainAll(learningArtists);
            assertTrue(ta.isEmpty(), t + " shares artists with the learning corpus: " + ta);
            Tsv.Table split = Tsv.read(td.resolve("split.tsv"));
            assertEquals(ids.size(), split.rows().size());
            for (String[] row : split.rows()) {
                assertTrue(ids.contains(row[0]));
                assertTrue(Set.of("train", "valid", "test", "none").contains(row[1]), row[1]);
            }
            if (Files.exists(td.resolve("labels.tsv"))) {
                assertEquals(ids.size(), Tsv.read(td.resolve("labels.tsv")).rows().size());
            }
        }
        Tsv.Table plays = Tsv.read(dir.resolve("targets/recsys/plays.tsv"));
        assertFalse(plays.rows().isEmpty());
        assertTrue(Files.exists(dir.resolve("synth-report.json")));
    }

    @Test
    void audioIndependentOfThreadsAndResumable(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            SynthCorpus.generate(tiny(5), a, s -> { });
            Parallel.setThreads(3);
            SynthCorpus.generate(tiny(5), b, s -> { });
        } finally {
            Parallel.setThreads(threads);
        }
        Map<String, String> ha = hashes(a), hb = hashes(b);
        assertEquals(ha, hb, "bytes differ between 1 and 3 threads");

        // Kill simulation: lose two clips and the manifest; a rerun renders exactly those, identically.
        List<Path> wavs;
        try (Stream<Path> s = Files.walk(b)) {
            wavs = s.filter(p -> p.toString().endsWith(".wav")).sorted().limit(2).toList();
        }
        for (Path w : wavs) {
            Files.delete(w);
        }
        Files.delete(b.resolve(CorpusManifest.FILE));
        Path stale = wavs.get(0).resolveSibling("." + wavs.get(0).getFileName() + ".123.tmp");
        Files.writeString(stale, "half a file");
        SynthCorpus.Report r = SynthCorpus.generate(tiny(5), b, s -> { });
        assertEquals(2, r.rendered());
        assertEquals(r.clips() - 2, r.skipped());
        assertEquals(ha, hashes(b));
        assertFalse(Files.exists(stale), "temporaries of a killed run are removed");
        assertArrayEquals(Files.readAllBytes(a.resolve(CorpusManifest.FILE)), Files.readAllBytes(b.resolve(CorpusManifest.FILE)));
    }

    @Test
    void otherSettingsInTheSameFolderAreRefused(@TempDir Path dir) throws Exception {
        SynthConfig small = new SynthConfig(1, 3, 1, 5, 1, 5, 1, 1, 5, 20, 2, List.of(), false);
        SynthCorpus.generate(small, dir, s -> { });
        SynthConfig other = new SynthConfig(2, 3, 1, 5, 1, 5, 1, 1, 5, 20, 2, List.of(), false);
        IOException e = assertThrows(IOException.class, () -> SynthCorpus.generate(other, dir, s -> { }));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void missingSoundbankNamesTheFile(@TempDir Path dir) {
        SynthConfig c = tiny(1).withSoundbanks(List.of(dir.resolve("nope.sf2")), false);
        IOException e = assertThrows(IOException.class, () -> SynthCorpus.generate(c, dir.resolve("out"), s -> { }));
        assertTrue(e.getMessage().contains("nope.sf2"), e.getMessage());
    }

    @Test
    void badSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SynthConfig.of(1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> SynthConfig.of(1, 10, 0.5));
    }

    private static void collectPaths(Object o, List<String> out) {
        if (o instanceof Map<?, ?> m) {
            m.values().forEach(v -> collectPaths(v, out));
        } else if (o instanceof List<?> l) {
            l.forEach(v -> collectPaths(v, out));
        } else if (o instanceof String s && (s.endsWith(".tsv") || s.equals("learning") || s.startsWith("targets/"))) {
            out.add(s);
        }
    }

    private static Set<String> artists(Path tracks) throws IOException {
        Tsv.Table t = Tsv.read(tracks);
        Set<String> s = new HashSet<>();
        for (String[] r : t.rows()) {
            s.add(r[t.column("artist_id")]);
        }
        return s;
    }

    private static double rms(Audio a) {
        double s = 0;
        for (float v : a.samples()) {
            s += v * v;
        }
        return Math.sqrt(s / a.samples().length);
    }

    private static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> h = new TreeMap<>();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".wav") || p.toString().endsWith(".tsv")).toList()) {
                h.put(root.relativize(p).toString(), HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))));
            }
        }
        return h;
    }
}
