package dev.mtdtl.study.run;

import dev.mtdtl.data.store.LearningData;
import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.nn.Source;
import dev.mtdtl.study.design.Plan;
import dev.mtdtl.study.design.PlanRow;
import dev.mtdtl.study.design.Schedule;
import dev.mtdtl.study.design.StudySpec;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Devices;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code mtdtl study run}: the plan's pending rows (and the Rand and MFCC baselines, once per study) on a
 * prepared folder, by a local pool of worker threads; each unit is a {@link RunTask}. Everything is checked
 * before anything is written: the study's files, the plan's rows, the prepared folder holding every source the
 * selected rows need, the device (opened once and shared by the workers), STUDY/results.csv. A run already done is
 * not touched unless STUDY/results.csv lost some of its rows (they are merged back); a failed or interrupted one
 * is tried again; a run claimed by another executor is left to it.
 *
 * <p>Threads: the engine has one kernel pool ({@link Parallel}) whose parallel loops run one at a time, so K
 * workers sharing T threads get T / K threads each (at least 1): with T / K = 1 every worker computes on its
 * own thread in parallel, otherwise the workers take turns on the pool between their serial parts. Results do
 * not depend on either number (the kernels are bit-identical for any thread count, and every run's randomness
 * comes from its seed), which a test checks for 1 and 2 workers.
 */
public final class StudyRunner {

    /** What an invocation did; {@code failedIds} are the runs that failed, in plan order. */
    public record Summary(int done, int failed, int skippedHeld, int alreadyDone, double seconds, List<String> failedIds) {}

    private StudyRunner() {}

