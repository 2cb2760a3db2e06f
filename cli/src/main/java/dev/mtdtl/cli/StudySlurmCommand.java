package dev.mtdtl.cli;

import dev.mtdtl.study.run.SlurmScript;
import dev.mtdtl.tensor.io.CodeIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code mtdtl study slurm}: write (and optionally submit) the study's sbatch job-array script. */
@Command(name = "slurm", mixinStandardHelpOptions = true,
        description = {"Write STUDY/slurm/study.sbatch: a job array whose task i runs 'mtdtl study run STUDY --data "
                + "PREPARED --shard i/N' on its node (task 0 also the baselines). Tasks resume what they find and "
                + "claim runs with file locks, so requeueing or submitting again is safe. STUDY, PREPARED and the "
                + "launcher must be on a filesystem the nodes share, at the same paths. Watch with 'mtdtl study "
                + "status STUDY' and squeue; task logs go to STUDY/slurm/logs/."})
final class StudySlurmCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "STUDY", description = "a study folder on the shared filesystem")
    Path study;

    @Option(names = "--data", required = true, paramLabel = "PREPARED", description = "the prepared folder (shared)")
    Path data;

    @Option(names = "--tasks", defaultValue = "0", description = "array tasks; runs are dealt out round-robin "
            + "(default: one per plan row)")
    int tasks;

    @Option(names = "--throttle", defaultValue = "8", description = "at most this many tasks at once, the "
            + "array's %% limit (default ${DEFAULT-VALUE}; 0: no limit)")
    int throttle;

    @Option(names = "--gpus", defaultValue = "0", description = "--gres=gpu:N per task (default: none)")
    int gpus;

    @Option(names = "--cpus-per-task", defaultValue = "2", description = "cores per task, its kernel threads "
            + "(default ${DEFAULT-VALUE})")
    int cpus;

    @Option(names = "--mem", description = "memory per task, e.g. 8G (batch 128 needs about 8G; default: the partition's)")
    String mem;

    @Option(names = "--time", description = "time limit per task, e.g. 2-00:00:00 (default: the partition's)")
    String time;

    @Option(names = "--partition", description = "partition (default: the cluster's default)")
    String partition;

    @Option(names = "--launcher", paramLabel = "CMD", description = "how a node starts mtdtl (default: this "
            + "installation's ./mtdtl by its absolute path)")
    String launcher;

    @Option(names = "--sbatch-option", paramLabel = "OPT", description = "another #SBATCH option, e.g. "
            + "--account=proj (repeatable)")
    List<String> extra = new ArrayList<>();

    @Option(names = "--submit", description = "submit the script with sbatch and print the job id")
    boolean submit;

    @Option(names = "--no-pin", description = "do not copy this build's jar into STUDY/slurm/ for the tasks (by "
            + "default every task runs the build that wrote the script, via MTDTL_JAR, whatever changes in the "
            + "repository meanwhile; a --launcher of your own must honour MTDTL_JAR for that)")
    boolean noPin;

    @Override
    public Integer call() throws Exception {
        String l = launcher != null ? launcher : SlurmScript.defaultLauncher();
        Path jar = noPin ? null : CodeIdentity.runningJar();
        Path f = SlurmScript.write(study, data, new SlurmScript.Options(tasks, throttle, gpus, cpus, mem, time,
                partition, l, extra, jar));
        System.out.println("wrote " + f + (jar != null ? " (tasks run build " + CodeIdentity.current() + ", copied "
                + "into " + f.getParent() + ")" : noPin ? "" : " (not run from a jar: nothing to pin; tasks run what "
                + "the launcher finds)"));
        if (!submit) {
            System.out.println("submit with: sbatch " + f + "    watch with: mtdtl study status " + study);
            return 0;
        }
        Process p = new ProcessBuilder("sbatch", "--parsable", f.toString()).redirectErrorStream(true).start();
        String outText = new String(p.getInputStream().readAllBytes()).trim();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("sbatch failed (exit status " + rc + "): " + outText);
        }
        System.out.println("submitted job " + outText + "; watch with: mtdtl study status " + study + "  (or squeue -j "
                + outText.split(";")[0] + ")");
        return 0;
    }
}
