package dev.mtdtl.cli;

import dev.mtdtl.tensor.io.Checksums;
import dev.mtdtl.tensor.test.Mutations;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.Npy;
import dev.mtdtl.tensor.io.Safetensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fuzzing suite over the command inputs (seeded; the audio decoders have their own, dsp's
 * AudioFuzzTest). A tiny pipeline is built once (synth, prepare, train, extract); each case copies the
 * input under test, mutates one file (binary or text mutations, {@link Mutations}), runs the command
 * that reads it through {@link Main#run} and requires: exit status 0 with the output complete, or exit
 * status 1 with a message naming a file of the case and no output that looks complete; never status 2
 * (an internal error), never more than {@link #MAX_SECONDS} per case. Mutated files whose CRC is
 * recorded in a sidecar are run twice: as they are (the checksum must catch them) and with the CRC fixed
 * up (the parser must). Library parsers (.npy, .safetensors, JSON) get many more cases, directly.
 *
 * <p>The one-file model, resumed embeddings and the study folder: {@link FuzzEmbedAndStudyTest}.
 */
class FuzzCommandsTest {

    /** Every case's random choices derive from it; another one for a longer hunt: {@code -Dmtdtl.fuzz.seed=N}. */
    static final long SEED = Long.getLong("mtdtl.fuzz.seed", 0xF0_22_14L);
    static final double MAX_SECONDS = 30;

    @TempDir
    static Path tmp;

    static Path corpus;
    static Path prepared;
    static Path run;
    static Path mfccFeatures;
    static final Map<String, int[]> TALLY = new LinkedHashMap<>();   // category -> {cases, ok, refused}

    @BeforeAll
    static void pipeline() throws IOException {
        TinyPipeline t = TinyPipeline.get();
        corpus = t.corpus;
        prepared = t.prepared;
        run = t.run;
        mfccFeatures = t.mfccFeatures;
    }

    @AfterAll
    static void summary() {
        TALLY.forEach((k, v) -> {
            if (!FuzzEmbedAndStudyTest.CATEGORIES.contains(k)) {
                System.out.printf("fuzz %-22s %3d cases: %3d completed, %3d refused with a clear message%n", k, v[0],
                        v[1], v[2]);
            }
        });
    }

    static Path genre() {
        return prepared.resolve("targets/genre");
    }

    record Outcome(int rc, String out, String err, double seconds) {}

    static Outcome quiet(String... args) {
        PrintStream oo = System.out;
        PrintStream oe = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int rc;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            rc = Main.run(args);
        } finally {
            System.setOut(oo);
            System.setErr(oe);
        }
        return new Outcome(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8),
                (System.nanoTime() - t0) / 1e9);
    }

    /** The first {@code n} WAV files of a corpus's genre dataset, in name order. */
    static List<Path> genreWavs(Path corpus, int n) throws IOException {
        try (Stream<Path> s = Files.walk(corpus.resolve("targets/genre"))) {
            return s.filter(p -> p.toString().endsWith(".wav")).sorted().limit(n).toList();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        dev.mtdtl.tensor.test.TestFiles.copyTree(from, to);
    }

    /** Rewrite the CRC that {@code sidecar} records at {@code path} (a list of keys) for {@code file}. */
    @SuppressWarnings("unchecked")
    static void fixCrc(Path sidecar, Path file, String... path) throws IOException {
        Map<String, Object> j = Json.parseObject(Files.readString(sidecar), sidecar.toString());
        Map<String, Object> m = j;
        for (int i = 0; i < path.length - 1; i++) {
            m = (Map<String, Object>) m.get(path[i]);
        }
        m.put(path[path.length - 1], Checksums.crc32(file));
        Files.writeString(sidecar, Json.write(j, 2) + "\n");
    }

    /** Mutates f; returns whether its bytes changed (writing a value over an equal one changes nothing). */
    static boolean mutate(Path f, Random r, StringBuilder what, boolean text) throws IOException {
        byte[] b = Files.readAllBytes(f);
        what.append(f.getFileName()).append(": ");
        byte[] m = text ? Mutations.text(b, r, what) : Mutations.binary(b, r, what);
        Files.write(f, m);
        return !java.util.Arrays.equals(b, m);
    }

    /**
     * Check one case's outcome: status 0 with {@code complete} present, or status 1 with a message that names
     * a path under {@code caseDir} and {@code complete} absent. Failures are collected, not thrown, so one run
     * lists them all.
     */
    static void expectClean(String category, String what, Outcome o, Path caseDir, Path complete,
                            List<String> failures) {
        int[] t = TALLY.computeIfAbsent(category, k -> new int[3]);
        t[0]++;
        String msg = o.err.strip();
        if (o.seconds > MAX_SECONDS) {
            failures.add(what + ": took " + o.seconds + " s");
        }
        if (o.rc == 0) {
            t[1]++;
            if (complete != null && !Files.exists(complete)) {
                failures.add(what + ": status 0 but " + complete + " is missing");
            }
        } else if (o.rc == 1) {
            t[2]++;
            if (!msg.contains(caseDir.toString())) {
                failures.add(what + ": status 1 but the message does not name a file of the case: " + msg);
            }
            if (complete != null && Files.exists(complete)) {
                failures.add(what + ": status 1 but " + complete + " looks complete");
            }
        } else {
            failures.add(what + ": status " + o.rc + ": " + msg);
        }
    }

    static void report(List<String> failures, int cases) {
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases + " cases failed:\n" + String.join("\n", failures));
        }
    }

    @Test
    void checkpointSidecarsAndSafetensors() throws IOException {
        Random r = new Random(SEED);
        Path ck = dev.mtdtl.nn.Checkpoint.latest(run);
        List<String> failures = new ArrayList<>();
        int n = 36;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("ck-" + i);
            copyTree(ck, c);
            StringBuilder what = new StringBuilder("checkpoint #" + i + " ");
            int kind = i % 3;   // 0: sidecar text, 1: model bytes with the CRC fixed up, 2: model bytes as they are
            boolean changed;
            if (kind == 0) {
                changed = mutate(c.resolve("checkpoint.json"), r, what, true);
            } else {
                changed = mutate(c.resolve("model.safetensors"), r, what, false);
                if (kind == 1) {
                    fixCrc(c.resolve("checkpoint.json"), c.resolve("model.safetensors"), "crc32", "model.safetensors");
                }
            }
            Path out = tmp.resolve("ck-out-" + i);
            Outcome o = quiet("extract", "--run", c.toString(), "--dataset", genre().toString(), "--out", out.toString(),
                    "--threads", "2");
            expectClean("checkpoint", what.toString(), o, c, out.resolve("features.json"), failures);
            // A mutation that left the bytes as they were (-Dmtdtl.fuzz.seed=26: int32 0 over the header length's
            // zero high bytes) leaves a model that passes its CRC: only a changed one must be refused.
            if (kind == 2 && changed && !Files.readString(c.resolve("checkpoint.json")).isEmpty() && o.rc != 1) {
                failures.add(what + ": a model file that fails its CRC was used (status " + o.rc + ")");
            }
        }
        report(failures, n);
    }

    @Test
    void melStoresIndexesAndStatistics() throws IOException {
        Random r = new Random(SEED + 1);
        List<String> failures = new ArrayList<>();
        int n = 30;
        for (int i = 0; i < n; i++) {
            Path root = tmp.resolve("store-" + i);
            Files.createDirectories(root.resolve("learning"));
            Files.copy(prepared.resolve("prepared.json"), root.resolve("prepared.json"));
            Files.copy(prepared.resolve("learning/stats.npy"), root.resolve("learning/stats.npy"));
            Path d = root.resolve("targets/genre");
            copyTree(genre(), d);
            StringBuilder what = new StringBuilder("store #" + i + " ");
            String baseline = "mfcc";
            switch (i % 5) {
                case 0 -> mutate(d.resolve("all.json"), r, what, true);
                case 1 -> {
                    mutate(d.resolve("all.index.tsv"), r, what, true);
                    fixCrc(d.resolve("all.json"), d.resolve("all.index.tsv"), "crc32", "index");
                }
                case 2 -> mutate(d.resolve("all.mel"), r, what, false);
                case 3 -> {
                    mutate(d.resolve("all.mel"), r, what, false);
                    fixCrc(d.resolve("all.json"), d.resolve("all.mel"), "crc32", "data");
                }
                default -> {
                    mutate(root.resolve("learning/stats.npy"), r, what, false);
                    if (i % 2 == 0) {
                        fixCrc(root.resolve("prepared.json"), root.resolve("learning/stats.npy"), "crc32",
                                "learning/stats.npy");
                    }
                    baseline = "rand";
                }
            }
            Path out = tmp.resolve("store-out-" + i);
            Outcome o = quiet("extract", "--baseline", baseline, "--dataset", d.toString(), "--out", out.toString(),
                    "--threads", "2");
            expectClean("mel store", what.toString(), o, root, out.resolve("features.json"), failures);
        }
        report(failures, n);
    }

    @Test
    void featureFolders() throws IOException {
        Random r = new Random(SEED + 2);
        List<String> failures = new ArrayList<>();
        int n = 30;
        for (int i = 0; i < n; i++) {
            Path f = tmp.resolve("feat-" + i);
            copyTree(mfccFeatures, f);
            StringBuilder what = new StringBuilder("features #" + i + " ");
            switch (i % 5) {
                case 0 -> mutate(f.resolve("features.json"), r, what, true);
                case 1 -> {
                    mutate(f.resolve("tracks.csv"), r, what, true);
                    fixCrc(f.resolve("features.json"), f.resolve("tracks.csv"), "crc32", "tracks.csv");
                }
                case 2 -> {
                    mutate(f.resolve("features.npy"), r, what, false);
                    fixCrc(f.resolve("features.json"), f.resolve("features.npy"), "crc32", "features.npy");
                }
                case 3 -> mutate(f.resolve("features.npy"), r, what, false);
                default -> mutate(f.resolve("tracks.csv"), r, what, true);
            }
            Path csv = tmp.resolve("feat-out-" + i + ".csv");
            Outcome o = quiet("evaluate", "--features", f.toString(), "--dataset", genre().toString(), "--out",
                    csv.toString(), "--repetitions", "1", "--max-epochs", "3", "--threads", "2");
            expectClean("feature folder", what.toString(), o, f, csv, failures);
        }
        report(failures, n);
    }

    @Test
    void targetTablesAndPreparedJson() throws IOException {
        Random r = new Random(SEED + 3);
        List<String> failures = new ArrayList<>();
        int n = 24;
        for (int i = 0; i < n; i++) {
            Path root = tmp.resolve("tables-" + i);
            Files.createDirectories(root);
            Files.copy(prepared.resolve("prepared.json"), root.resolve("prepared.json"));
            Path d = root.resolve("targets/genre");
            copyTree(genre(), d);
            StringBuilder what = new StringBuilder("tables #" + i + " ");
            String[] files = {"prepared.json", "targets/genre/split.tsv", "targets/genre/labels.tsv",
                    "targets/genre/tracks.tsv"};
            mutate(root.resolve(files[i % files.length]), r, what, true);
            Path csv = tmp.resolve("tables-out-" + i + ".csv");
            Outcome o = quiet("evaluate", "--features", mfccFeatures.toString(), "--dataset", d.toString(), "--out",
                    csv.toString(), "--repetitions", "1", "--max-epochs", "3", "--threads", "2");
            expectClean("target tables", what.toString(), o, root, csv, failures);
        }
        report(failures, n);
    }

    @Test
    void tripletAndValueFiles() throws IOException {
        Random r = new Random(SEED + 4);
        StringBuilder tri = new StringBuilder("row\tcolumn\tvalue\n");
        StringBuilder val = new StringBuilder("id\tvalue\n");
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 6; j++) {
                if ((i + j) % 3 != 0) {
                    tri.append("t").append(i).append('\t').append("w").append(j).append('\t').append(1 + (i * j) % 4)
                            .append('\n');
                }
            }
            val.append("t").append(i).append('\t').append(90 + 7 * i % 40).append('\n');
        }
        List<String> failures = new ArrayList<>();
        int n = 30;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("tsv-" + i);
            Files.createDirectories(c);
            boolean gmm = i % 2 == 1;
            Path in = c.resolve(gmm ? "values.tsv" : "triplets.tsv");
            Files.writeString(in, gmm ? val : tri);
            StringBuilder what = new StringBuilder((gmm ? "value file #" : "triplet file #") + i + " ");
            mutate(in, r, what, true);
            Path out = c.resolve("out");
            Outcome o = gmm
                    ? quiet("factor", "gmm", "--in", in.toString(), "--out", out.toString(), "--components", "2")
                    : quiet("factor", "plsa", "--in", in.toString(), "--out", out.toString(), "--topics", "2",
                    "--iterations", "3");
            expectClean("label tsv", what.toString(), o, c, null, failures);
            if (o.rc == 1 && Files.isDirectory(out)) {
                try (Stream<Path> s = Files.list(out)) {
                    List<Path> left = s.toList();
                    if (!left.isEmpty()) {
                        failures.add(what + ": status 1 but outputs were left: " + left);
                    }
                }
            }
        }
        report(failures, n);
    }

    @Test
    void corpusManifestsAndLearningData() throws IOException {
        Random r = new Random(SEED + 5);
        List<String> failures = new ArrayList<>();
        int n = 16;
        for (int i = 0; i < n; i++) {
            StringBuilder what = new StringBuilder();
            if (i % 2 == 0) {
                // prepare on a corpus whose manifest is mutated (audio shared: the manifest's paths are relative)
                Path c = tmp.resolve("corpus-" + i);
                Files.createDirectories(c);
                try (Stream<Path> s = Files.list(corpus)) {
                    for (Path p : s.toList()) {
                        if (!p.getFileName().toString().equals("manifest.json")) {
                            Files.createSymbolicLink(c.resolve(p.getFileName()), p);
                        }
                    }
                }
                Files.copy(corpus.resolve("manifest.json"), c.resolve("manifest.json"));
                what.append("manifest #").append(i).append(' ');
                mutate(c.resolve("manifest.json"), r, what, true);
                Path out = tmp.resolve("prep-" + i);
                Outcome o = quiet("prepare", "--corpus", c.toString(), "--out", out.toString(), "--topics", "2",
                        "--iterations", "2", "--threads", "2");
                expectClean("corpus manifest", what.toString(), o, c, out.resolve("prepared.json"), failures);
            } else {
                // train on a prepared folder with one learning file mutated (CRC fixed up where one is recorded)
                Path p = tmp.resolve("learn-" + i);
                copyTree(prepared, p);
                what.append("learning data #").append(i).append(' ');
                switch (i / 2 % 4) {
                    case 0 -> {
                        mutate(p.resolve("learning/targets/bpm.npy"), r, what, false);
                        fixCrc(p.resolve("prepared.json"), p.resolve("learning/targets/bpm.npy"), "crc32",
                                "learning/targets/bpm.npy");
                    }
                    case 1 -> {
                        mutate(p.resolve("learning/train.index.tsv"), r, what, true);
                        fixCrc(p.resolve("learning/train.json"), p.resolve("learning/train.index.tsv"), "crc32", "index");
                    }
                    case 2 -> mutate(p.resolve("prepared.json"), r, what, true);
                    default -> mutate(p.resolve("learning/targets/tag.mask.npy"), r, what, false);   // CRC catches it
                }
                Path out = tmp.resolve("learn-run-" + i);
                Outcome o = quiet("train", "--data", p.toString(), "--out", out.toString(), "--strategy", "mscr2",
                        "--sources", "bpm,tag", "--iterations", "1", "--batch", "4", "--valid-every", "0",
                        "--threads", "2");
                expectClean("learning data", what.toString(), o, p, null, failures);
                if (o.rc == 1 && Files.isDirectory(out.resolve("checkpoints"))) {
                    failures.add(what + ": status 1 but a checkpoint folder was written");
                }
            }
        }
        report(failures, n);
    }

    @Test
    void audioThroughTheMelCommand() throws IOException {
        Random r = new Random(SEED + 6);
        Path wav = genreWavs(corpus, 1).get(0);
        List<String> failures = new ArrayList<>();
        int n = 12;
        for (int i = 0; i < n; i++) {
            Path c = tmp.resolve("wav-" + i);
            Files.createDirectories(c);
            Path in = c.resolve("x.wav");
            Files.copy(wav, in);
            StringBuilder what = new StringBuilder("wav #" + i + " ");
            mutate(in, r, what, false);
            Path out = c.resolve("x.npy");
            Outcome o = quiet("mel", "--in", in.toString(), "--out", out.toString(), "--threads", "2");
            expectClean("audio (mel)", what.toString(), o, c, out, failures);
        }
        report(failures, n);
    }

    /** One library parser: must return or throw IOException / IllegalArgumentException naming the input. */
    static void parserCases(String category, byte[] seed, boolean text, int n, long s,
                            BiFunction<byte[], String, Object> parse, List<String> failures) {
        Random r = new Random(s);
        int[] t = TALLY.computeIfAbsent(category, k -> new int[3]);
        for (int i = 0; i < n; i++) {
            StringBuilder what = new StringBuilder(category + " #" + i + ": ");
            byte[] m = text ? Mutations.text(seed, r, what) : Mutations.binary(seed, r, what);
            String name = "case-" + i + "." + category;
            t[0]++;
            try {
                parse.apply(m, name);
                t[1]++;
            } catch (RuntimeException e) {
                Throwable x = e.getCause() instanceof IOException ? e.getCause() : e;
                boolean clean = (x instanceof IOException || x.getClass() == IllegalArgumentException.class)
                        && x.getMessage() != null && x.getMessage().contains(name);
                if (clean) {
                    t[2]++;
                } else {
                    failures.add(what + ": " + x);
                }
            }
        }
    }

    @Test
    void libraryParsersNpySafetensorsJson() throws IOException {
        List<String> failures = new ArrayList<>();
        byte[] npy = Files.readAllBytes(mfccFeatures.resolve("features.npy"));
        byte[] st = Files.readAllBytes(dev.mtdtl.nn.Checkpoint.latest(run).resolve("optim.safetensors"));
        byte[] json = Files.readAllBytes(prepared.resolve("prepared.json"));
        parserCases("npy", npy, false, 60, SEED + 7, (b, name) -> {
            try {
                return Npy.parse(b, name);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, failures);
        parserCases("safetensors", st, false, 60, SEED + 8, (b, name) -> {
            try {
                return Safetensors.parse(b, name);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, failures);
        parserCases("json", json, true, 60, SEED + 9, (b, name) -> Json.parse(new String(b, StandardCharsets.UTF_8), name),
                failures);
        report(failures, 180);
        assertTrue(TALLY.get("npy")[2] > 0 && TALLY.get("safetensors")[2] > 0 && TALLY.get("json")[2] > 0);
    }
}
