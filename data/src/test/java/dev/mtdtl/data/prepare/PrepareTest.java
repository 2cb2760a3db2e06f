package dev.mtdtl.data.prepare;

import dev.mtdtl.data.Tsv;
import dev.mtdtl.data.store.LearningData;
import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.data.store.MelStoreUnreadableTest;
import dev.mtdtl.data.store.MelStoreWriter;
import dev.mtdtl.data.synth.SynthConfig;
import dev.mtdtl.data.synth.SynthCorpus;
import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.dsp.Features;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.JsonFields;
import dev.mtdtl.tensor.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prepare on a tiny synthetic corpus: stores, crops, statistics, targets, resume, bad inputs. */
class PrepareTest {

    static final int K = 4;

    @TempDir
    static Path tmp;
    static Path corpus;
    static Path out;
    static Prepare.Report first;

    /** 24 learning tracks of 2 s plus ~60 target clips: seconds to render and prepare. */
    @BeforeAll
    static void build() throws IOException {
        corpus = tmp.resolve("corpus");
        // Seed 1: the tiny world must give every source some labels; with generator version 3, seed 3's 24 tracks
        // left no lyrics term above pLSA's minimum total after TF-IDF (lyrics uncovered).
        SynthCorpus.generate(new SynthConfig(1, 24, 2, 20, 1, 5, 1, 1, 5, 20, 3, List.of(), false), corpus, s -> { });
        out = tmp.resolve("prep");
        first = Prepare.run(config(corpus, out), s -> { });
    }

    static Prepare.Config config(Path c, Path o) {
        return Prepare.Config.defaults(c, o).withTopics(K, 30).withSeed(5);
    }

    @Test
    void storesHoldTheWholeFileMels() throws IOException {
        Map<String, Object> prepared = Json.parseObject(Files.readString(out.resolve("prepared.json")), "prepared");
        assertTrue(prepared.containsKey("targets"));
        Path l = out.resolve("learning");
        try (MelStore tr = MelStore.open(l, "train"); MelStore va = MelStore.open(l, "valid")) {
            assertEquals(24, tr.size() + va.size());
            assertEquals(2, va.size());                              // round(0.1 x 24)
            Tsv.Table tracks = Tsv.read(corpus.resolve("learning/tracks.tsv"));
            String id = tr.id(3);
            String audio = null;
            for (String[] r : tracks.rows()) {
                if (r[0].equals(id)) {
                    audio = r[tracks.column("audio")];
                }
            }
            Features.Mel m = Features.dbMel(corpus.resolve("learning").resolve(audio), MelConfig.paper());
            assertEquals(m.frames(), tr.frames(3));
            assertArrayEquals(m.data(), tr.whole(3));
            // A crop in dB: frames [5, 5+L) of both channels, 0 dB beyond the clip's end.
            int t = m.frames();
            int len = t + 7;
            float[] c = new float[2 * len * 128];
            tr.crop(3, 5, len, c, 0);
            for (int ch = 0; ch < 2; ch++) {
                for (int f = 0; f < len; f++) {
                    for (int b = 0; b < 128; b += 31) {
                        float want = f + 5 < t ? m.data()[(ch * t + f + 5) * 128 + b] : 0f;
                        assertEquals(want, c[(ch * len + f) * 128 + b]);
                    }
                }
            }
        }
    }

    @Test
    void statisticsComeFromTheTrainingSplitAndStandardiseCrops() throws IOException {
        Path l = out.resolve("learning");
        BandStats saved = BandStats.load(l.resolve("stats.npy"));
        BandStats direct = new BandStats(128);
        try (MelStore tr = MelStore.open(l, "train")) {
            for (int i = 0; i < tr.size(); i++) {
                float[] x = tr.whole(i);
                direct.add(x, 0, x.length / 128);
            }
            assertArrayEquals(direct.mean(), saved.mean(), 1e-9);
            assertArrayEquals(direct.std(), saved.std(), 1e-9);
            MelStore st = tr.withStats(saved);
            float[] raw = new float[2 * 216 * 128];
            float[] std = new float[2 * 216 * 128];
            int s1 = st.randomCrop(0, new Rng(9), std, 0);
            int s2 = tr.randomCrop(0, new Rng(9), raw, 0);
            assertEquals(s1, s2);
            // 2-s clips are shorter than 216 frames: the clip sits at -start, 0 dB around it.
            assertTrue(s1 <= 0 && tr.frames(0) < 216);
            saved.standardize(raw, 0, 2 * 216);
            assertArrayEquals(raw, std, 1e-5f);
        }
    }

