package dev.mtdtl.data.prepare;

import dev.mtdtl.data.CorpusManifest;
import dev.mtdtl.data.Tsv;
import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.data.store.MelStoreWriter;
import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.OutputLock;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.JsonFields;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code ./mtdtl prepare}: turns a corpus folder (docs/corpus.md, from {@code synth} or an importer) into
 * what training and evaluation read, with no audio decoding left for later:
 * <pre>
 *   OUT/prepare-config.json        the settings (a re-run with other settings is refused)
 *   OUT/learning/split.tsv         track_id  split      (train / valid, seeded, 90/10 by default)
 *   OUT/learning/train.*           mel store of the training split   (format: {@link MelStore})
 *   OUT/learning/valid.*           mel store of the validation split
 *   OUT/learning/stats.npy         per-band mean/std of the training split (BandStats, (3, 128) float64)
 *   OUT/learning/targets/S.npy     z_t of source S, (N, K) float32, rows = learning/tracks order (see
 *   OUT/learning/targets/S.mask.npy    presence (N) int32           {@link LearningTargets})
 *   OUT/learning/tracks.tsv        copy of the corpus's learning tracks.tsv (the row order of the targets)
 *   OUT/targets/D/all.*            mel store of every track of target dataset D (whole files)
 *   OUT/targets/D/*.tsv            its tracks, labels, split (and plays) tables, copied
 *   OUT/prepare-report.json        failures (unreadable audio), damaged audio, timings, tracks/s, peak heap
 *   OUT/prepared.json              what is where; written last (its presence means complete)
 * </pre>
 * Resuming: every stage is skipped when its outputs exist (a store when its header exists; a half-built
 * store continues from its last checkpoint, see {@link MelStoreWriter}); everything is written atomically.
 * Statistics come from the training split only (decision 4), read back from its store.
 *
 * <p>Omitted: stratifying the train/valid split, mono stores (the paper keeps stereo).
 */
public final class Prepare {

    /** Settings; {@code stopAfter} &gt;= 0 is a test hook that stops a store build after that many tracks. */
    public record Config(Path corpus, Path out, MelStore.DType dtype, long seed, double validFraction, int topics,
                         int iterations, double bpmNoise, int stopAfter) {
        public Config {
            if (!(bpmNoise >= 0) || bpmNoise > 1) {
                throw new IllegalArgumentException("bpm noise must be in [0, 1], got " + bpmNoise);
            }
            if (!(validFraction >= 0) || validFraction >= 1) {
                throw new IllegalArgumentException("the validation fraction must be in [0, 1), got " + validFraction);
            }
            if (topics < 1 || iterations < 1) {
                throw new IllegalArgumentException("topics and EM iterations must be at least 1, got " + topics + " and "
                        + iterations);
            }
        }

        public static Config defaults(Path corpus, Path out) {
            return new Config(corpus, out, MelStore.DType.F32, 1L, 0.1, 50, 100, LearningTargets.BPM_NOISE, -1);
        }

        public Config withBpmNoise(double f) {
            return new Config(corpus, out, dtype, seed, validFraction, topics, iterations, f, stopAfter);
        }

        public Config withDType(MelStore.DType d) {
            return new Config(corpus, out, d, seed, validFraction, topics, iterations, bpmNoise, stopAfter);
        }

        public Config withSeed(long s) {
            return new Config(corpus, out, dtype, s, validFraction, topics, iterations, bpmNoise, stopAfter);
        }

        public Config withTopics(int k, int iters) {
            return new Config(corpus, out, dtype, seed, validFraction, k, iters, bpmNoise, stopAfter);
        }

        public Config withStopAfter(int n) {
            return new Config(corpus, out, dtype, seed, validFraction, topics, iterations, bpmNoise, n);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("corpus", corpus.toAbsolutePath().normalize().toString());
            m.put("dtype", dtype.label);
            m.put("seed", seed);
            m.put("valid_fraction", validFraction);
            m.put("topics", topics);
            m.put("iterations", iterations);
            m.put("bpm_noise", bpmNoise);
            m.put("mel_config", MelConfig.paper().toString());
            return m;
        }
    }

    /**
     * Totals of one run: tracks, computed in this run, skipped as unreadable, stored from damaged files (frames or pages
     * left out by their decoders), and the run's time, rate and peak heap.
     */
    public record Report(int tracks, int computed, int failed, int damaged, double seconds, double tracksPerSecond,
                         long peakHeapBytes) {}

    private Prepare() {}

