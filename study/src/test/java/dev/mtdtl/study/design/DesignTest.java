package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.mtdtl.nn.Source.BPM;
import static dev.mtdtl.nn.Source.CDR_TAG;
import static dev.mtdtl.nn.Source.TAG;
import static dev.mtdtl.nn.Source.TASTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three phases, Algorithm 2's rule, determinism and the plan's validation. */
class DesignTest {

    @TempDir
    Path tmp;

    static final List<Source> FOUR = List.of(BPM, TASTE, TAG, CDR_TAG);

    static StudySpec spec(long seed, List<Source> src, List<Strategy> st) {
        return new StudySpec(seed, src, st, 2, 1, "test", Preset.SMALL.schedule);
    }

    @Test
    void thePapersSpaceHas1230CandidatesAndThePhasesHaveThePapersSizes() throws Exception {
        StudySpec paper = new StudySpec(7, List.of(Source.values()), List.of(Strategy.values()), 6, 5, "paper",
                Preset.PAPER.schedule);
        assertEquals(1230, paper.space().candidates().size());
        List<PlanRow> rows = Designer.create(tmp.resolve("p"), paper, 12);
        assertEquals(48 + 25 + 12, rows.size());
        assertEquals(48, rows.stream().filter(r -> r.phase() == 1 && r.strategy() == Strategy.SSR).count());
        assertEquals(25, rows.stream().filter(r -> r.phase() == 2 && r.sources().size() == 8).count());
        assertEquals("r0001,1,ssr,self," + rows.get(0).seed(), Files.readAllLines(tmp.resolve("p/plan.csv")).get(1));
        assertEquals(Plan.HEADER, Files.readAllLines(tmp.resolve("p/plan.csv")).get(0));
    }

