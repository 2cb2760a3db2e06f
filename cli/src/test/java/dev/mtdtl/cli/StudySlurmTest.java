package dev.mtdtl.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Slurm executor against a real single-node Slurm: deploy/slurm/local-cluster.sh brings one up (installing
 * Debian's munge and slurm packages when they are missing and this is root), then a tiny study (SS-R on bpm and on
 * tag, 2 iterations of batch 4, one evaluation repetition on two target datasets) goes through 'mtdtl study slurm --submit' as a 2-task
 * array, and its results and status are checked. Skipped, with the script's reason, when no cluster comes up
 * (not root, no apt-get or network, daemons that cannot start); MTDTL_SLURM_TEST=0 skips it outright.
 */
class StudySlurmTest {

    @TempDir
    static Path tmp;

    static String sh(long timeoutSeconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout after " + timeoutSeconds + " s";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? "ok\n" + out : "exit " + p.exitValue() + "\n" + out;
    }

    @Test
    void aTinyStudyRunsAsAJobArrayOnARealSlurm() throws Exception {
        Assumptions.assumeFalse("0".equals(System.getenv("MTDTL_SLURM_TEST")), "MTDTL_SLURM_TEST=0");
        Path script = Path.of("..", "deploy", "slurm", "local-cluster.sh").toAbsolutePath().normalize();
        String up = sh(240, "bash", script.toString());
        Assumptions.assumeTrue(up.startsWith("ok"), "no Slurm cluster: " + up);

        Path corpus = tmp.resolve("corpus");
        Path prepared = tmp.resolve("prepared");
        Path study = tmp.resolve("study");
        assertEquals(0, Main.run("synth", "--out", corpus.toString(), "--tracks", "30", "--seconds", "1",
                "--no-installed-soundbanks"));
        assertEquals(0, Main.run("prepare", "--corpus", corpus.toString(), "--out", prepared.toString(), "--topics",
                "4", "--iterations", "5"));
        // Keep two of the five target datasets (emotion: the MLP; recsys: WMF): each unit extracts and evaluates
        // on every target dataset of PREPARED, and these two cover both evaluations at a third of the cost.
        java.util.Map<String, Object> pj = dev.mtdtl.tensor.io.Json.parseObject(
                Files.readString(prepared.resolve("prepared.json")), "prepared.json");
        ((java.util.Map<?, ?>) pj.get("targets")).keySet().removeIf(k -> !k.equals("emotion") && !k.equals("recsys"));
        Files.writeString(prepared.resolve("prepared.json"), dev.mtdtl.tensor.io.Json.write(pj, 2));
        assertEquals(0, Main.run("study", "design", "--out", study.toString(), "--sources", "bpm,tag", "--strategies",
                "ssr", "--ssr-repeats", "1", "--iterations", "2", "--batch", "4", "--repetitions", "1", "--wmf-variant", "paper", "--seed", "5"));
        // A node starts mtdtl with this test's own JVM and classpath (the shaded jar is not built by 'mvn test').
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path cpFile = tmp.resolve("classpath.txt");
        Files.writeString(cpFile, cp);
        String launcher = java + " --add-modules=jdk.incubator.vector " + dev.mtdtl.tensor.JitFlags.OPTION
                + " --add-exports=java.desktop/com.sun.media.sound"
                + "=ALL-UNNAMED -Xmx1g -XX:+UseSerialGC -cp @" + cpFile + " dev.mtdtl.cli.Main";
        Object[] r = StudyCommandTest.run("study", "slurm", study.toString(), "--data", prepared.toString(),
                "--cpus-per-task", "1", "--throttle", "2", "--launcher", launcher, "--submit");
        assertEquals(0, r[0], (String) r[1]);
        String text = (String) r[1];
        assertTrue(text.contains("submitted job "), text);
        String job = text.substring(text.indexOf("submitted job ") + 14).split("[;\\s]")[0];
        String sbatch = Files.readString(study.resolve("slurm/study.sbatch"));
        assertTrue(sbatch.contains("#SBATCH --array=0-1%2") && sbatch.contains("#SBATCH --requeue"), sbatch);

        long deadline = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < deadline) {
            String q = sh(30, "squeue", "-h", "-j", job, "-o", "%i %t");
            if (q.startsWith("ok") && q.substring(2).isBlank()) {
                break;
            }
            Thread.sleep(1000);
        }
        String logs = logs(study);
        r = StudyCommandTest.run("study", "status", study.toString());
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("4 units (2 plan rows + rand + mfcc): done 4, running 0, interrupted 0, "
                + "failed 0, pending 0"), r[1] + "\n" + logs);
        List<String> rows = Files.readAllLines(study.resolve("results.csv"));
        for (String id : new String[]{"r0001,ssr,bpm,", "r0002,ssr,tag,", "rand,", "mfcc,"}) {
            assertTrue(rows.stream().anyMatch(x -> x.startsWith(id)), id + " missing from results.csv\n" + logs);
        }
        assertEquals(1 + 4 * 4, rows.size(), "4 units x 4 result rows (emotion and recsys, 2 each)");
        String status = Files.readString(study.resolve("runs/r0002/status.json"));
        assertTrue(status.contains("\"executor\": \"slurm:" + job + "_1\""), status);
    }

    static String logs(Path study) throws IOException {
        StringBuilder sb = new StringBuilder();
        Path d = study.resolve("slurm/logs");
        if (Files.isDirectory(d)) {
            try (var s = Files.list(d)) {
                for (Path p : s.sorted().toList()) {
                    sb.append("== ").append(p.getFileName()).append('\n').append(Files.readString(p));
                }
            }
        }
        return sb.toString();
    }
}
