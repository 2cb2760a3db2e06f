package dev.mtdtl.study.run;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.TextFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The results store inside a STUDY folder, shared by every executor (local pool, Slurm tasks on many nodes):
 * <pre>
 *   STUDY/runs/ID/status.json     state (running, done, failed), executor, host, times; written atomically
 *   STUDY/runs/ID/log.txt         the run's training, extraction and evaluation log (appended)
 *   STUDY/runs/ID/error.txt       the error of a failed attempt (removed when an attempt starts)
 *   STUDY/runs/ID/checkpoints/    the training run (mtdtl train's layout; resumes exactly)
 *   STUDY/runs/ID/features/D/     the track vectors of target dataset D (mtdtl extract's layout)
 *   STUDY/runs/ID/results.csv     this run's rows, one dataset at a time (evaluate's tidy format)
 *   STUDY/results.csv             every finished run's rows, appended in order of completion
 * </pre>
 * ID is a plan row's id, or rand / mfcc for the baselines. A run is claimed with an OS file lock on
 * runs/ID/.lock, held while it is worked on: two executors never work on one run, a killed process releases
 * it, and {@link #state} tells a run that is really running from one whose runner died ("interrupted").
 * Merging into STUDY/results.csv happens under a lock on STUDY/.results.lock, reads the file, appends those of
 * the run's rows that it lacks, and renames a complete new file over it; so rows are only ever added, a reader
 * never sees a partial file, a merge repeated after a crash adds nothing, and rows lost from it (a damaged file
 * moved aside, a line deleted) are added back by the next {@code study run} from the runs' own files.
 */
public final class RunStore {

    public static final String RESULTS = "results.csv";
    private static final ReentrantLock MERGE = new ReentrantLock();   // file locks are per JVM, not per thread

    private final Path study;

    public RunStore(Path study) {
        this.study = study;
    }

    public Path study() {
        return study;
    }

    public Path dir(String id) {
        return study.resolve("runs").resolve(id);
    }

    public Path results() {
        return study.resolve(RESULTS);
    }

    /** A held claim on a run; close to release. */
    public static final class Claim implements AutoCloseable {
        private final FileChannel ch;
        private final FileLock lock;

        Claim(FileChannel ch, FileLock lock) {
            this.ch = ch;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                ch.close();
            }
        }
    }

    /** Claim a run, or null when another executor (or another thread here) holds it. */
    public Claim tryClaim(String id) throws IOException {
        Files.createDirectories(dir(id));
        FileChannel ch = FileChannel.open(dir(id).resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock();
            if (l != null) {
                return new Claim(ch, l);
            }
        } catch (OverlappingFileLockException e) {
            // held by another thread of this JVM
        }
        ch.close();
        return null;
    }

    /** The state of a run as the status command reports it. */
    public enum State { PENDING, RUNNING, INTERRUPTED, DONE, FAILED }

    /** The recorded state, with RUNNING checked against the lock (a dead runner's run is INTERRUPTED). */
    public State state(String id) throws IOException {
        Map<String, Object> s = status(id);
        if (s == null) {
            return State.PENDING;
        }
        return switch (String.valueOf(s.get("state"))) {
            case "done" -> State.DONE;
            case "failed" -> State.FAILED;
            case "running" -> {
                try (Claim c = tryClaim(id)) {
                    yield c == null ? State.RUNNING : State.INTERRUPTED;
                }
            }
            default -> State.PENDING;
        };
    }

    /** status.json of a run, or null. */
    public Map<String, Object> status(String id) throws IOException {
        Path f = dir(id).resolve("status.json");
        if (!Files.isRegularFile(f)) {
            return null;
        }
        return Json.parseObject(TextFiles.read(f), f.toString());
    }

    /** Record a state; keeps the fields of the previous status (start time, executor) unless replaced. */
    public void setStatus(String id, String state, Map<String, Object> fields) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Object> old = status(id);
        if (old != null && !state.equals("running")) {
            s.putAll(old);
        }
        s.put("state", state);
        s.putAll(new java.util.TreeMap<>(fields));      // sorted: callers pass Map.of, whose order varies
        s.put("updated", Instant.now().toString());
        AtomicFiles.writeString(dir(id).resolve("status.json"), Json.write(s, 2) + "\n");
    }

    /** Rows of the run's own results file (empty if none yet). */
    public List<Evaluation.Row> runResults(String id) throws IOException {
        Path f = dir(id).resolve(RESULTS);
        return Files.isRegularFile(f) ? Evaluation.read(f) : List.of();
    }

    /**
     * Rows per run in STUDY/results.csv (empty when there is none yet). Read before a runner starts any work, so
     * that a damaged file is reported at once (file and line) rather than by every run's merge after its training.
     */
    public Map<String, Integer> mergedCounts() throws IOException {
        Map<String, Integer> n = new LinkedHashMap<>();
        if (Files.isRegularFile(results())) {
            try {
                Evaluation.read(results()).forEach(r -> n.merge(r.run(), 1, Integer::sum));
            } catch (IllegalArgumentException | IOException e) {   // damaged: a bad line, or not UTF-8
                throw new IllegalArgumentException(e.getMessage() + " (every run keeps its own rows in runs/ID/"
                        + RESULTS + ": move the damaged file aside and 'study run' writes it again from them)", e);
            }
        }
        return n;
    }

    /**
     * Add a run's rows to STUDY/results.csv where they are missing; returns whether it added any. A row is
     * identified by (run, dataset, repetition, metric): a merge repeated after a crash adds nothing, and one after
     * rows were lost (a file rebuilt, a line deleted) adds back just those. A row that is there with another value
     * is an error: one of the two files was changed after the run wrote them.
     */
    public boolean merge(String id, List<Evaluation.Row> rows) throws IOException {
        MERGE.lock();
        try (FileChannel ch = FileChannel.open(study.resolve(".results.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            List<Evaluation.Row> all = Files.isRegularFile(results()) ? new ArrayList<>(Evaluation.read(results()))
                    : new ArrayList<>();
            Map<String, Evaluation.Row> have = new HashMap<>();
            for (Evaluation.Row r : all) {
                if (r.run().equals(id)) {
                    have.put(key(r), r);
                }
            }
            int before = all.size();
            for (Evaluation.Row r : rows) {
                Evaluation.Row h = have.get(key(r));
                if (h == null) {
                    all.add(r);
                } else if (!h.csv().equals(r.csv())) {   // the file holds 6 decimals, a fresh row all of them
                    throw new IllegalStateException(results() + ": run " + id + " has the row " + h.csv()
                            + " where its own " + dir(id).resolve(RESULTS) + " has " + r.csv()
                            + " (one of the two files was changed after the run wrote it)");
                }
            }
            if (all.size() == before) {
                return false;
            }
            Evaluation.write(results(), all);
            return true;
        } finally {
            MERGE.unlock();
        }
    }

    private static String key(Evaluation.Row r) {
        return r.dataset() + '\u0000' + r.repetition() + '\u0000' + r.metric();
    }
}