    public static Summary run(Path study, Path prepared, RunnerConfig cfg) throws IOException {
        StudySpec spec = StudySpec.read(study);
        List<PlanRow> plan = Plan.read(study, spec);
        RunStore store = new RunStore(study);
        Device device = device(cfg.device());
        spec = applyLength(study, spec, plan, store, cfg);
        List<PlanRow> mine = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            if (i % cfg.shardCount() == cfg.shardIndex()) {
                mine.add(plan.get(i));
            }
        }
        List<String> datasets = checkPrepared(prepared, mine);
        List<String> ids = new ArrayList<>();
        Map<String, PlanRow> rowOf = new LinkedHashMap<>();
        if (cfg.shardIndex() == 0) {
            ids.add("rand");
            ids.add("mfcc");
        }
        for (PlanRow r : mine) {
            ids.add(r.run());
            rowOf.put(r.run(), r);
        }
        // A done run counts as done only while STUDY/results.csv holds all its rows, as its own file has them; one
        // whose rows it lost, or whose own file is damaged, goes through its task again, which finds training and
        // features done, evaluates what it cannot trust, and merges back what is missing. A row the runs' files
        // contradict (another value, a run outside the plan, a repeat) is refused here, before any work.
        Map<String, Map<String, Evaluation.Row>> merged = mergedByRun(store, study, plan);
        List<String> todo = new ArrayList<>();
        List<String> remerge = new ArrayList<>();
        int already = 0;
        for (String id : ids) {
            if (store.state(id) != RunStore.State.DONE) {
                todo.add(id);
            } else if (!complete(store, id, merged.getOrDefault(id, Map.of()))) {
                todo.add(id);
                remerge.add(id);
            } else {
                already++;
            }
        }
        if (!remerge.isEmpty()) {
            cfg.progress().printf(Locale.ROOT, "mtdtl study run: %d done run(s) to complete again (%s%s): %s lacks "
                    + "some of their rows, or their own %s is damaged; they are evaluated where needed and merged%n",
                    remerge.size(), String.join(", ", remerge.subList(0, Math.min(5, remerge.size()))),
                    remerge.size() > 5 ? ", ..." : "", store.results(), RunStore.RESULTS);
        }
        int total = cfg.threads() != null ? cfg.threads() : Parallel.threads();
        Parallel.setThreads(Math.max(1, total / cfg.workers()));
        RunTask task = new RunTask(store, prepared.toAbsolutePath(), datasets, spec.schedule(), spec.seed(),
                device, cfg.executor(), cfg.checkpointEvery(), cfg.code());
        Progress progress = new Progress(cfg.progress(), todo, rowOf, already, ids.size());
        progress.start(study, cfg, spec.schedule());
        if (!todo.isEmpty()) {
            warnOtherBuilds(cfg, store, plan);
        }
        ExecutorService pool = Executors.newFixedThreadPool(cfg.workers(), r -> {
            Thread t = new Thread(r, "mtdtl-study-worker");
            t.setDaemon(true);
            return t;
        });
        int[] counts = new int[3];
        List<String> failedIds = new ArrayList<>();
        try {
            List<Future<RunTask.Outcome>> futures = new ArrayList<>();
            for (String id : todo) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    RunTask.Outcome o = task.run(id, rowOf.get(id));
                    progress.finished(id, o, (System.nanoTime() - t0) / 1e9);
                    return o;
                }));
            }
            for (int k = 0; k < futures.size(); k++) {
                RunTask.Outcome o = futures.get(k).get();
                counts[o.ordinal()]++;
                if (o == RunTask.Outcome.FAILED) {
                    failedIds.add(todo.get(k));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(c.getMessage(), c);
        } finally {
            pool.shutdownNow();
        }
        Summary s = new Summary(counts[0], counts[1], counts[2], already, progress.elapsed(), failedIds);
        progress.end(s, store);
        return s;
    }

    /**
     * STUDY/results.csv's rows by run and by (dataset, repetition, metric). Rows reach it only from the runs of the
     * plan and the baselines, once each: a row of another run, or one repeated, was put there otherwise.
     */
    private static Map<String, Map<String, Evaluation.Row>> mergedByRun(RunStore store, Path study, List<PlanRow> plan)
            throws IOException {
        Map<String, Map<String, Evaluation.Row>> merged = new LinkedHashMap<>();
        Set<String> known = new HashSet<>(List.of("rand", "mfcc"));
        plan.forEach(r -> known.add(r.run()));
        for (Evaluation.Row r : store.mergedRows()) {
            if (!known.contains(r.run())) {
                throw new IllegalArgumentException(store.results() + ": the row " + r.csv() + " is of run '" + r.run()
                        + "', which is neither in " + study.resolve(Plan.FILE) + " nor a baseline (the file was changed "
                        + "after the runs wrote it)");
            }
            if (merged.computeIfAbsent(r.run(), k -> new LinkedHashMap<>()).put(RunStore.key(r), r) != null) {
                throw new IllegalArgumentException(store.results() + ": the row " + r.csv() + " repeats one of the "
                        + "same run, dataset, repetition and metric (the file was changed after the runs wrote it)");
            }
        }
        return merged;
    }

    /**
     * Whether STUDY/results.csv ({@code merged}: its rows of this run) holds every row of a done run's own file; a row
     * it holds otherwise (another value, or one the run's file lacks) is an error.
     */
    private static boolean complete(RunStore store, String id, Map<String, Evaluation.Row> merged) throws IOException {
        List<Evaluation.Row> own;
        try {
            if (!store.resultsTrusted(id)) {
                return false;
            }
            own = store.runResults(id);
        } catch (IllegalArgumentException | IOException e) {   // unreadable: the task evaluates again
            return false;
        }
        boolean all = true;
        Map<String, Evaluation.Row> left = new LinkedHashMap<>(merged);
        for (Evaluation.Row r : own) {
            Evaluation.Row m = left.remove(RunStore.key(r));
            if (m == null) {
                all = false;
            } else if (!m.csv().equals(r.csv())) {
                throw new IllegalArgumentException(store.conflict(m, r).getMessage());
            }
        }
        // Rows reach STUDY/results.csv only from the run's own file, so one that file lacks was put there otherwise.
        if (!own.isEmpty() && !left.isEmpty()) {
            throw new IllegalArgumentException(store.results() + ": run " + id + " has the row "
                    + left.values().iterator().next().csv() + ", which its own " + store.dir(id).resolve(RunStore.RESULTS)
                    + " does not have (the file was changed after the run wrote it)");
        }
        return all;
    }

    /**
     * A study whose runs so far were made by other builds than this one: said before any work, since this
     * invocation's results will sit beside theirs in STUDY/results.csv (a source edited or pulled since, a Slurm
     * task on a node with an older copy). Not refused: a fix that leaves the numbers alone is a reason to go on.
     */
    private static void warnOtherBuilds(RunnerConfig cfg, RunStore store, List<PlanRow> plan) throws IOException {
        Map<String, List<String>> by = StudyStatus.runsByBuild(store, plan);
        by.remove(cfg.code());
        if (!by.isEmpty()) {
            cfg.progress().printf(Locale.ROOT, "mtdtl study run: note: this is build %s; this study has runs made by "
                    + "%s: their results and this invocation's are pooled in %s ('mtdtl study status' lists which "
                    + "run was made by which build)%n", cfg.code(), StudyStatus.describe(by), store.results());
        }
    }

    /** Open the device every run trains and extracts on (cpu, cuda, auto): a missing GPU fails before any work. */
    private static Device device(String name) {
        try {
            return Devices.open(name).device();
        } catch (Devices.UnavailableException e) {
            throw new IllegalArgumentException("device '" + name + "' cannot be used: " + e.getMessage());
        }
    }

    /** --epochs / --iterations: recorded in study.json while no run has started; afterwards it must agree. */
    private static StudySpec applyLength(Path study, StudySpec spec, List<PlanRow> plan, RunStore store,
                                         RunnerConfig cfg) throws IOException {
        if (cfg.epochs() == null && cfg.iterationsPerSource() == null) {
            return spec;
        }
        Schedule want = cfg.epochs() != null ? spec.schedule().withEpochs(cfg.epochs())
                : spec.schedule().withIterationsPerSource(cfg.iterationsPerSource());
        if (want.equals(spec.schedule())) {
            return spec;
        }
        for (PlanRow r : plan) {
            if (Files.exists(store.dir(r.run()).resolve("status.json"))) {
                throw new IllegalArgumentException(study.resolve(StudySpec.FILE) + ": this study's runs train for "
                        + spec.schedule().length() + " and run " + r.run() + " has started; asked for "
                        + want.length() + " (all runs of a study train alike: leave the option out, or use a new study)");
            }
        }
        StudySpec s = spec.withSchedule(want);
        s.write(study);
        return s;
    }

    /** The target datasets of PREPARED, after checking that it holds every source the rows need. */
    static List<String> checkPrepared(Path prepared, List<PlanRow> rows) throws IOException {
        LearningData data;
        try {
            data = LearningData.open(prepared);
        } catch (IOException e) {
            throw new IllegalArgumentException(prepared + " is not a prepared folder ('mtdtl prepare'): "
                    + e.getMessage());
        }
        Map<String, List<String>> missing = new LinkedHashMap<>();
        for (PlanRow r : rows) {
            for (Source s : r.sources()) {
                if (s != Source.SELF && !data.sources().contains(s.id())) {
                    missing.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(r.run());
                }
            }
        }
        if (!missing.isEmpty()) {
            Map.Entry<String, List<String>> e = missing.entrySet().iterator().next();
            throw new IllegalArgumentException(prepared + " has no targets for source '" + e.getKey()
                    + "', which run(s) " + String.join(", ", e.getValue().subList(0, Math.min(5, e.getValue().size())))
                    + (e.getValue().size() > 5 ? ", ..." : "") + " need (it has self, "
                    + String.join(", ", data.sources()) + ")" + (missing.size() > 1 ? "; also missing: "
                    + String.join(", ", missing.keySet().stream().skip(1).toList()) : ""));
        }
        // The target datasets are those prepared.json lists (as mtdtl prepare wrote them), in name order.
        Path pj = prepared.resolve("prepared.json");
        Object targets = dev.mtdtl.tensor.io.Json.parseObject(TextFiles.read(pj), pj.toString()).get("targets");
        TreeSet<String> ds = new TreeSet<>();
        if (targets instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> ds.add(String.valueOf(k)));
        }
        if (ds.isEmpty()) {
            throw new IllegalArgumentException(pj + " lists no target datasets (nothing to evaluate on)");
        }
        return new ArrayList<>(ds);
    }

    /** One line per finished unit: counts so far and the ETA from the work left, weighted by sources. */
    private static final class Progress {
        private final java.io.PrintStream out;
        private final Map<String, PlanRow> rowOf;
        private final int already;
        private final int all;
        private final long t0 = System.nanoTime();
        private double workLeft;
        private double workDone;
        private int done;
        private int failed;

        Progress(java.io.PrintStream out, List<String> todo, Map<String, PlanRow> rowOf, int already, int all) {
            this.out = out;
            this.rowOf = rowOf;
            this.already = already;
            this.all = all;
            for (String id : todo) {
                workLeft += weight(id);
            }
        }

        // Training time grows with the number of sources; extraction and evaluation cost about one source's worth.
        private double weight(String id) {
            PlanRow r = rowOf.get(id);
            return r == null ? 0.5 : r.sources().size() + 1;
        }

        void start(Path study, RunnerConfig cfg, Schedule s) {
            out.printf(Locale.ROOT, "mtdtl study run: %s: %d of %d units to do (%d done before; the baselines count "
                    + "as units), %d worker(s) x %d thread(s), %s, batch %d, build %s%n", study, all - already, all,
                    already, cfg.workers(), Parallel.threads(), s.length(), s.batch(), cfg.code());
        }

        synchronized void finished(String id, RunTask.Outcome o, double sec) {
            double w = weight(id);
            workLeft -= w;
            workDone += w;
            if (o == RunTask.Outcome.DONE) {
                done++;
            } else if (o == RunTask.Outcome.FAILED) {
                failed++;
            }
            double el = elapsed();
            double eta = workDone > 0 ? el / workDone * workLeft : 0;
            PlanRow r = rowOf.get(id);
            out.printf(Locale.ROOT, "[%d/%d] %-6s %-30s %-7s %6.1f s | done %d, failed %d | elapsed %s, ETA %s%n",
                    already + done + failed, all, id, r == null ? "baseline" : r.strategy().id() + " " + r.sourceIds(),
                    o == RunTask.Outcome.SKIPPED_HELD ? "held" : o.name().toLowerCase(Locale.ROOT), sec,
                    already + done, failed, hms(el), hms(eta));
        }

        double elapsed() {
            return (System.nanoTime() - t0) / 1e9;
        }

        void end(Summary s, RunStore store) {
            out.printf(Locale.ROOT, "mtdtl study run: %d done, %d failed, %d held by another executor, %d done "
                    + "before; %s; results: %s%n", s.done(), s.failed(), s.skippedHeld(), s.alreadyDone(),
                    hms(s.seconds()), store.results());
        }

        static String hms(double s) {
            long t = Math.round(s);
            return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
        }
    }
}
