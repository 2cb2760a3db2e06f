package dev.mtdtl.cli;

import static dev.mtdtl.cli.FuzzCommandsTest.SEED;
import static dev.mtdtl.cli.FuzzCommandsTest.copyTree;
import static dev.mtdtl.cli.FuzzCommandsTest.expectClean;
import static dev.mtdtl.cli.FuzzCommandsTest.mutate;
import static dev.mtdtl.cli.FuzzCommandsTest.quiet;
import static dev.mtdtl.cli.FuzzCommandsTest.report;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.cli.FuzzCommandsTest.Outcome;
import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.tensor.io.Checksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzzing suite's real-dataset inputs: the files {@code mtdtl import} reads (a labels CSV and a split CSV of an
 * audio folder, the seven MSD-style source files, the Last.fm-1K log). A base corpus holds a learning corpus and
 * three target datasets imported from valid files; each case copies it, mutates one input file (text mutations,
 * {@link Mutations}) and imports it again over the same name. Besides {@link FuzzCommandsTest}'s rules (status 0,
 * or status 1 naming a file of the case, never an internal error):
 * <ul>
 *   <li>a refused import leaves the corpus as it was, byte for byte (nothing of the old import lost, nothing of the
 *       new one half-written);</li>
 *   <li>an accepted import gives a corpus the pipeline takes: {@code prepare} completes, and for a target dataset
 *       its MFCC features are extracted and evaluated (two repetitions). What import lets through must not stop
 *       the pipeline later, after hours of training.</li>
 * </ul>
 * Same seed property as the other fuzz classes ({@code -Dmtdtl.fuzz.seed=N}).
 */
class FuzzImportTest {

    @TempDir
    static Path tmp;

    static Path in;        // the valid inputs
    static Path base;      // a corpus with everything imported from them

    static final String CATEGORY = "import inputs";
    static final String[] MSD_FILES = {"unique_tracks.txt", "tags.tsv", "train_triplets.txt", "mxm.txt",
        "tracks_per_year.txt", "bpm.tsv", "cdr.cls"};

    @BeforeAll
    static void inputs() throws IOException {
        in = tmp.resolve("in");
        // MSD previews, a labelled folder of clips, Last.fm tracks named by MBID: 1 s stereo WAVs
        for (int i = 1; i <= 8; i++) {
            wav(in.resolve("previews/" + (i % 2 == 0 ? "A/" : "B/") + "TRAAA0" + i + ".wav"), 110 * i);
        }
        for (int i = 0; i < 10; i++) {
            wav(in.resolve("folder/clips/c" + i + ".wav"), 150 + 70 * i);
            wav(in.resolve("mb/mb-" + i + ".wav"), 180 + 60 * i);
        }
        texts(in, 0);
        // The base corpus is imported from other valid files (variant 1) than the cases' (variant 0, one mutated):
        // a refused case that wrote any of its tables would leave the corpus changed.
        Path old = tmp.resolve("in-old");
        texts(old, 1);
        base = tmp.resolve("base");
        for (String[] args : List.of(msd(base, old), folder(base, "genre", old.resolve("labels.csv"),
                old.resolve("split.csv")), folder(base, "emotion", old.resolve("regression.csv"), null),
                lastfm(base, old.resolve("lastfm.tsv")))) {
            Outcome o = quiet(args);
            assertEquals(0, o.rc(), String.join(" ", args) + ": " + o.err());
        }
        // the cases' unmutated inputs go through the whole check (what every accepted case must pass)
        List<String> failures = new ArrayList<>();
        Path c = tmp.resolve("valid");
        Path corpus = copy(base, c.resolve("corpus"));
        for (String[] args : List.of(msd(corpus, in), folder(corpus, "genre", in.resolve("labels.csv"),
                in.resolve("split.csv")), folder(corpus, "emotion", in.resolve("regression.csv"), null),
                lastfm(corpus, in.resolve("lastfm.tsv")))) {
            Outcome o = quiet(args);
            assertEquals(0, o.rc(), String.join(" ", args) + ": " + o.err());
        }
        for (String t : List.of("genre", "emotion", "recsys")) {
            pipeline(c, corpus, t, "valid inputs", failures);
        }
        report(failures, 3);
    }

