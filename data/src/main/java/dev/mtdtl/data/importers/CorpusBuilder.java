package dev.mtdtl.data.importers;

import dev.mtdtl.data.CorpusManifest;
import dev.mtdtl.data.Tsv;
import dev.mtdtl.dsp.AudioFiles;
import dev.mtdtl.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the importers share: a corpus folder whose {@code manifest.json} (docs/corpus.md) is read if it
 * exists and otherwise started empty (a learning corpus of 0 tracks), so importers compose: one run adds
 * the learning corpus (MSD), others add target datasets (GTZAN, a labelled folder, Last.fm-1K). The
 * manifest is rewritten last, atomically, after the tables.
 *
 * <p>Audio is not copied: the {@code audio} column of an imported tracks.tsv holds the file's absolute
 * path (a manifest path resolved against an absolute path gives that path), so a real dataset is read in
 * place. Omitted: copying or transcoding audio, checksums.
 */
final class CorpusBuilder {

    final Path dir;
    final Map<String, Object> manifest;

    @SuppressWarnings("unchecked")
    CorpusBuilder(Path dir, String name) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        if (Files.isRegularFile(dir.resolve(CorpusManifest.FILE))) {
            manifest = CorpusManifest.read(dir);
        } else {
            manifest = new LinkedHashMap<>();
            manifest.put("format", CorpusManifest.FORMAT);
            manifest.put("version", CorpusManifest.VERSION);
            manifest.put("name", name);
            manifest.put("sample_rate", 22050);
            manifest.put("channels", 2);
            manifest.put("audio_format", "any (decoded by dsp.AudioDecoder)");
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("dir", "learning");
            l.put("tracks", "learning/tracks.tsv");
            l.put("count", 0);
            Map<String, Object> src = new LinkedHashMap<>();
            src.put("self", ordered("kind", "self", "model", "none"));
            l.put("sources", src);
            manifest.put("learning", l);
            manifest.put("targets", new LinkedHashMap<String, Object>());
            Tsv.write(dir.resolve("learning/tracks.tsv"), TRACK_HEADER, List.of());
        }
    }

    static final String[] TRACK_HEADER = {"track_id", "artist_id", "artist_name", "audio", "seconds"};

    /** A tracks.tsv row for an audio file read in place. */
    static String[] trackRow(String id, String artist, Path audio) {
        return new String[] {id, artist, artist, audio.toAbsolutePath().normalize().toString(), ""};
    }

    @SuppressWarnings("unchecked")
    void putTarget(String name, Map<String, Object> entry) {
        ((Map<String, Object>) manifest.get("targets")).put(name, entry);
    }

    void putLearning(Map<String, Object> entry) {
        manifest.put("learning", entry);
    }

    void write() throws IOException {
        CorpusManifest.write(dir, manifest);
    }

    /** Audio files under a folder (recursively, hidden ones left out: {@link AudioFiles}), sorted by path text. */
    static List<Path> audioFiles(Path folder) throws IOException {
        return AudioFiles.under(folder, Comparator.comparing(Path::toString));
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int i = n.lastIndexOf('.');
        return i < 0 ? n : n.substring(0, i);
    }

    /**
     * Stratified folds: within each class (in order of first appearance) the items are shuffled with a
     * seeded generator and dealt round-robin to folds 0..F-1. Returns the fold of each item.
     */
    static int[] stratifiedFolds(List<String> labels, int folds, long seed) {
        Map<String, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            byClass.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
        }
        int[] fold = new int[labels.size()];
        Rng rng = new Rng(seed);
        int offset = 0;
        for (List<Integer> items : byClass.values()) {
            for (int i = items.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                Integer t = items.get(i);
                items.set(i, items.get(j));
                items.set(j, t);
            }
            for (int i = 0; i < items.size(); i++) {
                fold[items.get(i)] = (offset + i) % folds;
            }
            offset += items.size();   // keeps fold sizes balanced across classes
        }
        return fold;
    }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
