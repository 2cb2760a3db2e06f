package dev.mtdtl.study.run;

import dev.mtdtl.eval.Evaluation;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Checksums;
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
 *   STUDY/runs/ID/status.json     state (running, done, failed), executor, host, times, the CRC-32 of the run's
 *                                 results.csv; written atomically
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
    /** The status field holding the CRC-32 of the run's own results.csv, recorded after each write of it. */
    public static final String RESULTS_CRC = "results_crc32";
    /**
     * The status field listing the builds ({@code CodeIdentity}) that worked on the run, in the order they first
     * did: more than one when a run was resumed by another build than the one that started it.
     */
    public static final String CODES = "codes";
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

    /**
     * The recorded state, with RUNNING checked against the lock (a dead runner's run is INTERRUPTED). A status.json
     * that cannot be read (damaged) tells nothing: the lock decides between RUNNING and INTERRUPTED, and an
     * interrupted run is resumed, which checks what it reuses (checkpoints, features, its results) by their CRC-32s.
     */
    public State state(String id) throws IOException {
        if (!Files.isRegularFile(statusFile(id))) {
            return State.PENDING;
        }
        Map<String, Object> s = readableStatus(id);
        return switch (s == null ? "running" : String.valueOf(s.get("state"))) {
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

    private Path statusFile(String id) {
        return dir(id).resolve("status.json");
    }

    /** status.json of a run, or null when there is none or it cannot be read (not JSON, not UTF-8). */
    public Map<String, Object> readableStatus(String id) throws IOException {
        try {
            return status(id);
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }

    /** status.json of a run, or null. */
    public Map<String, Object> status(String id) throws IOException {
        Path f = statusFile(id);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        return Json.parseObject(TextFiles.read(f), f.toString());
    }

    /**
     * Record a state; keeps the fields of the previous status (start time, executor, the results' checksum) unless
     * replaced, except when a run starts ("running"), which records only what it is given.
     */
    public void setStatus(String id, String state, Map<String, Object> fields) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Object> old = readableStatus(id);
        if (old != null && !state.equals("running")) {
            s.putAll(old);
        }
        s.put("state", state);
        s.putAll(new java.util.TreeMap<>(fields));      // sorted: callers pass Map.of, whose order varies
        s.put("updated", Instant.now().toString());
        AtomicFiles.writeString(statusFile(id), Json.write(s, 2) + "\n");
    }

    /**
     * The builds recorded as having worked on a run ({@link #CODES}), in order; empty when it has not started, its
     * status cannot be read, or an mtdtl older than the field wrote it. A mutable list.
     */
    public List<String> codes(String id) throws IOException {
        Map<String, Object> s = readableStatus(id);
        List<String> l = new ArrayList<>();
        if (s != null && s.get(CODES) instanceof List<?> c) {
            for (Object o : c) {
                if (o instanceof String x && !x.isBlank() && !l.contains(x)) {
                    l.add(x);
                }
            }
        }
        return l;
    }

    /** Rows of the run's own results file (empty if none yet). */
    public List<Evaluation.Row> runResults(String id) throws IOException {
        Path f = dir(id).resolve(RESULTS);
        return Files.isRegularFile(f) ? Evaluation.read(f) : List.of();
    }

    /**
     * Whether the run's own results.csv may be reused: it must match the CRC-32 its status records (a status written
     * by an mtdtl before the checksum has none, and the file is trusted). Without a readable status nothing vouches
     * for it; without the file there is nothing to distrust.
     */
    public boolean resultsTrusted(String id) throws IOException {
        Path f = dir(id).resolve(RESULTS);
        if (!Files.isRegularFile(f)) {
            return true;
        }
        Map<String, Object> st = readableStatus(id);
        if (st == null) {
            return false;
        }
        if (!st.containsKey(RESULTS_CRC)) {
            return true;
        }
        return st.get(RESULTS_CRC) instanceof Number n && n.doubleValue() == Checksums.crc32(f);
    }

    /** STUDY/results.csv's rows (none when there is no file yet), its damage named with a way out. */
    public List<Evaluation.Row> mergedRows() throws IOException {
        if (!Files.isRegularFile(results())) {
            return List.of();
        }
        try {
            return Evaluation.read(results());
        } catch (IllegalArgumentException | IOException e) {   // damaged: a bad line, or not UTF-8
            throw new IllegalArgumentException(e.getMessage() + " (every run keeps its own rows in runs/ID/"
                    + RESULTS + ": move the damaged file aside and 'study run' writes it again from them)", e);
        }
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
            AtomicFiles.removeStaleOf(results());   // a merge killed before its rename (no other merge runs now)
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
                    throw conflict(h, r);
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

    /** The error for a row of STUDY/results.csv that its run's own file (or a fresh evaluation) contradicts. */
    IllegalStateException conflict(Evaluation.Row merged, Evaluation.Row own) {
        return new IllegalStateException(results() + ": run " + own.run() + " has the row " + merged.csv() + " where "
                + dir(own.run()).resolve(RESULTS) + " has " + own.csv() + " (one of the two files was changed after "
                + "the run wrote it)");
    }

    static String key(Evaluation.Row r) {
        return r.dataset() + '\u0000' + r.repetition() + '\u0000' + r.metric();
    }
}
