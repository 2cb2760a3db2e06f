package dev.mtdtl.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mtdtl study design / status through the command line, and their errors (the runs: StudySlurmTest, study module). */
class StudyCommandTest {

    @TempDir
    Path tmp;

    /** Run the CLI and return {exit status, stdout + stderr}. */
    static Object[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(buf, true);
        System.setOut(p);
        System.setErr(p);
        try {
            return new Object[]{Main.run(args), buf.toString()};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void theSmallPresetPlansEveryStrategyAndOneToFourSources() throws Exception {
        Path s = tmp.resolve("small");
        Object[] r = run("study", "design", "--out", s.toString(), "--preset", "small");
        assertEquals(0, r[0], (String) r[1]);
        List<String> plan = Files.readAllLines(s.resolve("plan.csv"));
        assertEquals("run,phase,strategy,sources,seed", plan.get(0));
        assertEquals(1 + 8 + 5 + 20, plan.size());
        for (String st : new String[]{"ssr", "msscr", "mscr2", "mscr4", "mscr6", "mssrfc"}) {
            assertTrue(plan.stream().anyMatch(l -> l.split(",")[2].equals(st)), st);
        }
        for (int n = 1; n <= 4; n++) {
            int nn = n;
            assertTrue(plan.stream().skip(1).anyMatch(l -> l.split(",")[3].split("\\+").length == nn), "n = " + n);
        }
        assertTrue(((String) r[1]).contains("phase 3 (Algorithm 2): 20 of 50 candidates"), (String) r[1]);
        assertTrue(Files.readString(s.resolve("design.json")).contains("max_abs_between_factors"));
        byte[] before = Files.readAllBytes(s.resolve("plan.csv"));
        // the same command again: this study, nothing written; another seed: refused, nothing overwritten
        assertEquals(0, run("study", "design", "--out", s.toString(), "--preset", "small")[0]);
        assertArrayEquals(before, Files.readAllBytes(s.resolve("plan.csv")));
        r = run("study", "design", "--out", s.toString(), "--preset", "small", "--seed", "2");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("seed 1 (asked: 2)"), (String) r[1]);
        assertNotEquals(0, run("study", "design", "--out", s.toString(), "--extend", "2", "--seed", "2")[0]);
        assertArrayEquals(before, Files.readAllBytes(s.resolve("plan.csv")));
        assertEquals(0, run("study", "design", "--out", s.toString(), "--extend", "2")[0]);
        assertEquals(1 + 35, Files.readAllLines(s.resolve("plan.csv")).size());
        r = run("study", "status", s.toString());
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("37 units (35 plan rows + rand + mfcc): done 0, running 0, interrupted 0, "
                + "failed 0, pending 37"), (String) r[1]);
    }

    @Test
    void badInputIsAClearError() throws Exception {
        Object[] r = run("study", "design", "--out", tmp.resolve("x").toString(), "--sources", "bpm,flux");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("unknown source 'flux'"), (String) r[1]);
        r = run("study", "design", "--out", tmp.resolve("y").toString(), "--strategies", "ssr,mscr9");
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("unknown strategy 'mscr9'"), (String) r[1]);
        assertTrue(!Files.exists(tmp.resolve("x")) && !Files.exists(tmp.resolve("y")), "nothing written");
        Path s = tmp.resolve("s");
        assertEquals(0, run("study", "design", "--out", s.toString(), "--preset", "small", "--runs", "3")[0]);
        List<String> plan = new java.util.ArrayList<>(Files.readAllLines(s.resolve("plan.csv")));
        plan.set(5, "r0005,1,ssr,bpm+tag,77");
        Files.write(s.resolve("plan.csv"), plan);
        r = run("study", "status", s.toString());
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("plan.csv:6: phase 1 rows are SS-R on one source"), (String) r[1]);
        r = run("study", "run", s.toString(), "--data", tmp.resolve("nothing").toString());
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("plan.csv:6:"), (String) r[1]);
        r = run("study", "run", tmp.resolve("nostudy").toString(), "--data", tmp.toString());
        assertNotEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("not a study folder"), (String) r[1]);
    }
}
