package dev.mtdtl.data.synth;

import dev.mtdtl.data.CorpusManifest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The manifest of a synthetic corpus (schema in docs/corpus.md): the generator settings, the audio
 * format, the learning corpus with one entry per source (file, shape of its rows, the factor model
 * prepare applies, coverage), and one entry per target dataset (task, files, classes, protocol).
 * Deterministic: it holds no timings (those go to synth-report.json).
 */
final class SynthManifest {

    private SynthManifest() {}

    static Map<String, Object> build(SynthCorpus.Plan p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", CorpusManifest.FORMAT);
        m.put("version", CorpusManifest.VERSION);
        m.put("name", "synthetic");
        m.put("generator", p.config().toJson(p.bankNames()));
        m.put("sample_rate", Renderer.RATE);
        m.put("channels", 2);
        m.put("audio_format", "wav-pcm16");
        m.put("learning", learning(p));
        Map<String, Object> t = new LinkedHashMap<>();
        for (Dataset d : p.targets()) {
            t.put(d.name, target(d));
        }
        m.put("targets", t);
        return m;
    }

    private static Map<String, Object> learning(SynthCorpus.Plan p) {
        Dataset d = p.learning();
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("dir", "learning");
        l.put("tracks", "learning/tracks.tsv");
        l.put("count", d.songs.size());
        l.put("artists", d.artists.size());
        l.put("users", d.users.size());
        l.put("seconds", d.seconds);
        l.put("description", d.description);
        Map<String, Object> src = new LinkedHashMap<>();
        src.put("self", ordered("kind", "self", "model", "none"));
        src.put("bpm", source("bpm", "scalar", "track_id", null, "bpm", "gmm"));
        src.put("year", source("year", "scalar", "track_id", null, "year", "gmm"));
        src.put("tag", source("tag", "triplets", "track_id", "tag", "intensity", "plsa"));
        src.put("taste", source("taste", "triplets", "track_id", "user_id", "play_count", "plsa"));
        src.put("lyrics", source("lyrics", "triplets", "track_id", "word", "count", "tfidf-plsa"));
        src.put("cdr_tag", source("cdr_tag", "pairs", "track_id", "genre", null, "plsa"));
        Map<String, Object> artist = source("artist", "pairs", "track_id", "artist_id", null, "artist-tag-plsa");
        artist.put("tags_from", "tag");
        src.put("artist", artist);
        l.put("sources", src);
        l.put("truth", ordered("tracks", "learning/truth/tracks.tsv", "artists", "learning/truth/artists.tsv", "users",
                "learning/truth/users.tsv"));
        return l;
    }

    // Map.of iterates in a per-JVM random order; the manifest's bytes must not depend on the JVM.
    private static Map<String, Object> ordered(String... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> source(String name, String kind, String doc, String term, String value, String model) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("file", "learning/sources/" + name + ".tsv");
        s.put("kind", kind);
        s.put("track_column", doc);
        if (term != null) {
            s.put("term_column", term);
        }
        if (value != null) {
            s.put("value_column", value);
        }
        s.put("model", model);
        return s;
    }

    private static Map<String, Object> target(Dataset d) {
        String dir = "targets/" + d.name;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("dir", dir);
        t.put("task", d.task);
        t.put("description", d.description);
        t.put("tracks", dir + "/tracks.tsv");
        t.put("count", d.songs.size());
        t.put("seconds", d.seconds);
        if (d.labelColumns.length > 0) {
            t.put("labels", dir + "/labels.tsv");
            t.put("label_columns", List.of(d.labelColumns));
        }
        if (!d.classes.isEmpty()) {
            t.put("classes", List.copyOf(d.classes));
        }
        t.put("split", dir + "/split.tsv");
        t.put("protocol", d.protocol);
        t.put("folds", d.folds);
        if (!d.plays.isEmpty()) {
            t.put("plays", dir + "/plays.tsv");
            t.put("users", d.users.size());
            t.put("interactions", d.plays.size());
        }
        Set<String> artists = new HashSet<>();
        for (Song s : d.songs) {
            artists.add(s.artist());
        }
        t.put("artists", artists.size());
        List<String> truth = new ArrayList<>(List.of(dir + "/truth/tracks.tsv", dir + "/truth/artists.tsv"));
        if (!d.users.isEmpty()) {
            truth.add(dir + "/truth/users.tsv");
        }
        t.put("truth", truth);
        return t;
    }
}