    /** The text inputs (labels, split, log, MSD-style files) into {@code dir}; variants differ in every file. */
    static void texts(Path dir, int variant) throws IOException {
        Files.createDirectories(dir);
        StringBuilder labels = new StringBuilder("file,genre\n");
        StringBuilder reg = new StringBuilder("file,arousal,valence\n");
        StringBuilder split = new StringBuilder("file,split,fold\n");
        for (int i = 0; i < 10; i++) {
            labels.append(i % 3 == 0 ? "\"clips/c" + i + ".wav\"" : "c" + i).append(',')
                    .append((i + variant) % 2 == 0 ? "rock" : "jazz").append('\n');
            reg.append("c").append(i).append(',').append(1 + 0.5 * i + variant).append(',').append(9 - 0.7 * i)
                    .append('\n');
            split.append("c").append(i).append(',').append(i < 2 + variant ? "test" : i < 4 ? "valid" : "train")
                    .append(',').append(i % 5).append('\n');
        }
        Files.writeString(dir.resolve("labels.csv"), labels);
        Files.writeString(dir.resolve("regression.csv"), reg);
        Files.writeString(dir.resolve("split.csv"), split);
        StringBuilder log = new StringBuilder();
        for (int e = 0; e < 40 + 5 * variant; e++) {
            int u = e % 4;
            int t = (e * 7 + u) % 12;   // tracks 10 and 11 have no audio: dropped
            log.append("user_00000").append(u).append("\t2009-05-04T23:").append(10 + e).append(":57Z\tart-")
                    .append(t % 3).append("\tArtist ").append(t % 3).append("\tmb-").append(t).append("\tTitle ").append(t)
                    .append('\n');
        }
        Files.writeString(dir.resolve("lastfm.tsv"), log);
        StringBuilder unique = new StringBuilder();
        StringBuilder tags = new StringBuilder();
        StringBuilder taste = new StringBuilder();
        StringBuilder mxm = new StringBuilder("# musiXmatch\n%i,the,love,you,night\n");
        StringBuilder years = new StringBuilder();
        StringBuilder bpm = new StringBuilder();
        StringBuilder cdr = new StringBuilder("# tagtraum\n");
        String[] tagNames = {"rock", "jazz", "guitar", "calm"};
        for (int i = 1; i <= 9; i++) {   // track 9 has no audio
            String tid = "TRAAA0" + i;
            unique.append(tid).append("<SEP>SOA").append(i).append("<SEP>Artist ").append((i + variant) % 3)
                    .append("<SEP>t").append(i).append('\n');
            tags.append(tid).append('\t').append(tagNames[(i + variant) % 4]).append('\t').append(100 - 7 * i)
                    .append('\n');
            tags.append(tid).append('\t').append(tagNames[(i + 1) % 4]).append('\t').append(10 * i).append('\n');
            taste.append("u").append(i % 3).append("\tSOA").append(i).append('\t').append(1 + (i + variant) % 4)
                    .append('\n');
            taste.append("u").append(3 + i % 2).append("\tSOA").append(i).append('\t').append(2).append('\n');
            mxm.append(tid).append(",mx").append(i).append(',').append(1 + i % 5).append(':').append(i + variant)
                    .append(',').append(1 + (i + 2) % 5).append(":2\n");
            years.append(1960 + 5 * i + variant).append("<SEP>").append(tid).append("<SEP>A<SEP>t\n");
            bpm.append(tid).append('\t').append(80 + 9.5 * i + variant).append('\n');
            cdr.append(tid).append('\t').append((i + variant) % 2 == 0 ? "Rock" : "Jazz")
                    .append(i % 3 == 0 ? "\tBlues" : "").append('\n');
        }
        String[] t = {unique.toString(), tags.toString(), taste.toString(), mxm.toString(), years.toString(),
            bpm.toString(), cdr.toString()};
        for (int k = 0; k < MSD_FILES.length; k++) {
            Files.writeString(dir.resolve(MSD_FILES[k]), t[k]);
        }
    }

