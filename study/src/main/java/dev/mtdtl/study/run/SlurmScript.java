package dev.mtdtl.study.run;

import dev.mtdtl.study.design.Plan;
import dev.mtdtl.study.design.StudySpec;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.CodeIdentity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mtdtl study slurm}: an sbatch job-array script for a study. Array task i runs
 * {@code mtdtl study run STUDY --data PREPARED --shard i/N --workers 1}, i.e. the plan rows j with j mod N = i
 * (task 0 also the baselines), on the node it lands on, writing into the shared STUDY folder. Every task
 * resumes what it finds (checkpoints, features, per-dataset results) and claims each run with a file lock,
 * so a requeued, preempted or re-submitted task continues its runs and never duplicates another's; rows done
 * already are skipped. {@code mtdtl study status STUDY} shows the progress from any machine that sees STUDY.
 *
 * <p>Needs a filesystem shared by the submit host and the nodes (STUDY, PREPARED and the launcher at the
 * same paths) with working POSIX locks (NFSv4, Lustre, GPFS, BeeGFS do).
 *
 * <p>The build is pinned: the jar that writes the script is copied to {@code STUDY/slurm/mtdtl-ID.jar} (ID its
 * {@link CodeIdentity}) and the script exports {@code MTDTL_JAR} with that copy, which {@code ./mtdtl} runs
 * instead of its own jar (and then never rebuilds). So every task of the array runs the code the study was
 * submitted with, however long it waits in the queue: an edit or a {@code git pull} in the repository does not
 * reach tasks that start later, no node runs Maven, and a rebuild cannot replace a jar under a running JVM (on
 * NFS another node's open jar goes stale). Writing the script again after a rebuild pins the new build; the
 * runs record which build made them ({@link RunStore#CODES}), and {@code study status} lists them.
 */
public final class SlurmScript {

    /**
     * @param tasks         array size N (runs per task = rows / N, rounded up); 0 = one task per plan row
     * @param throttle      at most this many tasks at once (sbatch's %), 0 = no limit
     * @param gpus          --gres=gpu:G when G > 0
     * @param cpusPerTask   CPU cores of a task (its kernel threads)
     * @param mem           --mem (e.g. "8G"; null or blank: the partition's default)
     * @param time          --time per task (e.g. "2-00:00:00"; null: the partition's default)
     * @param partition     --partition (null: the default)
     * @param launcher      the command that runs mtdtl on a node (the repository's ./mtdtl, by absolute path; no
     *                      spaces in the path: the script splits the command into words)
     * @param extra         more "#SBATCH ..." option words, each written as its own line (e.g. "--account=x")
     * @param jar           the jar to pin (the one running, normally); null: none, the launcher runs what it finds
     */
    public record Options(int tasks, int throttle, int gpus, int cpusPerTask, String mem, String time, String partition,
                          String launcher, List<String> extra, Path jar) {
        public Options {
            if (tasks < 0 || throttle < 0 || gpus < 0 || cpusPerTask < 1) {
                throw new IllegalArgumentException("tasks, throttle and gpus must be >= 0, cpus per task >= 1");
            }
            if (launcher == null || launcher.isBlank()) {
                throw new IllegalArgumentException("no launcher: give --launcher PATH/TO/mtdtl (the repository's "
                        + "./mtdtl by its absolute path on the shared filesystem)");
            }
            extra = extra == null ? List.of() : List.copyOf(extra);
            // Each value becomes one "#SBATCH" line (or the launcher's one command line): a line break would end it
            // and start another that sbatch or bash reads as something else entirely.
            oneWord("--mem", mem);
            oneWord("--time", time);
            oneWord("--partition", partition);
            for (String e : extra) {
                if (e == null || e.isBlank() || e.contains("\n") || e.contains("\r")) {
                    throw new IllegalArgumentException("an sbatch option must be one non-blank line, got '" + e + "'");
                }
            }
            if (launcher.contains("\n") || launcher.contains("\r")) {
                throw new IllegalArgumentException("the launcher must be one line, got '" + launcher + "'");
            }
        }

        private static void oneWord(String option, String v) {
            if (v != null && !v.isBlank() && !v.matches("\\S+")) {
                throw new IllegalArgumentException(option + " must be one word without spaces or line breaks, got '"
                        + v + "'");
            }
        }
    }

    public static final String DIR = "slurm";
    public static final String FILE = "study.sbatch";

    private SlurmScript() {}

    /** Write STUDY/slurm/study.sbatch (and the log folder); returns the script's path. */
    public static Path write(Path study, Path prepared, Options o) throws IOException {
        Path s = study.toAbsolutePath().normalize();
        Path p = prepared.toAbsolutePath().normalize();
        StudySpec spec = StudySpec.read(s);
        int rows = Plan.read(s, spec).size();
        StudyRunner.checkPrepared(p, Plan.read(s, spec));
        int n = o.tasks() == 0 ? Math.max(1, rows) : Math.min(o.tasks(), Math.max(1, rows));
        Path logs = s.resolve(DIR).resolve("logs");
        Files.createDirectories(logs);
        List<String> l = new ArrayList<>();
        l.add("#!/bin/bash");
        l.add("# mtdtl study " + s + ": " + rows + " plan rows + the rand and mfcc baselines in " + n
                + " array task(s); written by 'mtdtl study slurm'.");
        l.add("# Task i runs the rows j with j mod " + n + " = i (task 0 also the baselines), resuming whatever it"
                + " finds; re-submitting or requeueing is safe.");
        l.add("#SBATCH --job-name=mtdtl-" + s.getFileName());
        l.add("#SBATCH --array=0-" + (n - 1) + (o.throttle() > 0 ? "%" + o.throttle() : ""));
        l.add("#SBATCH --output=" + logs + "/%A_%a.out");
        l.add("#SBATCH --open-mode=append");
        l.add("#SBATCH --requeue");
        l.add("#SBATCH --ntasks=1");
        l.add("#SBATCH --cpus-per-task=" + o.cpusPerTask());
        if (o.gpus() > 0) {
            l.add("#SBATCH --gres=gpu:" + o.gpus());
        }
        if (o.mem() != null && !o.mem().isBlank()) {
            l.add("#SBATCH --mem=" + o.mem());
        }
        if (o.time() != null && !o.time().isBlank()) {
            l.add("#SBATCH --time=" + o.time());
        }
        if (o.partition() != null && !o.partition().isBlank()) {
            l.add("#SBATCH --partition=" + o.partition());
        }
        for (String e : o.extra()) {
            l.add("#SBATCH " + e);
        }
        l.add("set -euo pipefail");
        if (o.jar() != null) {
            Path pinned = pin(s.resolve(DIR), o.jar());
            l.add("# The build this study was submitted with (./mtdtl runs MTDTL_JAR instead of its own jar, and does"
                    + " not rebuild).");
            l.add("export MTDTL_JAR=${MTDTL_JAR:-" + quote(pinned.toString()) + "}");
        }
        l.add("MTDTL=${MTDTL:-" + o.launcher() + "}");
        l.add("export MTDTL_THREADS=${SLURM_CPUS_PER_TASK:-" + o.cpusPerTask() + "}");
        l.add("echo \"mtdtl study: task ${SLURM_ARRAY_TASK_ID}/" + n + " of job ${SLURM_ARRAY_JOB_ID} on $(hostname)"
                + " at $(date -u +%FT%TZ)\"");
        l.add("$MTDTL study run " + quote(s.toString()) + " --data " + quote(p.toString()) + " --workers 1"
                + " --shard \"${SLURM_ARRAY_TASK_ID}/" + n + "\" --executor \"slurm:${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""
                + (o.gpus() > 0 ? " --device cuda" : " --device cpu"));   // a task with a GPU must use it, one without must not try
        Path f = s.resolve(DIR).resolve(FILE);
        AtomicFiles.writeString(f, String.join("\n", l) + "\n");
        f.toFile().setExecutable(true);
        return f;
    }

    /**
     * Copy {@code jar} to DIR/mtdtl-ID.jar (ID: {@link CodeIdentity#of} without its "jar:"), unless a copy of that
     * build is there already; returns the copy. Earlier copies stay: tasks of an earlier submission may run them.
     */
    static Path pin(Path dir, Path jar) throws IOException {
        String id = CodeIdentity.of(jar);
        Path copy = dir.resolve("mtdtl-" + id.substring(id.indexOf(':') + 1) + ".jar");
        if (!Files.isRegularFile(copy) || !CodeIdentity.of(copy).equals(id)) {
            AtomicFiles.write(copy, out -> Files.copy(jar, out));
        }
        return copy;
    }

    /** Single-quote for bash. */
    static String quote(String x) {
        return "'" + x.replace("'", "'\\''") + "'";
    }

    /** The default launcher: ./mtdtl of the installation this JVM was started from (-Dmtdtl.home), if known. */
    public static String defaultLauncher() {
        String home = System.getProperty("mtdtl.home");
        if (home == null || home.isBlank()) {
            return null;
        }
        return Path.of(home, "mtdtl").toAbsolutePath().toString();
    }
}