    /** Prepare cfg.out() from cfg.corpus(), resuming what it finds; one writer at a time ({@link OutputLock}). */
    public static Report run(Config cfg, Consumer<String> log) throws IOException {
        if (Files.exists(cfg.out()) && Files.exists(cfg.corpus()) && Files.isSameFile(cfg.corpus(), cfg.out())) {
            // prepare writes learning/ and targets/ of its own, which would mix with (and copy tables onto) the corpus's
            throw new IllegalArgumentException(cfg.out() + ": the prepared folder cannot be the corpus folder "
                    + cfg.corpus() + "; give --out another folder");
        }
        try (OutputLock lock = OutputLock.folder(cfg.out())) {
            int stale = AtomicFiles.removeStaleIn(cfg.out());   // what a killed run was writing when it died
            if (stale > 0) {
                log.accept("removed " + stale + " unfinished file(s) of an interrupted run");
            }
            return runLocked(cfg, log);
        }
    }

    @SuppressWarnings("unchecked")
    private static Report runLocked(Config cfg, Consumer<String> log) throws IOException {
        long t0 = System.nanoTime();
        Map<String, Object> manifest = CorpusManifest.read(cfg.corpus());
        Path out = cfg.out();
        Files.createDirectories(out);
        checkOrWriteConfig(out, cfg.toJson());
        dropDamagedArrays(out, log);
        MelConfig mel = MelConfig.paper();
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> prepared = new LinkedHashMap<>();
        prepared.put("format", "mtdtl-prepared");
        prepared.put("version", 1);
        prepared.put("settings", cfg.toJson());
        List<MelStoreWriter.Failure> failures = new ArrayList<>();
        List<MelStoreWriter.Damaged> damaged = new ArrayList<>();
        int total = 0;
        int computed = 0;

        // Learning corpus: split, stores, statistics, targets.
        Path mf = cfg.corpus().resolve(CorpusManifest.FILE);
        Map<String, Object> learning = JsonFields.obj(manifest, "learning", mf);
        Path lin = inside(cfg.corpus(), JsonFields.str(learning, "dir", mf), mf, "learning.dir");
        Path lout = out.resolve("learning");
        Tsv.Table tracks = Tsv.read(inside(cfg.corpus(), JsonFields.str(learning, "tracks", mf), mf, "learning.tracks"));
        copy(tracks.file(), lout.resolve("tracks.tsv"));
        int idc = tracks.column("track_id");
        int auc = tracks.column("audio");
        List<String> ids = new ArrayList<>();
        for (String[] r : tracks.rows()) {
            ids.add(r[idc]);
        }
        boolean[] valid = split(ids.size(), cfg.validFraction(), cfg.seed());
        List<String[]> splitRows = new ArrayList<>();
        List<MelStoreWriter.Track> train = new ArrayList<>();
        List<MelStoreWriter.Track> val = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            splitRows.add(new String[] {ids.get(i), valid[i] ? "valid" : "train"});
            MelStoreWriter.Track t = new MelStoreWriter.Track(ids.get(i), lin.resolve(tracks.rows().get(i)[auc]));
            (valid[i] ? val : train).add(t);
        }
        Tsv.write(lout.resolve("split.tsv"), new String[] {"track_id", "split"}, splitRows);
        Map<String, Object> lp = new LinkedHashMap<>();
        boolean trainBuilt = false;
        for (Object[] st : new Object[][] {{"train", train}, {"valid", val}}) {
            MelStoreWriter.Result r = MelStoreWriter.build(lout, (String) st[0], (List<MelStoreWriter.Track>) st[1],
                    mel, cfg.dtype(), log, cfg.stopAfter());
            trainBuilt |= st[0].equals("train") && !r.alreadyComplete();
            total += ((List<?>) st[1]).size();
            computed += r.computed();
            failures.addAll(r.failures());
            damaged.addAll(r.damaged());
            lp.put((String) st[0], "learning/" + st[0]);
        }
        Path statsFile = lout.resolve("stats.npy");
        // from the store as it is now: a store built in this run (also one an older engine had sealed empty and
        // the writer rebuilt: its statistics, of no frame, were zeros) never keeps an earlier run's statistics
        if (trainBuilt || !Files.isRegularFile(statsFile)) {
            try (MelStore s = MelStore.open(lout, "train")) {
                BandStats bs = new BandStats(s.mels());
                for (int i = 0; i < s.size(); i++) {
                    float[] x = s.whole(i);
                    bs.add(x, 0, x.length / s.mels());
                }
                bs.save(statsFile);
            }
        }
        lp.put("stats", "learning/stats.npy");
        lp.put("split", "learning/split.tsv");
        lp.put("tracks", "learning/tracks.tsv");
        List<LearningTargets.Summary> sums = LearningTargets.build(cfg.corpus(),
                JsonFields.obj(learning, "sources", mf), ids, lout.resolve("targets"), cfg.topics(),
                cfg.iterations(), cfg.bpmNoise(), cfg.seed(), log);
        Map<String, Object> tj = new LinkedHashMap<>();
        Map<String, Object> tr = new LinkedHashMap<>();
        for (LearningTargets.Summary s : sums) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("z", "learning/targets/" + s.source() + ".npy");
            e.put("mask", "learning/targets/" + s.source() + ".mask.npy");
            e.put("model", s.model());
            e.put("covered", s.covered());
            e.put("rows", s.rows());
            tj.put(s.source(), e);
            tr.put(s.source(), Json.object("seconds", s.seconds(), "reused", s.reused()));
        }
        lp.put("topics", cfg.topics());
        lp.put("sources", tj);
        prepared.put("learning", lp);
        report.put("targets_fit", tr);

        // Target datasets: whole-file stores plus their tables.
        Map<String, Object> targets = JsonFields.obj(manifest, "targets", mf);
        Map<String, Object> tp = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : targets.entrySet()) {
            Map<String, Object> d = JsonFields.obj(targets, e.getKey(), mf);
            if (!CorpusManifest.isDatasetName(e.getKey())) {
                throw new IOException(mf + ": field targets." + e.getKey() + ": a dataset name must be a plain folder name");
            }
            Path din = inside(cfg.corpus(), JsonFields.str(d, "dir", mf), mf, "targets." + e.getKey() + ".dir");
            Path dout = out.resolve("targets").resolve(e.getKey());
            Tsv.Table tt = Tsv.read(inside(cfg.corpus(), JsonFields.str(d, "tracks", mf), mf,
                    "targets." + e.getKey() + ".tracks"));
            List<MelStoreWriter.Track> list = new ArrayList<>();
            for (String[] r : tt.rows()) {
                list.add(new MelStoreWriter.Track(r[tt.column("track_id")], din.resolve(r[tt.column("audio")])));
            }
            MelStoreWriter.Result r = MelStoreWriter.build(dout, "all", list, mel, cfg.dtype(), log, cfg.stopAfter());
            total += list.size();
            computed += r.computed();
            failures.addAll(r.failures());
            damaged.addAll(r.damaged());
            Map<String, Object> dp = new LinkedHashMap<>(d);
            dp.put("dir", "targets/" + e.getKey());
            dp.put("store", "targets/" + e.getKey() + "/all");
            for (String key : List.of("tracks", "labels", "split", "plays")) {
                if (d.get(key) instanceof String f) {
                    Path src = inside(cfg.corpus(), f, mf, "targets." + e.getKey() + "." + key);
                    String name = src.getFileName().toString();
                    copy(src, dout.resolve(name));
                    dp.put(key, "targets/" + e.getKey() + "/" + name);
                }
            }
            dp.remove("truth");
            tp.put(e.getKey(), dp);
        }
        prepared.put("targets", tp);

        double sec = (System.nanoTime() - t0) / 1e9;
        long peak = peakHeap();
        Report rep = new Report(total, computed, failures.size(), damaged.size(), sec, computed / Math.max(1e-9, sec),
                peak);
        report.put("tracks", total);
        report.put("computed_this_run", computed);
        report.put("seconds", sec);
        report.put("tracks_per_second", rep.tracksPerSecond());
        report.put("threads", Parallel.threads());
        report.put("peak_heap_bytes", peak);
        report.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        report.put("failures", MelStoreWriter.failuresJson(failures));
        report.put("damaged_audio", MelStoreWriter.damagedJson(damaged));
        AtomicFiles.writeString(out.resolve("prepare-report.json"), Json.write(report, 2) + "\n");
        // CRC-32 of the learning arrays that training and the embedding API read (the stores carry their own).
        Map<String, Object> crc = new LinkedHashMap<>();
        crc.put("learning/stats.npy", dev.mtdtl.tensor.io.Checksums.crc32(statsFile));
        for (LearningTargets.Summary s : sums) {
            for (String f : List.of("learning/targets/" + s.source() + ".npy", "learning/targets/" + s.source()
                    + ".mask.npy")) {
                crc.put(f, dev.mtdtl.tensor.io.Checksums.crc32(out.resolve(f)));
            }
        }
        prepared.put("crc32", crc);
        AtomicFiles.writeString(out.resolve("prepared.json"), Json.write(prepared, 2) + "\n");
        return rep;
    }

    /**
     * A rerun over a folder prepared before keeps the learning arrays it finds (statistics, targets, masks) and records
     * their CRC-32s anew in prepared.json; so each must still be the bytes the last prepared.json recorded, and one
     * that is not is deleted with a log line, for this run to compute again (the same bytes: every array is a function
     * of the corpus and the settings). Before, a damaged array was kept and its damage sealed under a fresh CRC-32 for
     * training to read as valid (`mtdtl quickstart`, rerun, reruns prepare). A prepared.json that does not parse lists
     * nothing that can be trusted: every learning array is computed again; one without CRC-32s (an older engine's)
     * is left unverified, as its readers leave it.
     */
    @SuppressWarnings("unchecked")
    private static void dropDamagedArrays(Path out, Consumer<String> log) throws IOException {
        Path pj = out.resolve("prepared.json");
        if (!Files.isRegularFile(pj)) {
            return;   // a first run, or one interrupted before its end: nothing was recorded
        }
        Map<String, Object> crc;
        try {
            Object c = JsonFields.read(pj).get("crc32");
            if (c == null) {
                return;   // an engine's from before checksums were recorded: its arrays are read unverified, as elsewhere
            }
            if (!(c instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("field crc32 is not an object");
            }
            crc = (Map<String, Object>) c;
        } catch (IllegalArgumentException | IOException e) {
            log.accept(pj + ": unreadable (" + e.getMessage() + "); computing the learning statistics and targets "
                    + "again");
            Files.deleteIfExists(out.resolve("learning/stats.npy"));
            Path targets = out.resolve("learning/targets");
            if (Files.isDirectory(targets)) {
                try (java.util.stream.Stream<Path> s = Files.list(targets)) {
                    for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".npy")).toList()) {
                        Files.delete(f);
                    }
                }
            }
            return;
        }
        for (Map.Entry<String, Object> e : crc.entrySet()) {
            Path f = out.resolve(e.getKey()).normalize();
            if (!f.startsWith(out.normalize()) || !Files.isRegularFile(f)) {
                continue;   // not this folder's, or gone: computed again anyway
            }
            if (!(e.getValue() instanceof Long want) || dev.mtdtl.tensor.io.Checksums.crc32(f) != want) {
                log.accept(f + ": does not match the CRC-32 in " + pj + " (damaged); computing it again");
                Files.delete(f);
            }
        }
    }

    /** corpus/rel, refused (naming the manifest's field) when rel is absolute or climbs out of the corpus. */
    static Path inside(Path corpus, String rel, Path manifest, String field) throws IOException {
        Path p = corpus.resolve(rel).normalize();
        if (Path.of(rel).isAbsolute() || !p.startsWith(corpus.normalize())) {
            throw new IOException(manifest + ": field " + field + " ('" + rel + "') leaves the corpus folder");
        }
        return p;
    }

    /** Seeded 90/10-style split: exactly round(N f) tracks are valid, chosen by a Fisher-Yates shuffle. */
    static boolean[] split(int n, double validFraction, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Rng rng = new Rng(Rng.hash(seed, 0x5b11L));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        boolean[] v = new boolean[n];
        int nv = (int) Math.round(n * validFraction);
        for (int i = 0; i < nv; i++) {
            v[p[i]] = true;
        }
        return v;
    }

    private static void copy(Path from, Path to) throws IOException {
        AtomicFiles.write(to, o -> Files.copy(from, o));
    }

    private static void checkOrWriteConfig(Path out, Map<String, Object> cfg) throws IOException {
        Path f = out.resolve("prepare-config.json");
        String want = Json.write(cfg, 2) + "\n";
        if (Files.isRegularFile(f)) {
            String have = dev.mtdtl.tensor.io.TextFiles.read(f);
            if (!have.equals(want)) {
                throw new IOException(f + ": this folder was prepared with other settings:\n" + have
                        + "requested:\n" + want + "use another --out or the same settings");
            }
            return;
        }
        AtomicFiles.writeString(f, want);
    }

    /**
     * An upper bound of the heap's peak: the sum of each heap pool's own peak (eden, survivor, old), reached at
     * different times, capped by the heap's limit, which the sum alone can pass (4,884 MB printed for a run in
     * {@code -Xmx3g}, bench/RESULTS.md "Session 47").
     */
    private static long peakHeap() {
        long s = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                s += p.getPeakUsage().getUsed();
            }
        }
        return Math.min(s, Runtime.getRuntime().maxMemory());
    }
}
