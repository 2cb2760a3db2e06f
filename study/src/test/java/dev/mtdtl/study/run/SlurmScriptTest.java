package dev.mtdtl.study.run;

import dev.mtdtl.nn.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sbatch script without a cluster (StudySlurmTest runs one on a real Slurm): its lines, and what it refuses. */
class SlurmScriptTest {

    @TempDir
    Path tmp;

    static SlurmScript.Options options(String mem, String time, String partition, String launcher, List<String> extra) {
        return new SlurmScript.Options(2, 1, 0, 4, mem, time, partition, launcher, extra);
    }

    @Test
    void theScriptDealsTheRowsToTasksAndEveryValueIsOneLine() throws Exception {
        Path study = StudyRunnerTest.study(tmp.resolve("s p"), List.of(Source.BPM, Source.TAG));
        Path f = SlurmScript.write(study, TinyCorpus.prepared(), options("8G", "1-00:00:00", "gpu", "/opt/mtdtl/mtdtl",
                List.of("--account=lab", "--qos=long")));
        List<String> l = Files.readAllLines(f);
        assertEquals("#!/bin/bash", l.get(0));
        for (String want : new String[]{"#SBATCH --array=0-1%1", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=8G",
                "#SBATCH --time=1-00:00:00", "#SBATCH --partition=gpu", "#SBATCH --account=lab", "#SBATCH --qos=long",
                "#SBATCH --requeue", "MTDTL=${MTDTL:-/opt/mtdtl/mtdtl}"}) {
            assertTrue(l.contains(want), want + " in\n" + String.join("\n", l));
        }
        String run = l.get(l.size() - 1);
        assertTrue(run.startsWith("$MTDTL study run '" + study.toAbsolutePath().normalize() + "' --data '")
                && run.contains("--shard \"${SLURM_ARRAY_TASK_ID}/2\"") && run.endsWith("--device cpu"), run);
        assertTrue(Files.isExecutable(f));
        // a value with a line break would end its #SBATCH line and start another that sbatch or bash reads
        for (SlurmScriptOptions bad : List.<SlurmScriptOptions>of(
                () -> options("8G\n#SBATCH --wrap=x", null, null, "/m", null),
                () -> options(null, "1 day", null, "/m", null),
                () -> options(null, null, "a b", "/m", null),
                () -> options(null, null, null, "/m\nrm -rf ~", null),
                () -> options(null, null, null, "/m", List.of("--account=lab\necho")),
                () -> options(null, null, null, "/m", List.of(" ")))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::make);
            assertTrue(e.getMessage().contains("one word") || e.getMessage().contains("one line")
                    || e.getMessage().contains("one non-blank line"), e.getMessage());
        }
    }

    interface SlurmScriptOptions {
        SlurmScript.Options make();
    }
}
