package dev.mtdtl.data.importers;

import dev.mtdtl.data.Tsv;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The learning corpus from Million Song Dataset-style files (the paper's sources, section 2 of the
 * reference digest), written as {@code learning/} of a corpus folder in the synth layout. Every source
 * file is optional; each one given becomes a source in the manifest. Rows are kept for all tracks of a
 * source (the models are fitted on all of them, decision 7), not only the tracks with audio.
 * <pre>
 *   audio          folder of previews named TRACKID.ext (e.g. TRAAAAW128F429D538.mp3), searched recursively
 *   unique_tracks  MSD unique_tracks.txt: tid&lt;SEP&gt;song_id&lt;SEP&gt;artist&lt;SEP&gt;title  (artist source; song map)
 *   tags           Last.fm tags as triplets: tid TAB tag TAB count(0-100)          -&gt; tag (plsa)
 *   taste          Taste Profile train_triplets.txt: user TAB song_id TAB plays     -&gt; taste (plsa), via the song map
 *   mxm            musiXmatch bag of words: '#' comments, '%w1,w2,...' vocabulary, tid,mxm_tid,idx:cnt,... (1-based)
 *                                                                                  -&gt; lyrics (tfidf-plsa)
 *   years          tracks_per_year.txt: year&lt;SEP&gt;tid&lt;SEP&gt;artist&lt;SEP&gt;title   -&gt; year (gmm)
 *   bpm            tid TAB bpm (the Echo Nest tempo, exported from the HDF5 files)  -&gt; bpm (gmm)
 *   cdr            tagtraum CD2C-style: '#' comments, tid TAB genre [TAB genre2]     -&gt; cdr_tag (plsa)
 * </pre>
 * Malformed lines fail with file:line. Omitted: reading the MSD HDF5 or SQLite files directly.
 */
public final class MsdImporter {

    /** Input files; null means absent. */
    public record Files7(Path uniqueTracks, Path tags, Path taste, Path mxm, Path years, Path bpm, Path cdr) {}

    private static final String SEP = "<SEP>";

    private MsdImporter() {}

    /**
     * What an import made: the corpus's tracks (one per preview) and how many of them unique_tracks does not list (0
     * without unique_tracks): previews named by something else than a track id get no artist and no label of any
     * source.
     */
    public record Learning(int tracks, int unlisted) {}

    /** Write the learning corpus. */
    public static Learning learning(Path audio, Files7 in, Path corpus) throws IOException {
        Map<String, Path> previews = CorpusBuilder.audioById(audio);
        if (in.taste() != null && in.uniqueTracks() == null) {
            throw new IOException(in.taste() + ": the Taste Profile names songs; give unique_tracks to map them");
        }
        try (CorpusBuilder cb = new CorpusBuilder(corpus, "msd")) {
            int[] unlisted = new int[1];
            int n = write(cb, audio, previews, in, unlisted);
            if (n == 0) {   // no preview at all (every audio file is a track): refused before it replaces anything
                throw new IOException(audio + ": no audio file named by a track id (TRACKID.ext, ext one of ."
                        + String.join(", .", dev.mtdtl.dsp.AudioFiles.EXTENSIONS) + ")"
                        + dev.mtdtl.dsp.AudioFiles.notDecoded(audio));
            }
            cb.commit();
            return new Learning(n, unlisted[0]);
        }
    }

