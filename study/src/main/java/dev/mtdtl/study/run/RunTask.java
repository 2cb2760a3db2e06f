package dev.mtdtl.study.run;

import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.eval.Extractor;
import dev.mtdtl.eval.FeatureSet;
import dev.mtdtl.eval.PreparedTraining;
import dev.mtdtl.eval.TargetDataset;
import dev.mtdtl.factor.Wmf;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.study.design.PlanRow;
import dev.mtdtl.study.design.Schedule;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.io.Checksums;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One unit of a study: a plan row (train, then extract and evaluate on every target dataset) or a baseline
 * (Rand, MFCC: extract and evaluate). Every step resumes: training from the run's newest checkpoint (skipped
 * when it holds the full length), a feature folder that is complete is kept, a dataset whose rows are in the
 * run's results.csv is not evaluated again (when the file matches the CRC-32 its status.json records; else every
 * dataset is), and the merge into STUDY/results.csv adds the rows it lacks. A failure is recorded (status failed,
 * error.txt with the stack trace) and returned, never thrown, so that one bad run does not stop the others.
 */
final class RunTask {

    /** What happened. */
    enum Outcome { DONE, FAILED, SKIPPED_HELD }

    /** Default training checkpoint interval, so that a killed run loses little (0 would be every epoch). */
    static final int CHECKPOINT_EVERY = 100;

    private final RunStore store;
    private final Path prepared;
    private final List<String> datasets;
    private final Schedule schedule;
    private final long studySeed;
    private final Device device;
    private final String executor;
    private final int checkpointEvery;
    private final String code;

    RunTask(RunStore store, Path prepared, List<String> datasets, Schedule schedule, long studySeed, Device device,
            String executor, int checkpointEvery, String code) {
        this.store = store;
        this.prepared = prepared;
        this.datasets = datasets;
        this.schedule = schedule;
        this.studySeed = studySeed;
        this.device = device;
        this.executor = executor;
        this.checkpointEvery = checkpointEvery;
        this.code = code;
    }

