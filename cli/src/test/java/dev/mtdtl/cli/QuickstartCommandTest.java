package dev.mtdtl.cli;

import dev.mtdtl.eval.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quickstart end to end at toy size: every run and both baselines get results on every task, and a report. */
class QuickstartCommandTest {

    @TempDir
    Path tmp;

    @Test
    void toyQuickstartWritesResultsAndReport() throws Exception {
        Path out = tmp.resolve("qs");
        assertEquals(0, Main.run("quickstart", "--out", out.toString(), "--tracks", "30", "--seconds", "1",
                "--target-scale", "0.125", "--iterations", "2", "--batch", "4", "--repetitions", "1"));
        List<Evaluation.Row> rows = Evaluation.read(out.resolve("results/results.csv"));
        long runs = rows.stream().map(Evaluation.Row::run).distinct().count();
        assertEquals(QuickstartCommand.RUNS.length + 2, runs);
        assertEquals(5, rows.stream().map(Evaluation.Row::dataset).distinct().count());
        assertTrue(Files.readString(out.resolve("results/report.html")).contains("<svg"));
        // resume: a second run recomputes nothing and leaves the results as they were
        byte[] before = Files.readAllBytes(out.resolve("results/results.csv"));
        assertEquals(0, Main.run("quickstart", "--out", out.toString(), "--tracks", "30", "--seconds", "1",
                "--target-scale", "0.125", "--iterations", "2", "--batch", "4", "--repetitions", "1"));
        assertEquals(new String(before), Files.readString(out.resolve("results/results.csv")));
    }
}
