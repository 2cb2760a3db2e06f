package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    static final int C = 2;
    static final int T = 64;
    static final int F = 32;
    static final int K = 5;
    static final List<Source> THREE = List.of(Source.SELF, Source.TAG, Source.YEAR);

    /**
     * Learnable synthetic tracks: track i has class i % K, its mel matrix is noise plus a bump on mel
     * bands [6c, 6c + 6), and z = 0.8 one-hot(c) + 0.04. Every third track lacks the year label.
     */
    static InMemoryTrainingData.SplitData split(long seed, int n) {
        Rng r = new Rng(seed);
        float[][] mel = new float[n][];
        int[] len = new int[n];
        Map<Source, float[]> z = new EnumMap<>(Source.class);
        Map<Source, boolean[]> mask = new EnumMap<>(Source.class);
        for (Source s : List.of(Source.TAG, Source.YEAR)) {
            z.put(s, new float[n * K]);
            mask.put(s, new boolean[n]);
        }
        for (int i = 0; i < n; i++) {
            int cls = i % K;
            len[i] = T + 8 + r.nextInt(16);
            mel[i] = new float[C * len[i] * F];
            for (int j = 0; j < mel[i].length; j++) {
                int band = j % F;
                mel[i][j] = (float) (0.5 * r.nextGaussian()) + (band >= 6 * cls && band < 6 * cls + 6 ? 2f : 0f);
            }
            for (Source s : List.of(Source.TAG, Source.YEAR)) {
                int c2 = s == Source.TAG ? cls : (cls + 1) % K;
                for (int k = 0; k < K; k++) {
                    z.get(s)[i * K + k] = 0.04f + (k == c2 ? 0.8f : 0f);
                }
                mask.get(s)[i] = s == Source.TAG || i % 3 != 2;
            }
        }
        return new InMemoryTrainingData.SplitData(mel, len, z, mask);
    }

    static InMemoryTrainingData data() {
        return new InMemoryTrainingData(C, T, F, K, split(1, 12), split(2, 9));
    }

    static MultiSourceNet net(Strategy st, List<Source> sources, float dropout) {
        return new MultiSourceNet(st, sources, new BaseCnn.Spec(2, new int[]{4, 4, 6, 6, 8, 8, 8}, 16, K, dropout), 8, 42);
    }

    static TrainConfig cfg() {
        return TrainConfig.paper(7).withBatch(4).withLr(3e-3f).withIntervals(3, 4, 0);
    }

    /** Training-mode loss of a fixed batch per source, from a copy of the sampler's stream. */
    static float fixedLoss(MultiSourceNet net, BatchSampler s, Source src) {
        BatchSampler.Batch b = s.batch(1000, src);
        Tensor y = src.isSelf() ? net.forwardPair(b.x(), b.x2()) : net.forward(src, b.x());
        return new KlLoss(dev.mtdtl.tensor.cpu.KlReduction.BATCHMEAN).forward(y, b.z());
    }

    @Test
    void everyStrategyLearns() throws IOException {
        InMemoryTrainingData d = data();
        for (Strategy st : Strategy.values()) {
            List<Source> srcs = st == Strategy.SSR ? List.of(Source.TAG) : THREE;
            MultiSourceNet net = net(st, srcs, 0f);
            Trainer tr = new Trainer(net, d, cfg().withLr(1e-2f));
            BatchSampler probe = new BatchSampler(d, TrainingData.Split.TRAIN, srcs, 8, 99, false);
            Map<Source, Float> before = new EnumMap<>(Source.class);
            for (Source s : srcs) {
                before.put(s, fixedLoss(net, probe, s));
            }
            tr.run(40L * srcs.size(), null, null);
            for (Source s : srcs) {
                if (s.isSelf()) {
                    continue;   // same/different needs far more than 40 steps here; see selfSourceFitsAFixedBatch
                }
                float after = fixedLoss(net, probe, s);
                assertTrue(after < 0.8f * before.get(s), st.id() + "/" + s.id() + ": loss " + before.get(s) + " -> " + after);
            }
        }
    }

    @Test
    void selfSourceFitsAFixedBatch() {
        InMemoryTrainingData d = data();
        for (Strategy st : Strategy.values()) {
            MultiSourceNet net = net(st, st == Strategy.SSR ? List.of(Source.SELF) : THREE, 0f);
            Trainer tr = new Trainer(net, d, cfg());
            BatchSampler.Batch b = new BatchSampler(d, TrainingData.Split.TRAIN, List.of(Source.SELF), 8, 5, true)
                    .batch(0, Source.SELF);
            float first = tr.step(b);
            float last = first;
            for (int i = 0; i < 15; i++) {
                last = tr.step(b);
            }
            assertTrue(last < 0.7f * first, st.id() + ": self loss " + first + " -> " + last);
        }
    }

    @Test
    void idleBranchesAndTheirMomentsDoNotMove() {
        InMemoryTrainingData d = data();
        MultiSourceNet net = net(Strategy.MSCR4, THREE, 0f);   // dropout off: no all-zero rows in this narrow net
        Trainer tr = new Trainer(net, d, cfg());
        BatchSampler s = new BatchSampler(d, TrainingData.Split.TRAIN, THREE, 4, 3, false);
        tr.step(s.batch(0, Source.YEAR));                   // give YEAR non-zero moments first
        Map<Param, float[]> snap = new java.util.HashMap<>();
        for (Param p : net.stateDict()) {
            snap.put(p, p.value().data().clone());
        }
        float[] m0 = tr.adam(Source.YEAR).expAvg(0).data().clone();
        float[] v0 = tr.adam(Source.YEAR).expAvgSq(0).data().clone();
        for (Source active : List.of(Source.TAG, Source.SELF)) {
            tr.step(s.batch(1, active));
        }
        Set<Param> idle = new HashSet<>(net.branchParams(Source.YEAR));
        for (Param p : net.params()) {
            boolean moved = !Arrays.equals(snap.get(p), p.value().data());
            assertEquals(!idle.contains(p), moved, p.name());
        }
        assertArrayEquals(m0, tr.adam(Source.YEAR).expAvg(0).data(), 0f);
        assertArrayEquals(v0, tr.adam(Source.YEAR).expAvgSq(0).data(), 0f);
        assertEquals(1, tr.adam(Source.YEAR).steps());
        assertEquals(3, tr.sharedAdam().steps());
        // YEAR's BN running statistics stayed too (only its own forwards move them)
        for (Param p : net.stateDict()) {
            if (!p.trainable() && p.name().startsWith("branches.year.")) {
                assertArrayEquals(snap.get(p), p.value().data(), 0f, p.name());
            }
        }
    }

    @Test
    void samplerDrawsDistinctLabelledTracksDeterministically() {
        InMemoryTrainingData d = data();
        BatchSampler s = new BatchSampler(d, TrainingData.Split.TRAIN, THREE, 6, 5, true);
        Set<Integer> allowed = new HashSet<>();
        for (int t : d.labelled(TrainingData.Split.TRAIN, Source.YEAR)) {
            allowed.add(t);
        }
        for (long i = 0; i < 20; i++) {
            BatchSampler.Batch a = s.batch(i, Source.YEAR);
            assertEquals(6, Arrays.stream(a.tracks()).distinct().count());
            assertTrue(Arrays.stream(a.tracks()).allMatch(allowed::contains));
            assertArrayEquals(a.x().data(), s.batch(i, Source.YEAR).x().data(), 0f);
            BatchSampler.Batch p = s.batch(i, Source.SELF);
            float same = 0;
            for (int n = 0; n < 6; n++) {
                same += p.z().data()[2 * n + 1];
            }
            assertEquals(3f, same, "balanced self batches hold exactly B/2 positive pairs");
        }
        Map<Source, Integer> counts = new EnumMap<>(Source.class);
        for (long i = 0; i < 300; i++) {
            counts.merge(s.sourceOf(i), 1, Integer::sum);
        }
        assertEquals(3, counts.size());
        counts.values().forEach(c -> assertTrue(c > 70, counts.toString()));
        assertEquals((12 / 4 + 1) * 3, new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg()).iterationsPerEpoch());
        assertThrows(IllegalArgumentException.class,
                () -> new BatchSampler(d, TrainingData.Split.TRAIN, List.of(Source.YEAR), 9, 1, false));
    }

    static List<float[]> state(Trainer t) {
        List<float[]> r = new ArrayList<>();
        for (Param p : t.net().stateDict()) {
            r.add(p.value().data());
        }
        for (Source s : t.net().sources()) {
            Adam a = t.adam(s);
            for (int i = 0; i < a.params().size(); i++) {
                r.add(a.expAvg(i).data());
                r.add(a.expAvgSq(i).data());
            }
            r.add(new float[]{a.steps()});
        }
        for (Dropout d : t.net().dropouts()) {
            r.add(new float[]{d.calls()});
        }
        for (BatchNorm b : t.net().batchNorms()) {
            r.add(new float[]{b.batchesTracked()});
        }
        return r;
    }

    @Test
    void resumedRunIsBitIdenticalToAnUninterruptedOne(@TempDir Path tmp) throws IOException {
        InMemoryTrainingData d = data();
        for (Strategy st : List.of(Strategy.MSCR2, Strategy.MSSRFC)) {
            Path a = tmp.resolve(st.id() + "-a");
            Path b = tmp.resolve(st.id() + "-b");
            Trainer full = new Trainer(net(st, THREE, 0.5f), d, cfg());
            full.run(14, a, null);
            Trainer first = new Trainer(net(st, THREE, 0.5f), d, cfg());
            first.run(9, b, null);                               // checkpoints at 4, 8 and the end, 9
            Trainer second = new Trainer(net(st, THREE, 0.5f), d, cfg());
            assertTrue(second.resume(b));
            assertEquals(9, second.iteration());
            second.run(14, b, null);
            List<float[]> x = state(full);
            List<float[]> y = state(second);
            assertEquals(x.size(), y.size());
            for (int i = 0; i < x.size(); i++) {
                assertArrayEquals(x.get(i), y.get(i), 0f, st.id() + " state entry " + i);
            }
            assertEquals(Files.readString(a.resolve("valid.csv")), Files.readString(b.resolve("valid.csv")));
            assertEquals(Checkpoint.dir(b, 14), Checkpoint.latest(b));
            assertEquals(2, Files.list(b.resolve("checkpoints")).count(), "keeps the newest two");
        }
    }

    @Test
    void corruptOrForeignCheckpointsAreRefusedClearly(@TempDir Path tmp) throws IOException {
        InMemoryTrainingData d = data();
        Trainer t = new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg());
        t.run(2, tmp, null);
        Path ck = Checkpoint.latest(tmp);
        // a crash while writing leaves a temporary directory (and maybe a directory without a sidecar): ignored
        Files.createDirectories(tmp.resolve("checkpoints/.tmp-it-123/x"));
        Files.createDirectories(Checkpoint.dir(tmp, 999));
        assertEquals(ck, Checkpoint.latest(tmp));
        Trainer again = new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg());
        assertTrue(again.resume(tmp));
        assertEquals(2, again.iteration());
        again.run(3, tmp, null);
        assertFalse(Files.exists(tmp.resolve("checkpoints/.tmp-it-123")), "stale temporary removed");
        Files.delete(Checkpoint.dir(tmp, 999));
        ck = Checkpoint.latest(tmp);
        Exception foreign = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(net(Strategy.MSCR4, THREE, 0.5f), d, cfg()).resume(tmp));
        assertTrue(foreign.getMessage().contains("another run"), foreign.getMessage());
        Path model = ck.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(model, bytes);
        Trainer fell = new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg());
        assertTrue(fell.resume(tmp), "falls back to the older checkpoint that verifies");
        assertEquals(2, fell.iteration());
        Files.writeString(Checkpoint.dir(tmp, 2).resolve("checkpoint.json"), "{\"format\": \"something-else\"}");
        Exception other = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg()).resume(tmp));
        assertTrue(other.getMessage().contains("not an mtdtl checkpoint"), other.getMessage());
        assertFalse(new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg()).resume(tmp.resolve("empty")));
    }

    @Test
    void nonFiniteValuesStopWithSourceAndIteration() {
        InMemoryTrainingData d = data();
        MultiSourceNet net = net(Strategy.MSSCR, THREE, 0.5f);
        Trainer t = new Trainer(net, d, cfg());
        net.branchParams(Source.TAG).get(0).value().data()[0] = Float.NaN;
        BatchSampler s = new BatchSampler(d, TrainingData.Split.TRAIN, THREE, 4, 3, false);
        t.step(s.batch(0, Source.YEAR));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> t.step(s.batch(1, Source.TAG)));
        assertTrue(e.getMessage().contains("iteration 1") && e.getMessage().contains("tag"), e.getMessage());
    }

    @Test
    void progressLinesAndValidationLog(@TempDir Path tmp) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Trainer t = new Trainer(net(Strategy.MSSRFC, THREE, 0.5f), data(), cfg().withIntervals(2, 0, 2));
        t.run(4, tmp, new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        String[] lines = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, Arrays.toString(lines));
        assertTrue(lines[1].matches("epoch 1/1  it 4/4  \\S+ +loss \\d+\\.\\d+  [\\d.]+ samples/s  ETA 0:00:00"), lines[1]);
        List<String> csv = Files.readAllLines(tmp.resolve("valid.csv"));
        assertEquals("iteration,epoch,source,kl", csv.get(0));
        assertEquals(1 + 2 * 3, csv.size(), csv.toString());
        assertTrue(csv.get(1).startsWith("2,0.1667,self,"), csv.get(1));
        String side = Files.readString(Checkpoint.latest(tmp).resolve("checkpoint.json"));
        assertTrue(side.contains("\"strategy\": \"mssrfc\"") && side.contains("\"iteration\": 4"), side);
    }

    /** Data that fails once {@code limit} crops have been read: a run that dies mid-way (no final checkpoint). */
    static TrainingData failingAfter(InMemoryTrainingData d, int limit) {
        int[] count = {0};
        return new TrainingData() {
            public int channels() { return d.channels(); }
            public int frames() { return d.frames(); }
            public int mels() { return d.mels(); }
            public int nOut() { return d.nOut(); }
            public int numTracks(Split s) { return d.numTracks(s); }
            public int[] labelled(Split s, Source src) { return d.labelled(s, src); }
            public void target(Split s, Source src, int t, float[] dst, int off) { d.target(s, src, t, dst, off); }
            public void crop(Split s, int t, Rng rng, float[] dst, int off) {
                if (s == Split.TRAIN && ++count[0] > limit) {
                    throw new IllegalStateException("simulated crash");
                }
                d.crop(s, t, rng, dst, off);
            }
        };
    }

    @Test
    void runThatDiesMidwayResumesFromItsLastCheckpoint(@TempDir Path tmp) throws IOException {
        InMemoryTrainingData d = data();
        Trainer full = new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg());
        full.run(13, tmp.resolve("a"), null);
        Path b = tmp.resolve("b");
        Trainer dying = new Trainer(net(Strategy.MSCR6, THREE, 0.5f), failingAfter(d, 4 * 14), cfg());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dying.run(13, b, null));
        assertTrue(e.getMessage().contains("simulated crash"), e.getMessage());
        long died = dying.iteration();
        assertTrue(died > 8 && died < 13, "died at " + died);
        assertEquals(Checkpoint.dir(b, 8), Checkpoint.latest(b));
        Trainer resumed = new Trainer(net(Strategy.MSCR6, THREE, 0.5f), d, cfg());
        assertTrue(resumed.resume(b));
        resumed.run(13, b, null);
        List<float[]> x = state(full);
        List<float[]> y = state(resumed);
        for (int i = 0; i < x.size(); i++) {
            assertArrayEquals(x.get(i), y.get(i), 0f, "state entry " + i);
        }
        assertEquals(Files.readString(tmp.resolve("a/valid.csv")), Files.readString(b.resolve("valid.csv")));
    }
}