    /** Run a plan row ({@code row} non-null) or the baseline {@code id} ("rand", "mfcc"). */
    Outcome run(String id, PlanRow row) throws IOException {
        try (RunStore.Claim claim = store.tryClaim(id)) {
            if (claim == null) {
                return Outcome.SKIPPED_HELD;
            }
            Path dir = store.dir(id);
            Files.deleteIfExists(dir.resolve("error.txt"));
            dev.mtdtl.tensor.io.AtomicFiles.removeStaleIn(dir);   // what a killed attempt was writing (the run is ours)
            boolean trusted = store.resultsTrusted(id);   // before "running" replaces the status that holds the checksum
            List<String> codes = store.codes(id);         // likewise: the builds that worked on the run before
            if (!codes.contains(code)) {
                codes.add(code);
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put(RunStore.CODES, codes);
            info.put("executor", executor);
            info.put("host", host());
            info.put("pid", ProcessHandle.current().pid());
            info.put("device", device.name());
            info.put("started", java.time.Instant.now().toString());
            if (trusted && Files.isRegularFile(dir.resolve(RunStore.RESULTS))) {
                info.put(RunStore.RESULTS_CRC, Checksums.crc32(dir.resolve(RunStore.RESULTS)));
            }
            store.setStatus(id, "running", info);
            long t0 = System.nanoTime();
            try (PrintStream log = new PrintStream(Files.newOutputStream(dir.resolve("log.txt"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
                log.printf(Locale.ROOT, "== %s %s on %s (executor %s, host %s, build %s)%n", java.time.Instant.now(),
                        id, row == null ? "baseline" : row.strategy().id() + " " + row.sourceIds(), executor, host(),
                        code);
                if (codes.size() > 1) {
                    log.printf(Locale.ROOT, "this run was started by build %s: what it resumes (checkpoints, "
                            + "features, results) was made by another build than what it makes now%n", codes.get(0));
                }
                try {
                    if (!trusted && Files.deleteIfExists(dir.resolve(RunStore.RESULTS))) {
                        log.printf(Locale.ROOT, "%s does not match the CRC-32 that %s records (damaged, or written "
                                + "just before a kill): its datasets are evaluated again%n", dir.resolve(RunStore.RESULTS),
                                dir.resolve("status.json"));
                    }
                    work(id, row, dir, log, info);
                } catch (Exception | OutOfMemoryError | StackOverflowError e) {
                    java.io.StringWriter sw = new java.io.StringWriter();
                    e.printStackTrace(new java.io.PrintWriter(sw));
                    dev.mtdtl.tensor.io.AtomicFiles.writeString(dir.resolve("error.txt"), sw.toString());
                    log.println("FAILED: " + e);
                    store.setStatus(id, "failed", Map.of("error", String.valueOf(e.getMessage()),
                            "seconds", (System.nanoTime() - t0) / 1e9));
                    return Outcome.FAILED;
                }
            }
            store.setStatus(id, "done", Map.of("seconds", (System.nanoTime() - t0) / 1e9,
                    "finished", java.time.Instant.now().toString()));
            return Outcome.DONE;
        }
    }

    private void work(String id, PlanRow row, Path dir, PrintStream log, Map<String, Object> info) throws IOException {
        Extractor ex;
        if (row != null) {
            train(row, dir, log);
            ex = Extractor.fromRun(dir).on(device);
        } else {
            ex = switch (id) {
                case "rand" -> Extractor.rand(studySeed).on(device);
                case "mfcc" -> Extractor.mfcc();
                default -> throw new IllegalArgumentException("unknown baseline '" + id + "'");
            };
        }
        List<Evaluation.Row> rows = new ArrayList<>(store.runResults(id));
        Set<String> evaluated = new HashSet<>();
        rows.forEach(r -> evaluated.add(r.dataset()));
        Wmf.Variant variant = schedule.wmfVariant().equals("paper") ? Wmf.Variant.PAPER_CONSISTENT
                : Wmf.Variant.REFERENCE_CODE;
        for (String d : datasets) {
            TargetDataset ds = TargetDataset.open(prepared.resolve("targets").resolve(d));
            if (evaluated.contains(ds.name)) {
                continue;
            }
            Path fdir = dir.resolve("features").resolve(d);
            FeatureSet f = FeatureSet.complete(fdir) ? FeatureSet.read(fdir) : extract(ex, ds, fdir, log);
            long t0 = System.nanoTime();
            // MLP inputs standardised with the training split's statistics: mtdtl evaluate's default.
            List<Evaluation.Row> r = Evaluation.run(f, ds, schedule.evalRepetitions(), studySeed, true,
                    schedule.evalMaxEpochs(), variant, log);
            rows.addAll(r);
            Evaluation.write(dir.resolve(RunStore.RESULTS), rows);
            info.put(RunStore.RESULTS_CRC, Checksums.crc32(dir.resolve(RunStore.RESULTS)));
            store.setStatus(id, "running", info);
            log.printf(Locale.ROOT, "evaluated on %s: %d rows in %.1f s; repetitions differ by %s%n", d, r.size(),
                    (System.nanoTime() - t0) / 1e9, Evaluation.repetitionsDiffer(f, ds, false));
        }
        store.merge(id, rows);
    }

    private void train(PlanRow row, Path dir, PrintStream log) throws IOException {
        TrainConfig cfg = TrainConfig.paper(row.seed()).withBatch(schedule.batch()).withLr(schedule.lr())
                .withIntervals(0, checkpointEvery, 50);
        Trainer trainer = PreparedTraining.trainer(prepared, row.strategy(), row.sources(), cfg, device);
        boolean resumed = trainer.resume(dir);
        long total = schedule.totalIterations(row.sources().size(), trainer.iterationsPerEpoch());
        if (resumed && trainer.iteration() >= total) {
            log.printf(Locale.ROOT, "training already done (%d iterations)%n", trainer.iteration());
            return;
        }
        log.printf(Locale.ROOT, "training %s on %s: %d iterations of batch %d (%s)%s%n", row.strategy().id(),
                row.sourceIds(), total, schedule.batch(), schedule.length(),
                resumed ? ", resuming at " + trainer.iteration() : "");
        long t0 = System.nanoTime();
        trainer.run(total, dir, log);
        log.printf(Locale.ROOT, "trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static FeatureSet extract(Extractor ex, TargetDataset ds, Path out, PrintStream log) throws IOException {
        MelStore store = ds.store(!ex.isMfcc());
        long t0 = System.nanoTime();
        float[] x = ex.extract(store, log);
        double sec = (System.nanoTime() - t0) / 1e9;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < store.size(); i++) {
            ids.add(store.id(i));
        }
        FeatureSet f = new FeatureSet(ex.name(), ex.strategyId(), ex.sourceIds(), ds.name, ids, x, ex.dims());
        f.write(out);   // no timing in features.json: feature folders are byte-deterministic
        log.printf(Locale.ROOT, "extracted %s: %d tracks x %d dims in %.1f s%n", ds.name, ids.size(), ex.dims(), sec);
        return f;
    }

    static String host() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "unknown";
            }
        }
        return h;
    }
}