    /** Every table into the corpus's staging folder ({@link CorpusBuilder#stage}) and the manifest's entry. */
    private static int write(CorpusBuilder cb, Path audio, Map<String, Path> previews, Files7 in, int[] unlisted)
            throws IOException {
        Map<String, String> artistOf = new HashMap<>();
        Map<String, List<String>> tracksOfSong = new HashMap<>();
        if (in.uniqueTracks() != null) {
            try (BufferedReader r = dev.mtdtl.tensor.io.TextFiles.reader(in.uniqueTracks())) {
                String line;
                int ln = 0;
                while ((line = r.readLine()) != null) {
                    ln++;
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] f = LineConverter.fields(in.uniqueTracks(), ln, line, SEP, 4);
                    artistOf.put(f[0], f[2].replace('\t', ' '));
                    tracksOfSong.computeIfAbsent(f[1], k -> new ArrayList<>(1)).add(f[0]);
                }
            }
        }
        if (in.uniqueTracks() != null) {
            Path example = null;
            for (Map.Entry<String, Path> e : previews.entrySet()) {
                if (!artistOf.containsKey(e.getKey())) {
                    unlisted[0]++;
                    example = example == null ? e.getValue() : example;
                }
            }
            if (unlisted[0] > 0 && unlisted[0] == previews.size()) {   // named by another scheme (a shop's ids)
                throw new IOException(String.format(java.util.Locale.ROOT, "%s: none of its %,d audio files is named by "
                        + "a track id of %s (e.g. %s): previews are named TRACKID.ext, e.g. TRAAAAW128F429D538.mp3",
                        audio, previews.size(), in.uniqueTracks(), example));
            }
        }
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, Path> e : previews.entrySet()) {
            String a = artistOf.getOrDefault(e.getKey(), "");
            rows.add(CorpusBuilder.trackRow(e.getKey(), a.isEmpty() ? "-" : a, e.getValue()));
        }
        Tsv.write(cb.stage("learning/tracks.tsv"), CorpusBuilder.TRACK_HEADER, rows);

        Map<String, Object> sources = new LinkedHashMap<>();
        sources.put("self", CorpusBuilder.ordered("kind", "self", "model", "none"));
        if (in.bpm() != null) {
            Set<String> seen = new HashSet<>();
            LineConverter.convert(in.bpm(), cb.stage("learning/sources/bpm.tsv"), new String[] {"track_id", "bpm"},
                    (line, ln, o) -> {
                        String[] f = LineConverter.fields(in.bpm(), ln, line, "\t", 2);
                        once(seen, in.bpm(), ln, f[0], "bpm");
                        o.row(f[0], num(in.bpm(), ln, f[1], "bpm"));
                    });
            sources.put("bpm", source("bpm", "scalar", null, "bpm", "gmm"));
        }
        if (in.years() != null) {
            Set<String> seen = new HashSet<>();
            LineConverter.convert(in.years(), cb.stage("learning/sources/year.tsv"), new String[] {"track_id", "year"},
                    (line, ln, o) -> {
                        String[] f = LineConverter.fields(in.years(), ln, line, SEP, 2);
                        once(seen, in.years(), ln, f[1], "year");
                        o.row(f[1], num(in.years(), ln, f[0], "year"));
                    });
            sources.put("year", source("year", "scalar", null, "year", "gmm"));
        }
        if (in.tags() != null) {
            LineConverter.convert(in.tags(), cb.stage("learning/sources/tag.tsv"),
                    new String[] {"track_id", "tag", "intensity"}, (line, ln, o) -> {
                        String[] f = LineConverter.fields(in.tags(), ln, line, "\t", 3);
                        o.row(f[0], f[1].trim(), num(in.tags(), ln, f[2], "tag count"));
                    });
            sources.put("tag", source("tag", "triplets", "tag", "intensity", "plsa"));
        }
        if (in.taste() != null) {
            LineConverter.convert(in.taste(), cb.stage("learning/sources/taste.tsv"),
                    new String[] {"user_id", "track_id", "play_count"}, (line, ln, o) -> {
                        String[] f = LineConverter.fields(in.taste(), ln, line, "\t", 3);
                        String plays = num(in.taste(), ln, f[2], "play count");
                        for (String t : tracksOfSong.getOrDefault(f[1], List.of())) {
                            o.row(f[0], t, plays);
                        }
                    });
            sources.put("taste", source("taste", "triplets", "user_id", "play_count", "plsa"));
        }
        if (in.mxm() != null) {
            List<String> vocab = new ArrayList<>();
            LineConverter.convert(in.mxm(), cb.stage("learning/sources/lyrics.tsv"),
                    new String[] {"track_id", "word", "count"}, (line, ln, o) -> {
                        if (line.startsWith("#")) {
                            return;
                        }
                        if (line.startsWith("%")) {
                            vocab.addAll(List.of(line.substring(1).split(",")));
                            return;
                        }
                        String[] f = LineConverter.fields(in.mxm(), ln, line, ",", 2);
                        for (int i = 2; i < f.length; i++) {
                            int c = f[i].indexOf(':');
                            int w;
                            try {
                                w = Integer.parseInt(f[i].substring(0, Math.max(0, c)));
                            } catch (NumberFormatException e) {
                                w = 0;
                            }
                            if (c < 0 || w < 1 || w > vocab.size()) {
                                throw new IOException(in.mxm() + ":" + ln + ": bad word entry '" + f[i] + "' (vocabulary of "
                                        + vocab.size() + " words, indices from 1)");
                            }
                            o.row(f[0], vocab.get(w - 1), num(in.mxm(), ln, f[i].substring(c + 1), "word count"));
                        }
                    });
            sources.put("lyrics", source("lyrics", "triplets", "word", "count", "tfidf-plsa"));
        }
        if (in.cdr() != null) {
            LineConverter.convert(in.cdr(), cb.stage("learning/sources/cdr_tag.tsv"),
                    new String[] {"track_id", "genre"},
                    (line, ln, o) -> {
                        if (line.startsWith("#")) {
                            return;
                        }
                        String[] f = LineConverter.fields(in.cdr(), ln, line, "\t", 2);
                        for (int i = 1; i < f.length; i++) {
                            if (!f[i].isBlank()) {
                                o.row(f[0], f[i].trim());
                            }
                        }
                    });
            sources.put("cdr_tag", source("cdr_tag", "pairs", "genre", null, "plsa"));
        }
        if (in.uniqueTracks() != null && in.tags() != null) {
            List<String[]> ar = new ArrayList<>();
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(artistOf).entrySet()) {
                if (!e.getValue().isBlank()) {
                    ar.add(new String[] {e.getKey(), e.getValue()});
                }
            }
            Tsv.write(cb.stage("learning/sources/artist.tsv"), new String[] {"track_id", "artist_id"}, ar);
            Map<String, Object> a = source("artist", "pairs", "artist_id", null, "artist-tag-plsa");
            a.put("tags_from", "tag");
            sources.put("artist", a);
        }
        Map<String, Object> lj = new LinkedHashMap<>();
        lj.put("dir", "learning");
        lj.put("tracks", "learning/tracks.tsv");
        lj.put("count", rows.size());
        lj.put("description", "MSD-style import of " + audio);
        lj.put("sources", sources);
        cb.putLearning(lj);
        return rows.size();
    }

    /** A scalar source has one value per track (prepare refuses a second): refused here, at the input's line. */
    private static void once(Set<String> seen, Path file, int ln, String track, String what) throws IOException {
        if (!seen.add(track)) {
            throw new IOException(file + ":" + ln + ": second " + what + " for track " + track);
        }
    }

    private static String num(Path f, int ln, String s, String what) throws IOException {
        double x = LineConverter.number(f, ln, s, what);
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    private static Map<String, Object> source(String name, String kind, String term, String value, String model) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("file", "learning/sources/" + name + ".tsv");
        s.put("kind", kind);
        s.put("track_column", "track_id");
        if (term != null) {
            s.put("term_column", term);
        }
        if (value != null) {
            s.put("value_column", value);
        }
        s.put("model", model);
        return s;
    }
}