    @AfterAll
    static void summary() {
        int[] v = FuzzCommandsTest.TALLY.getOrDefault(CATEGORY, new int[3]);
        System.out.printf("fuzz %-22s %3d cases: %3d completed, %3d refused with a clear message%n", CATEGORY, v[0],
                v[1], v[2]);
    }

    static void wav(Path f, double hz) throws IOException {
        int n = 22050;   // 1 s
        float[] x = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float v = (float) (0.3 * Math.sin(2 * Math.PI * hz * i / 22050) + 0.05 * Math.sin(0.37 * i * i / n));
            x[i] = v;                           // channel-major (Audio's layout)
            x[n + i] = 0.5f * v;
        }
        Files.createDirectories(f.getParent());
        WavWriter.write(f, new Audio(x, 2, n, 22050), WavWriter.Encoding.PCM16);
    }

    static String[] msd(Path corpus, Path dir) {
        return new String[] {"import", "msd", "--corpus", corpus.toString(), "--audio", in.resolve("previews").toString(),
            "--unique-tracks", dir.resolve(MSD_FILES[0]).toString(), "--tags", dir.resolve(MSD_FILES[1]).toString(),
            "--taste", dir.resolve(MSD_FILES[2]).toString(), "--mxm", dir.resolve(MSD_FILES[3]).toString(),
            "--years", dir.resolve(MSD_FILES[4]).toString(), "--bpm", dir.resolve(MSD_FILES[5]).toString(),
            "--cdr", dir.resolve(MSD_FILES[6]).toString()};
    }

    static String[] folder(Path corpus, String name, Path labels, Path split) {
        List<String> a = new ArrayList<>(List.of("import", "folder", "--corpus", corpus.toString(), "--root",
                in.resolve("folder").toString(), "--labels", labels.toString(), "--name", name));
        if (split != null) {
            a.addAll(List.of("--split", split.toString()));
        }
        return a.toArray(String[]::new);
    }

    static String[] lastfm(Path corpus, Path log) {
        return new String[] {"import", "lastfm1k", "--corpus", corpus.toString(), "--log", log.toString(), "--audio",
            in.resolve("mb").toString(), "--name", "recsys"};
    }

    static Path copy(Path from, Path to) throws IOException {
        copyTree(from, to);
        return to;
    }

    /** Every file under {@code dir} by relative path, with its CRC-32. */
    static Map<String, Long> snapshot(Path dir) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Checksums.crc32(p));
            }
        }
        return m;
    }

    static List<String> changed(Map<String, Long> a, Map<String, Long> b) {
        java.util.Set<String> k = new java.util.TreeSet<>(a.keySet());
        k.addAll(b.keySet());
        return k.stream().filter(x -> !java.util.Objects.equals(a.get(x), b.get(x))).toList();
    }

    /**
     * The pipeline on an imported corpus: prepare (tiny topic models), then, for {@code target} (null: none), MFCC
     * features and a short evaluation. Each step must complete; a failure names the step and its message.
     */
    static void pipeline(Path c, Path corpus, String target, String what, List<String> failures) {
        Path prep = c.resolve("prep");
        if (!Files.exists(prep.resolve("prepared.json"))) {
            Outcome p = quiet("prepare", "--corpus", corpus.toString(), "--out", prep.toString(), "--topics", "2",
                    "--iterations", "3", "--threads", "2");
            if (p.rc() != 0) {
                failures.add(what + ": imported, but prepare ended with status " + p.rc() + ": " + last(p.err()));
                return;
            }
        }
        if (target == null) {
            return;
        }
        Path d = prep.resolve("targets/" + target);
        Path f = c.resolve("f-" + target);
        Outcome x = quiet("extract", "--baseline", "mfcc", "--dataset", d.toString(), "--out", f.toString(),
                "--threads", "2");
        if (x.rc() != 0) {
            failures.add(what + ": imported, but extract ended with status " + x.rc() + ": " + last(x.err()));
            return;
        }
        // (the reference WMF update can diverge on a handful of users: the paper's variant, as its message advises)
        Outcome e = quiet("evaluate", "--features", f.toString(), "--dataset", d.toString(), "--out",
                c.resolve("results-" + target + ".csv").toString(), "--repetitions", "2", "--max-epochs", "5",
                "--wmf-variant", "paper", "--threads", "2");
        // Extreme but finite labels (1e30) make the unscaled MLP regression diverge: not a format error import could
        // refuse, so evaluate may stop there, if it says so and names the labels file.
        boolean diverged = e.rc() == 1 && e.err().contains("diverged") && e.err().contains(c.toString());
        if (e.rc() != 0 && !diverged) {
            failures.add(what + ": imported, but evaluate ended with status " + e.rc() + ": " + last(e.err()));
        }
    }

    /** The last line of a command's stderr (its error; the lines before are progress). */
    static String last(String err) {
        String[] l = err.strip().split("\n");
        return l[l.length - 1];
    }

    @Test
    void importInputs() throws IOException {
        Random r = new Random(SEED + 21);
        List<String> failures = new ArrayList<>();
        int n = Integer.getInteger("mtdtl.fuzz.importCases", 40);
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("case-" + i);
            Path corpus = copy(base, c.resolve("corpus"));
            Path inputs = c.resolve("in");
            Files.createDirectories(inputs);
            StringBuilder what = new StringBuilder("import #" + i + " ");
            String[] args;
            String target;
            switch (i % 5) {
                case 0, 1 -> {   // the MSD-style files (two cases in five: seven files)
                    for (String name : MSD_FILES) {
                        Files.copy(in.resolve(name), inputs.resolve(name));
                    }
                    mutate(inputs.resolve(MSD_FILES[r.nextInt(MSD_FILES.length)]), r, what, true);
                    args = msd(corpus, inputs);
                    target = null;
                }
                case 2 -> {      // a classification's labels or its split
                    Path labels = Files.copy(in.resolve("labels.csv"), inputs.resolve("labels.csv"));
                    Path split = Files.copy(in.resolve("split.csv"), inputs.resolve("split.csv"));
                    mutate(r.nextBoolean() ? labels : split, r, what, true);
                    args = folder(corpus, "genre", labels, split);
                    target = "genre";
                }
                case 3 -> {      // a regression's labels, folds drawn
                    Path labels = Files.copy(in.resolve("regression.csv"), inputs.resolve("regression.csv"));
                    mutate(labels, r, what, true);
                    args = folder(corpus, "emotion", labels, null);
                    target = "emotion";
                }
                default -> {     // the listening log
                    Path log = Files.copy(in.resolve("lastfm.tsv"), inputs.resolve("lastfm.tsv"));
                    mutate(log, r, what, true);
                    args = lastfm(corpus, log);
                    target = "recsys";
                }
            }
            Map<String, Long> before = snapshot(corpus);
            Outcome o = quiet(args);
            expectClean(CATEGORY, what.toString(), o, c, null, failures);
            if (o.rc() == 1 && !snapshot(corpus).equals(before)) {
                failures.add(what + ": status 1 but the corpus changed: " + changed(before, snapshot(corpus)));
            } else if (o.rc() == 0) {
                pipeline(c, corpus, target, what.toString(), failures);
            }
        }
        report(failures, n);
    }
}