    @Test
    void theSameSeedGivesTheSamePlanAndAnExtendedDesignEqualsAOneShotOne() throws Exception {
        StudySpec s = spec(11, FOUR, List.of(Strategy.values()));
        Designer.create(tmp.resolve("a"), s, 30);
        Designer.create(tmp.resolve("b"), s, 20);
        Designer.extend(tmp.resolve("b"), 10);
        for (String f : new String[]{"plan.csv", "design.json", "study.json"}) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
        Designer.create(tmp.resolve("c"), spec(12, FOUR, List.of(Strategy.values())), 30);
        assertNotEquals(Files.readString(tmp.resolve("a/plan.csv")), Files.readString(tmp.resolve("c/plan.csv")));
        // the same command again (a rerun after it finished, or a resume whose kill came too late): nothing changes
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
        for (String f : new String[]{"plan.csv", "design.json", "study.json"}) {
            Files.setLastModifiedTime(tmp.resolve("a").resolve(f), old);
        }
        List<PlanRow> before = Plan.read(tmp.resolve("a"), StudySpec.read(tmp.resolve("a")));
        assertEquals(before, Designer.create(tmp.resolve("a"), s, 30));
        for (String f : new String[]{"plan.csv", "design.json", "study.json"}) {
            assertEquals(old, Files.getLastModifiedTime(tmp.resolve("a").resolve(f)), f + " untouched");
        }
        // this design with another number of runs is refused: --extend adds runs
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Designer.create(tmp.resolve("a"), s, 31));
        assertTrue(e.getMessage().contains("already holds this study with") && e.getMessage().contains("--extend"),
                e.getMessage());
    }

    @Test
    void balanceIgnoresExhaustedLevels() {
        DesignSpace sp = new DesignSpace(FOUR, List.of(Strategy.MSCR2));   // n in {2 (6 subsets), 3 (4 subsets)}
        Balance b = new Balance(sp);
        for (DesignSpace.Run r : sp.candidates()) {
            if (r.n() == 3) {
                b.add(r);                         // n = 3 is now exhausted with 4 runs, n = 2 has 0
            }
        }
        // each source: present in 3 of the 4 triples -> 3 vs 1; the n factor ignores its exhausted level (else 4)
        assertEquals(2, b.unbalance());
        // adding bpm+taste: bpm and taste 4 present vs 1 absent -> 3; tag and cdr_tag 3 vs 2
        assertEquals(3, b.unbalanceWith(new DesignSpace.Run(Strategy.MSCR2, sp.mask(List.of(BPM, TASTE)))));
    }

    @Test
    void aliasingIsTheCorrelationBetweenColumnsOfDifferentFactors() {
        DesignSpace sp = new DesignSpace(FOUR, List.of(Strategy.MSCR2, Strategy.MSSRFC));
        Aliasing a = new Aliasing(sp.multiSource(), sp.sources());
        assertEquals(List.of("strategy:mscr2", "bpm", "taste", "tag", "cdr_tag"), a.columns());
        a.add(a.row(Strategy.MSCR2, sp.mask(List.of(BPM, TASTE))));     // strategy +1, bpm +1
        a.add(a.row(Strategy.MSSRFC, sp.mask(List.of(TAG, CDR_TAG))));  // strategy -1, bpm -1
        assertEquals(1.0, a.maxAbs(), 1e-15, "two runs: strategy and bpm columns are identical");
        // with mssrfc on bpm+taste+tag: strategy (1,-1,-1), bpm (1,-1,1): cov 4/9, variances 8/9 -> 0.5;
        // the worst pair is then bpm vs taste: (1,-1,1) vs (1,-1,1) = 1
        int[] x = a.row(Strategy.MSSRFC, sp.mask(List.of(BPM, TASTE, TAG)));
        assertEquals(1.0, a.maxAbs(x), 1e-15);
        a.add(x);
        assertEquals(0.5, a.matrix()[0][1], 1e-15);
    }

    /** Every step of Algorithm 2 against a from-scratch count of unbalance and correlation over the design. */
    @Test
    void everyStepPicksFromTheLeastUnbalancedThenLeastAliasedCandidates() {
        DesignSpace sp = new DesignSpace(List.of(BPM, TASTE, TAG, CDR_TAG, Source.ARTIST),
                List.of(Strategy.MSCR2, Strategy.MSCR6, Strategy.MSSRFC));
        SequentialDesign d = new SequentialDesign(sp, 5, List.of());
        List<DesignSpace.Run> design = new ArrayList<>();
        List<DesignSpace.Run> left = new ArrayList<>(sp.candidates());
        for (int step = 0; step < 40; step++) {
            int best = Integer.MAX_VALUE;
            List<DesignSpace.Run> o = new ArrayList<>();
            for (DesignSpace.Run r : left) {
                int u = bruteUnbalance(sp, design, left, r);
                if (u < best) {
                    best = u;
                    o.clear();
                }
                if (u == best) {
                    o.add(r);
                }
            }
            double least = o.stream().mapToDouble(r -> bruteAlias(sp, design, r)).min().orElseThrow();
            List<DesignSpace.Run> p = o.stream().filter(r -> Math.abs(bruteAlias(sp, design, r) - least) < 1e-9).toList();
            SequentialDesign.Step s = d.next();
            assertTrue(p.contains(s.run()), "step " + step + ": " + s.run() + " not among the least aliased " + p);
            assertEquals(o.size(), s.leastUnbalanced(), "step " + step);
            assertEquals(p.size(), s.leastAliased(), "step " + step);
            design.add(s.run());
            left.remove(s.run());
        }
    }

    // max over factors of (max - min) count over levels that still have candidates after r is drawn
    private static int bruteUnbalance(DesignSpace sp, List<DesignSpace.Run> design, List<DesignSpace.Run> left,
                                      DesignSpace.Run r) {
        List<DesignSpace.Run> b = new ArrayList<>(design);
        b.add(r);
        List<DesignSpace.Run> a = new ArrayList<>(left);
        a.remove(r);
        int worst = 0;
        for (int f = 0; f < 2 + sp.size(); f++) {
            int ff = f;
            java.util.function.Function<DesignSpace.Run, Integer> level = x -> ff == 0 ? x.strategy().ordinal()
                    : ff == 1 ? x.n() : (x.mask() >> (ff - 2)) & 1;
            java.util.Set<Integer> live = new java.util.HashSet<>();
            a.forEach(x -> live.add(level.apply(x)));
            int max = 0;
            int min = Integer.MAX_VALUE;
            for (int l : live) {
                int c = (int) b.stream().filter(x -> level.apply(x) == l).count();
                max = Math.max(max, c);
                min = Math.min(min, c);
            }
            worst = Math.max(worst, live.isEmpty() ? 0 : max - min);
        }
        return worst;
    }

    private static double bruteAlias(DesignSpace sp, List<DesignSpace.Run> design, DesignSpace.Run r) {
        List<DesignSpace.Run> b = new ArrayList<>(design);
        b.add(r);
        List<Strategy> lv = sp.multiSource();
        int k = lv.size() - 1;
        int p = k + sp.size();
        double[][] x = new double[b.size()][p];
        for (int i = 0; i < b.size(); i++) {
            int l = lv.indexOf(b.get(i).strategy());
            for (int j = 0; j < k; j++) {
                x[i][j] = l == j ? 1 : l == k ? -1 : 0;
            }
            for (int s = 0; s < sp.size(); s++) {
                x[i][k + s] = (b.get(i).mask() >> s & 1) == 1 ? 1 : -1;
            }
        }
        double worst = 0;
        for (int i = 0; i < p; i++) {
            for (int j = i + 1; j < p; j++) {
                if (i < k && j < k) {
                    continue;
                }
                double mi = 0, mj = 0;
                for (double[] row : x) {
                    mi += row[i] / b.size();
                    mj += row[j] / b.size();
                }
                double c = 0, vi = 0, vj = 0;
                for (double[] row : x) {
                    c += (row[i] - mi) * (row[j] - mj);
                    vi += (row[i] - mi) * (row[i] - mi);
                    vj += (row[j] - mj) * (row[j] - mj);
                }
                if (vi > 1e-12 && vj > 1e-12) {
                    worst = Math.max(worst, Math.abs(c / Math.sqrt(vi * vj)));
                }
            }
        }
        return worst;
    }

    @Test
    void aHandEditedPlanRowIsRefusedByLine() throws Exception {
        Path st = tmp.resolve("s");
        Designer.create(st, spec(3, FOUR, List.of(Strategy.values())), 4);
        List<String> good = Files.readAllLines(st.resolve("plan.csv"));
        String[][] bad = {
                {"r0003,1,ssr,lyrics,5", "'lyrics' is not in the study's sources"},
                {"r0003,1,mscr9,tag,5", "unknown strategy 'mscr9'"},
                {"r0003,3,mscr2,tag+bpm,5", "canonical order"},
                {"r0003,1,mscr2,tag,5", "phase 1 rows are SS-R"},
                {"r0003,3,mscr2,bpm+taste+tag+cdr_tag,5", "phase 3 rows"},
                {"r0001,1,ssr,tag,5", "'r0001' appears twice"},
                {"r0003,1,ssr,tag", "4 fields"},
                {"r0003,1,ssr,tag,x5", "seed 'x5'"},
                {"rand,1,ssr,tag,5", "bad run id 'rand'"}};
        for (String[] b : bad) {
            List<String> lines = new ArrayList<>(good);
            lines.set(3, b[0]);
            Files.write(st.resolve("plan.csv"), lines);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Plan.read(st, StudySpec.read(st)), b[0]);
            assertTrue(e.getMessage().contains("plan.csv:4: ") && e.getMessage().contains(b[1]), e.getMessage());
        }
    }

    @Test
    void anotherSeedOrSourceSetIsRefusedAndNothingIsOverwritten() throws Exception {
        Path st = tmp.resolve("s");
        Designer.create(st, spec(3, FOUR, List.of(Strategy.values())), 4);
        byte[] plan = Files.readAllBytes(st.resolve("plan.csv"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Designer.create(st, spec(4, FOUR, List.of(Strategy.values())), 4));
        assertTrue(e.getMessage().contains("seed 3 (asked: 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Designer.create(st, spec(3, List.of(BPM, TAG, CDR_TAG), List.of(Strategy.values())), 4));
        assertTrue(e.getMessage().contains("sources bpm,taste,tag,cdr_tag"), e.getMessage());
        // the same design with the same runs is this study (the command run again): its plan, nothing written
        assertEquals(Plan.read(st, StudySpec.read(st)), Designer.create(st, spec(3, FOUR, List.of(Strategy.values())), 4));
        e = assertThrows(IllegalArgumentException.class, () -> Designer.create(st, spec(3, FOUR, List.of(Strategy.values())), 5));
        assertTrue(e.getMessage().contains("--extend"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Designer.extend(st, 1000));
        assertTrue(e.getMessage().contains("only 46 phase-3 candidates remain"), e.getMessage());
        assertArrayEquals(plan, Files.readAllBytes(st.resolve("plan.csv")));
    }

    /** study.json is written last: a design stopped before it is completed by the same command, not refused. */
    @Test
    void aDesignStoppedBeforeItsMarkerIsCompletedByTheSameCommand() throws Exception {
        StudySpec s = spec(5, FOUR, List.of(Strategy.values()));
        Path whole = tmp.resolve("whole");
        Designer.create(whole, s, 6);
        Path cut = tmp.resolve("cut");
        Files.createDirectories(cut);
        Files.copy(whole.resolve(Plan.FILE), cut.resolve(Plan.FILE));   // what a kill before study.json leaves
        Designer.create(cut, s, 6);
        for (String f : new String[]{"plan.csv", "design.json", "study.json"}) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(f)), Files.readAllBytes(cut.resolve(f)), f);
        }
        // another design's plan (other runs) left without study.json is not ours to overwrite
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.copy(whole.resolve(Plan.FILE), other.resolve(Plan.FILE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Designer.create(other, s, 5));
        assertTrue(e.getMessage().contains("plan.csv exists without study.json"), e.getMessage());
        assertArrayEquals(Files.readAllBytes(whole.resolve(Plan.FILE)), Files.readAllBytes(other.resolve(Plan.FILE)));
        assertTrue(!Files.exists(other.resolve(StudySpec.FILE)));
    }
}