    @Test
    void concurrentReadsAndSlicesMatchSingleThreadedReads() throws Exception {
        try (MelStore tr = MelStore.open(out.resolve("learning"), "train",
                BandStats.load(out.resolve("learning/stats.npy")))) {
            int len = 50;
            float[][] want = new float[tr.size()][];
            for (int i = 0; i < tr.size(); i++) {
                want[i] = new float[tr.sliceCount(i, len) * 2 * len * 128];
                tr.slices(i, len, want[i], 0);
            }
            // Slices are consecutive crops; the last is padded with 0 dB (standardised: -mean/std).
            float[] c = new float[2 * len * 128];
            tr.crop(0, len, len, c, 0);
            assertArrayEquals(c, Arrays.copyOfRange(want[0], 2 * len * 128, 4 * len * 128));
            java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Boolean>> fs = new java.util.ArrayList<>();
                for (int w = 0; w < 8; w++) {
                    fs.add(ex.submit(() -> {
                        boolean ok = true;
                        for (int rep = 0; rep < 5; rep++) {
                            for (int i = 0; i < tr.size(); i++) {
                                float[] got = new float[want[i].length];
                                tr.slices(i, len, got, 0);
                                ok &= Arrays.equals(want[i], got);
                            }
                        }
                        return ok;
                    }));
                }
                for (var f : fs) {
                    assertTrue(f.get());
                }
            } finally {
                ex.shutdown();
            }
        }
    }

    @Test
    void float16StoreMatchesFloat32WithinHalfPrecision() throws IOException {
        List<MelStoreWriter.Track> few = List.of(
                new MelStoreWriter.Track("a", firstAudio()), new MelStoreWriter.Track("b", firstAudio()));
        Path d = tmp.resolve("f16");
        MelStoreWriter.build(d, "x", few, MelConfig.paper(), MelStore.DType.F16, s -> { }, -1);
        try (MelStore h = MelStore.open(d, "x")) {
            assertEquals(MelStore.DType.F16, h.dtype());
            float[] want = Features.dbMel(firstAudio(), MelConfig.paper()).data();
            float[] got = h.whole(1);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], Math.abs(want[i]) * 1e-3 + 1e-3);
            }
        }
        try (MelStore h = MelStore.open(d, "x")) {
            assertEquals(2L * 2 * h.frames(0) * 128 * 2, Files.size(d.resolve("x.mel")));   // 2 bytes a value
        }
    }

    @Test
    void storeBytesDoNotDependOnTheThreadCount() throws IOException {
        Tsv.Table tracks = Tsv.read(corpus.resolve("learning/tracks.tsv"));
        List<MelStoreWriter.Track> list = new java.util.ArrayList<>();
        for (String[] r : tracks.rows().subList(0, 9)) {
            list.add(new MelStoreWriter.Track(r[0], corpus.resolve("learning").resolve(r[tracks.column("audio")])));
        }
        int saved = dev.mtdtl.tensor.Parallel.threads();
        try {
            dev.mtdtl.tensor.Parallel.setThreads(1);
            MelStoreWriter.build(tmp.resolve("t1"), "s", list, MelConfig.paper(), MelStore.DType.F32, s -> { }, -1);
            dev.mtdtl.tensor.Parallel.setThreads(3);
            MelStoreWriter.build(tmp.resolve("t3"), "s", list, MelConfig.paper(), MelStore.DType.F32, s -> { }, -1);
        } finally {
            dev.mtdtl.tensor.Parallel.setThreads(saved);
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("t1/s.mel")), Files.readAllBytes(tmp.resolve("t3/s.mel")));
        assertEquals(Files.readString(tmp.resolve("t1/s.index.tsv")), Files.readString(tmp.resolve("t3/s.index.tsv")));
    }

    @Test
    void targetsAreDistributionsWithMasks() throws IOException {
        Path t = out.resolve("learning/targets");
        for (String s : List.of("bpm", "year", "tag", "taste", "lyrics", "cdr_tag", "artist")) {
            Npy.Array z = Npy.read(t.resolve(s + ".npy"));
            int[] mask = Npy.read(t.resolve(s + ".mask.npy")).toInt();
            assertArrayEquals(new int[] {24, K}, z.shape(), s);
            int covered = 0;
            for (int i = 0; i < 24; i++) {
                double sum = 0;
                for (int k = 0; k < K; k++) {
                    assertTrue(z.values()[i * K + k] >= 0);
                    sum += z.values()[i * K + k];
                }
                assertEquals(mask[i] == 1 ? 1.0 : 0.0, sum, 1e-5, s + " row " + i);
                covered += mask[i];
            }
            assertTrue(covered > 0, s);
        }
        // Artist topics come from the tags of the artist's tracks: every tagged track's artist has some.
        int[] tagged = Npy.read(t.resolve("tag.mask.npy")).toInt();
        int[] artist = Npy.read(t.resolve("artist.mask.npy")).toInt();
        for (int i = 0; i < 24; i++) {
            assertTrue(tagged[i] == 0 || artist[i] == 1, "track " + i);
        }
        assertTrue(Arrays.stream(artist).sum() >= Arrays.stream(tagged).sum());
        assertTrue(!Files.exists(t.resolve("self.npy")));
    }

    @Test
    void pLsaSourcesKeepTheirTopicTerms() throws IOException {
        Path t = out.resolve("learning/targets");
        for (String s : List.of("bpm", "year", "self")) {
            assertTrue(!Files.exists(TopicTerms.file(t, s)), s + " is not a pLSA source");
        }
        // The term vocabularies of the corpus's tables (artist's topics are over the tag source's tags).
        Map<String, Object> src = Json.parseObject(Files.readString(corpus.resolve("manifest.json")), "m");
        @SuppressWarnings("unchecked")
        Map<String, Object> sources = (Map<String, Object>) ((Map<String, Object>) src.get("learning")).get("sources");
        for (String s : List.of("tag", "taste", "lyrics", "cdr_tag", "artist")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) sources.get(s.equals("artist") ? "tag" : s);
            Tsv.Table table = Tsv.read(corpus.resolve((String) m.get("file")));
            java.util.Set<String> vocab = new java.util.HashSet<>();
            int tc = table.column((String) m.get("term_column"));
            table.rows().forEach(r -> vocab.add(r[tc]));
            List<List<TopicTerms.Term>> topics = TopicTerms.read(TopicTerms.file(t, s), K);
            assertEquals(K, topics.size());
            for (List<TopicTerms.Term> z : topics) {
                assertTrue(!z.isEmpty() && z.size() <= TopicTerms.TOP, s);
                double sum = 0;
                for (int i = 0; i < z.size(); i++) {
                    assertTrue(vocab.contains(z.get(i).term()), s + ": " + z.get(i).term());
                    assertTrue(i == 0 || z.get(i).p() <= z.get(i - 1).p(), s + ": best first");
                    sum += z.get(i).p();
                }
                assertTrue(sum <= 1 + 1e-5, s);
            }
        }
    }

    /**
     * A folder prepared before topic terms were kept gets them on the next run of prepare, with every other
     * output byte unchanged; when the refit's targets differ from the stored ones the terms are not written.
     */
    @Test
    void anOldFolderGetsTopicTermsWithoutAnyOtherByteChanging() throws IOException {
        Path o = tmp.resolve("old-folder");
        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path p : files) {
            Path q = o.resolve(out.relativize(p).toString());
            Files.createDirectories(q.getParent());
            Files.copy(p, q);
        }
        Path t = o.resolve("learning/targets");
        for (String s : List.of("tag", "taste", "lyrics", "cdr_tag", "artist")) {
            Files.delete(TopicTerms.file(t, s));
        }
        StringBuilder log = new StringBuilder();
        assertEquals(0, Prepare.run(config(corpus, o), log::append).computed());
        for (Path p : files) {
            String rel = out.relativize(p).toString();
            if (!rel.equals("prepare-report.json")) {         // timings
                assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(o.resolve(rel)), rel);
            }
        }
        assertTrue(log.toString().contains("targets unchanged"), log.toString());
        // Stored targets that the refit does not reproduce (another version's): no terms, targets left alone.
        Files.delete(TopicTerms.file(t, "tag"));
        byte[] z = Files.readAllBytes(t.resolve("tag.npy"));
        z[z.length - 1] ^= 0x01;
        Files.write(t.resolve("tag.npy"), z);
        // as another version's folder records them (else they are damage, and computed again)
        Path pj = o.resolve("prepared.json");
        Map<String, Object> prepared = dev.mtdtl.tensor.io.JsonFields.read(pj);
        @SuppressWarnings("unchecked")
        Map<String, Object> crc = (Map<String, Object>) prepared.get("crc32");
        crc.put("learning/targets/tag.npy", dev.mtdtl.tensor.io.Checksums.crc32(t.resolve("tag.npy")));
        Files.writeString(pj, dev.mtdtl.tensor.io.Json.write(prepared, 2) + "\n");
        StringBuilder log2 = new StringBuilder();
        Prepare.run(config(corpus, o), log2::append);
        assertTrue(!Files.exists(TopicTerms.file(t, "tag")));
        assertTrue(log2.toString().contains("topics tag: not kept"), log2.toString());
        assertArrayEquals(z, Files.readAllBytes(t.resolve("tag.npy")));
    }

    @Test
    void batchesHoldDistinctLabelledTracksAndTheirTargets() throws IOException {
        LearningData d = LearningData.open(out);
        int b = 4;
        float[] x = new float[b * 2 * 216 * 128];
        float[] z = new float[b * K];
        int[] tracks = new int[b];
        d.batch("tag", false, b, 216, new Rng(1), x, z, tracks);
        assertEquals(b, Arrays.stream(tracks).distinct().count());
        LearningData.Targets t = d.targets("tag");
        List<String> ids = Tsv.read(out.resolve("learning/tracks.tsv")).rows().stream().map(r -> r[0]).toList();
        for (int i = 0; i < b; i++) {
            int row = ids.indexOf(d.train().id(tracks[i]));
            assertEquals(1, t.mask()[row]);
            assertArrayEquals(Arrays.copyOfRange(t.z(), row * K, row * K + K), Arrays.copyOfRange(z, i * K, i * K + K));
        }
        // The same generator state gives the same batch (crops are cut in parallel with per-item seeds).
        float[] x2 = new float[x.length];
        d.batch("tag", false, b, 216, new Rng(1), x2, new float[b * K], new int[b]);
        assertArrayEquals(x, x2);
        assertThrows(IllegalArgumentException.class, () -> d.batch("self", true, 3, 216, new Rng(1), x, null, tracks));
    }

    @Test
    void targetDatasetsGetStoresAndTables() throws IOException {
        for (String d : List.of("genre", "dance", "instrument", "emotion", "recsys")) {
            Path p = out.resolve("targets").resolve(d);
            try (MelStore s = MelStore.open(p, "all")) {
                assertEquals(Tsv.read(corpus.resolve("targets").resolve(d).resolve("tracks.tsv")).rows().size(), s.size());
            }
            assertTrue(Files.isRegularFile(p.resolve("split.tsv")));
        }
        assertTrue(Files.isRegularFile(out.resolve("targets/recsys/plays.tsv")));
        assertTrue(Files.isRegularFile(out.resolve("targets/genre/labels.tsv")));
    }

    @Test
    void aKilledRunResumesWithoutRedoingFinishedTracks() throws IOException {
        Path o = tmp.resolve("resume");
        assertThrows(MelStoreWriter.Stopped.class, () -> Prepare.run(config(corpus, o).withStopAfter(4), s -> { }));
        Map<String, Object> p = Json.parseObject(Files.readString(o.resolve("learning/train.progress.json")), "p");
        int done = ((Number) p.get("done")).intValue();
        assertTrue(done >= 4 && done < 22);
        // A kill between checkpoints leaves bytes beyond the recorded lengths: they must be dropped.
        Files.write(o.resolve("learning/train.mel.part"), new byte[1000], StandardOpenOption.APPEND);
        Files.writeString(o.resolve("learning/train.index.part"), "junk\t1\t2\n", StandardOpenOption.APPEND);
        Prepare.Report r = Prepare.run(config(corpus, o), s -> { });
        assertEquals(first.computed() - done, r.computed());
        assertArrayEquals(Files.readAllBytes(out.resolve("learning/train.mel")),
                Files.readAllBytes(o.resolve("learning/train.mel")));
        assertEquals(Files.readString(out.resolve("learning/train.index.tsv")),
                Files.readString(o.resolve("learning/train.index.tsv")));
        assertArrayEquals(Files.readAllBytes(out.resolve("learning/targets/tag.npy")),
                Files.readAllBytes(o.resolve("learning/targets/tag.npy")));
        // A complete folder: nothing is recomputed.
        assertEquals(0, Prepare.run(config(corpus, o), s -> { }).computed());
        IOException e = assertThrows(IOException.class,
                () -> Prepare.run(config(corpus, o).withSeed(6), s -> { }));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    /**
     * Bytes of the recorded part changed after a checkpoint (a bad disk, a stray write): the resumed run must not seal
     * them into the finished store with a fresh CRC; it builds the store again and ends with the uninterrupted bytes.
     */
    @Test
    void aDamagedPartIsBuiltAgainNotSealed() throws IOException {
        Path o = tmp.resolve("resume-damaged");
        assertThrows(MelStoreWriter.Stopped.class, () -> Prepare.run(config(corpus, o).withStopAfter(4), s -> { }));
        Path part = o.resolve("learning/train.mel.part");
        byte[] b = Files.readAllBytes(part);
        b[100] ^= 1;
        Files.write(part, b);
        List<String> said = new java.util.ArrayList<>();
        Prepare.Report r = Prepare.run(config(corpus, o), said::add);
        assertTrue(said.stream().anyMatch(l -> l.contains("does not match the checksums")), String.join("\n", said));
        assertEquals(first.computed(), r.computed(), "every track computed again");
        assertArrayEquals(Files.readAllBytes(out.resolve("learning/train.mel")),
                Files.readAllBytes(o.resolve("learning/train.mel")));
    }

    /**
     * A finished folder whose learning arrays were damaged since (a bit of a target, of its mask, of the statistics):
     * prepare run again (the quickstart reruns every step) computes them again, byte for byte, and prepared.json keeps
     * their true CRC-32s. Before, it kept the damaged files (their names exist) and recorded their CRC-32s anew,
     * sealing the damage for training to read as valid.
     */
    @Test
    void damagedLearningArraysOfAFinishedFolderAreComputedAgainNotSealed() throws IOException {
        Path o = tmp.resolve("rerun-damaged");
        Prepare.run(config(corpus, o), s -> { });
        String[] hit = {"learning/targets/tag.npy", "learning/targets/year.mask.npy", "learning/stats.npy"};
        for (String f : hit) {
            byte[] b = Files.readAllBytes(o.resolve(f));
            b[b.length - 3] ^= 0x08;   // in the data, past the .npy header
            Files.write(o.resolve(f), b);
        }
        List<String> said = new java.util.ArrayList<>();
        Prepare.run(config(corpus, o), said::add);
        for (String f : hit) {
            assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(o.resolve(f)), f);
            assertTrue(said.stream().anyMatch(l -> l.contains(o.resolve(f) + ": does not match the CRC-32")), f + ": "
                    + String.join("\n", said));
        }
        assertEquals(Files.readString(out.resolve("prepared.json")).replace(out.toString(), "X"),
                Files.readString(o.resolve("prepared.json")).replace(o.toString(), "X"));
    }

    @Test
    void unreadableAudioIsSkippedAndReported() throws IOException {
        Path c = copyCorpus("bad-audio");
        Tsv.Table tracks = Tsv.read(c.resolve("learning/tracks.tsv"));
        String[] victim = tracks.rows().get(2);
        Files.writeString(c.resolve("learning").resolve(victim[tracks.column("audio")]), "not a wav file at all");
        // and one damaged file that decodes: stored, and listed with its damage (the decoder sniffs FLAC by its bytes)
        String[] hurt = tracks.rows().get(5);
        Files.write(c.resolve("learning").resolve(hurt[tracks.column("audio")]), dev.mtdtl.dsp.TestAudio.damagedFlac(6,
                1, 2));
        Path o = tmp.resolve("bad-audio-out");
        Prepare.Report r = Prepare.run(config(c, o), s -> { });
        assertEquals(1, r.failed());
        assertEquals(1, r.damaged());
        String rep = Files.readString(o.resolve("prepare-report.json"));
        assertTrue(rep.contains(victim[0]), rep);
        List<?> damaged = (List<?>) JsonFields.read(o.resolve("prepare-report.json")).get("damaged_audio");
        assertEquals(1, damaged.size(), rep);
        Map<?, ?> d = (Map<?, ?>) damaged.get(0);
        assertEquals(hurt[0], d.get("track"));
        assertTrue(((String) d.get("damage")).startsWith("1 damaged FLAC frame replaced by silence (frame at byte "),
                rep);
        try (MelStore tr = MelStore.open(o.resolve("learning"), "train");
             MelStore va = MelStore.open(o.resolve("learning"), "valid")) {
            assertEquals(23, tr.size() + va.size());
            assertEquals(-1, tr.indexOf(victim[0]));
            assertTrue(tr.indexOf(hurt[0]) >= 0 || va.indexOf(hurt[0]) >= 0);
        }
    }

    /**
     * Every learning track unreadable (the old mtdtl.jar on MP3 previews): prepare stops naming the reason instead of
     * sealing empty stores with statistics of no frame; with the audio mended, the run that follows gives the bytes of
     * a run that never failed, statistics included.
     */
    @Test
    void noReadableLearningAudioStopsTheRunAndTheMendedRerunMatchesAFreshOne() throws IOException {
        Path c = copyCorpus("no-audio");
        Tsv.Table tracks = Tsv.read(c.resolve("learning/tracks.tsv"));
        Map<Path, byte[]> saved = new java.util.HashMap<>();
        for (String[] row : tracks.rows()) {
            Path f = c.resolve("learning").resolve(row[tracks.column("audio")]);
            saved.put(f, Files.readAllBytes(f));
            Files.writeString(f, "ID3 but no frames");
        }
        Path o = tmp.resolve("no-audio-out");
        IOException e = assertThrows(IOException.class, () -> Prepare.run(config(c, o), s -> { }));
        assertTrue(e.getMessage().startsWith("train: none of its ") && e.getMessage().contains("every one: "),
                e.getMessage());
        assertTrue(!Files.exists(o.resolve("learning/train.json")) && !Files.exists(o.resolve("learning/stats.npy")));
        for (Map.Entry<Path, byte[]> f : saved.entrySet()) {
            Files.write(f.getKey(), f.getValue());
        }
        Prepare.run(config(c, o), s -> { });
        for (String f : List.of("learning/train.mel", "learning/valid.mel", "learning/stats.npy")) {
            assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(o.resolve(f)), f);
        }
        // The folder an older engine left (stores sealed empty, statistics of no frame: zeros): built again, all of it.
        MelStoreUnreadableTest.sealEmpty(o.resolve("learning"), "train");
        MelStoreUnreadableTest.sealEmpty(o.resolve("learning"), "valid");
        BandStats zero = new BandStats(128);
        Files.delete(o.resolve("learning/stats.npy"));
        zero.save(o.resolve("learning/stats.npy"));
        Prepare.run(config(c, o), s -> { });
        for (String f : List.of("learning/train.mel", "learning/valid.mel", "learning/stats.npy")) {
            assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(o.resolve(f)), f + " again");
        }
    }

    @Test
    void aMalformedLabelLineFailsWithFileAndLine() throws IOException {
        Path c = copyCorpus("bad-label");
        Path bpm = c.resolve("learning/sources/bpm.tsv");
        long lines = Files.readAllLines(bpm).size();
        Files.writeString(bpm, "TRL000001\tfast\n", StandardOpenOption.APPEND);
        IOException e = assertThrows(IOException.class, () -> Prepare.run(config(c, tmp.resolve("bad-label-out")), s -> { }));
        assertTrue(e.getMessage().contains("bpm.tsv:" + (lines + 1) + ":"), e.getMessage());
    }

    private static Path firstAudio() throws IOException {
        Tsv.Table tracks = Tsv.read(corpus.resolve("learning/tracks.tsv"));
        return corpus.resolve("learning").resolve(tracks.rows().get(0)[tracks.column("audio")]);
    }

    private static Path copyCorpus(String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(corpus)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = to.resolve(corpus.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return to;
    }
}
