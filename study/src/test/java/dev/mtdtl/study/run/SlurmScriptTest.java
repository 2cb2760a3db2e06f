package dev.mtdtl.study.run;

import dev.mtdtl.nn.Source;
import dev.mtdtl.tensor.io.CodeIdentity;
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
        return new SlurmScript.Options(2, 1, 0, 4, mem, time, partition, launcher, extra, null);
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

    @Test
    void theBuildThatWritesTheScriptIsPinnedForEveryTask() throws Exception {
        Path study = StudyRunnerTest.study(tmp.resolve("s"), List.of(Source.BPM, Source.TAG));
        Path jar = tmp.resolve("build.jar");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new java.util.zip.ZipEntry("dev/mtdtl/cli/Main.class"));
            z.write(new byte[]{1, 2, 3});
            z.closeEntry();
        }
        String id = CodeIdentity.of(jar);
        SlurmScript.Options o = new SlurmScript.Options(2, 1, 0, 4, null, null, null, "/opt/mtdtl/mtdtl", null, jar);
        Path f = SlurmScript.write(study, TinyCorpus.prepared(), o);
        Path copy = study.toAbsolutePath().normalize().resolve("slurm").resolve("mtdtl-" + id.substring(4) + ".jar");
        List<String> l = Files.readAllLines(f);
        assertTrue(l.contains("export MTDTL_JAR=${MTDTL_JAR:-'" + copy + "'}"), String.join("\n", l));
        assertTrue(l.indexOf("export MTDTL_JAR=${MTDTL_JAR:-'" + copy + "'}") < l.indexOf("MTDTL=${MTDTL:-/opt/mtdtl/mtdtl}"));
        assertEquals(id, CodeIdentity.of(copy));
        // the build edited and rebuilt in place: the pinned copy is what the tasks run, until the script is written again
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new java.util.zip.ZipEntry("dev/mtdtl/cli/Main.class"));
            z.write(new byte[]{1, 2, 4});
            z.closeEntry();
        }
        assertEquals(id, CodeIdentity.of(copy));
        SlurmScript.write(study, TinyCorpus.prepared(), o);
        String id2 = CodeIdentity.of(jar);
        Path copy2 = copy.resolveSibling("mtdtl-" + id2.substring(4) + ".jar");
        assertTrue(Files.readString(f).contains(copy2.toString()) && !Files.readString(f).contains(copy.toString()));
        assertTrue(Files.isRegularFile(copy), "the earlier copy stays: tasks of the first submission may run it");
        // written once per build: a third write of the same build leaves its copy alone
        Files.setLastModifiedTime(copy2, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        SlurmScript.write(study, TinyCorpus.prepared(), o);
        assertEquals(1_000_000_000_000L, Files.getLastModifiedTime(copy2).toMillis());
    }

    interface SlurmScriptOptions {
        SlurmScript.Options make();
    }
}
