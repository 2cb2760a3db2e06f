package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The paper's three phases (section 4.3) into STUDY/plan.csv, with STUDY/study.json and STUDY/design.json:
 * <ol>
 *   <li>SS-R on every source, repeated {@code ssrRepeats} times (repeat-major: every source once, then again);</li>
 *   <li>every multi-source strategy on all sources, repeated {@code fullRepeats} times;</li>
 *   <li>{@code runs} runs of Algorithm 2 ({@link SequentialDesign}) over the remaining candidates.</li>
 * </ol>
 * Each run's training seed is hash(study seed, k) for the k-th row (31 bits, readable). {@link #extend} appends
 * phase-3 runs by the same rule; the result equals a design made with the larger count at once.
 * Everything is checked before anything is written, and every file is written atomically.
 */
public final class Designer {

    public static final String DESIGN_FILE = "design.json";

    private Designer() {}

    /**
     * A new study in {@code study}. Returns the plan. A folder that holds this very study already (the same design
     * and plan: the same command run again, after it finished) is left as it is and its plan returned, as every
     * resumable command does; one that holds another design, or this design with another number of runs, is refused.
     */
    public static List<PlanRow> create(Path study, StudySpec spec, int runs) throws IOException {
        StudySpec have = null;
        if (StudySpec.exists(study)) {
            have = StudySpec.read(study);
            have.requireSameDesign(spec, study);
        }
        if (runs < 0) {
            throw new IllegalArgumentException("--runs must be >= 0, got " + runs);
        }
        DesignSpace space = spec.space();
        List<PlanRow> rows = new ArrayList<>();
        if (spec.strategies().contains(Strategy.SSR)) {
            for (int rep = 0; rep < spec.ssrRepeats(); rep++) {
                for (Source s : space.sources()) {
                    rows.add(row(spec, rows, 1, Strategy.SSR, List.of(s)));
                }
            }
        }
        if (space.size() > 1) {
            for (int rep = 0; rep < spec.fullRepeats(); rep++) {
                for (Strategy st : space.multiSource()) {
                    rows.add(row(spec, rows, 2, st, space.sources()));
                }
            }
        }
        if (runs > 0) {
            phase3(spec, rows, runs);
        }
        Path plan = study.resolve(Plan.FILE);
        if (have != null) {
            if (holds(plan, rows)) {
                return rows;
            }
            throw new IllegalArgumentException(study + " already holds this study with " + Plan.read(study, have).size()
                    + " runs in " + Plan.FILE + " (asked for " + rows.size() + "); use --extend N to add runs, or another "
                    + "--out folder");
        }
        // study.json is the marker of a complete study (what 'study run' and a second 'design' look for), so it is
        // written last: a design killed before it leaves plan.csv and design.json, which the same command, run
        // again, recognises as its own (the same bytes) and completes; any other plan.csv is someone's, not ours.
        if (Files.exists(plan) && !holds(plan, rows)) {
            throw new IllegalArgumentException(plan + " exists without " + StudySpec.FILE + " and is not this design's "
                    + "plan (a design stopped before it finished writes the same plan); refusing to overwrite it");
        }
        Files.createDirectories(study);
        Plan.write(study, rows);
        writeDesign(study, spec, rows);
        spec.write(study);
        return rows;
    }

    /** Whether the plan file holds exactly the bytes {@link Plan#write} would write for {@code rows}. */
    private static boolean holds(Path plan, List<PlanRow> rows) throws IOException {
        return Arrays.equals(Files.readAllBytes(plan), Plan.text(rows).getBytes(StandardCharsets.UTF_8));
    }

    /** Append {@code runs} phase-3 runs to an existing study. Returns the new rows. */
    public static List<PlanRow> extend(Path study, int runs) throws IOException {
        if (runs < 1) {
            throw new IllegalArgumentException("--extend must be >= 1, got " + runs);
        }
        StudySpec spec = StudySpec.read(study);
        List<PlanRow> rows = new ArrayList<>(Plan.read(study, spec));
        int before = rows.size();
        phase3(spec, rows, runs);
        Plan.write(study, rows);
        writeDesign(study, spec, rows);
        return rows.subList(before, rows.size());
    }

    private static void phase3(StudySpec spec, List<PlanRow> rows, int runs) {
        DesignSpace space = spec.space();
        SequentialDesign d = new SequentialDesign(space, spec.seed(), phase3Runs(space, rows));
        if (runs > d.remaining()) {
            throw new IllegalArgumentException("only " + d.remaining() + " phase-3 candidates remain (of "
                    + space.candidates().size() + "); asked for " + runs);
        }
        for (int i = 0; i < runs; i++) {
            DesignSpace.Run r = d.next().run();
            rows.add(row(spec, rows, 3, r.strategy(), space.sourcesOf(r.mask())));
        }
    }

    private static List<DesignSpace.Run> phase3Runs(DesignSpace space, List<PlanRow> rows) {
        List<DesignSpace.Run> b = new ArrayList<>();
        for (PlanRow r : rows) {
            if (r.phase() == 3) {
                b.add(new DesignSpace.Run(r.strategy(), space.mask(r.sources())));
            }
        }
        return b;
    }

    private static PlanRow row(StudySpec spec, List<PlanRow> rows, int phase, Strategy st, List<Source> src) {
        Set<String> taken = new HashSet<>();
        rows.forEach(r -> taken.add(r.run()));
        int k = rows.size() + 1;
        while (taken.contains(Plan.id(k))) {
            k++;
        }
        return new PlanRow(Plan.id(k), phase, st, src, Rng.hash(spec.seed(), k) >>> 33);
    }

    /** Write design.json for a plan (level counts, alias matrices, the trajectory of phase 3). */
    public static void writeDesign(Path study, StudySpec spec, List<PlanRow> rows) throws IOException {
        AtomicFiles.writeString(study.resolve(DESIGN_FILE), Json.write(summary(spec, rows), 1) + "\n");
    }

    /** The content of design.json. */
    public static Map<String, Object> summary(StudySpec spec, List<PlanRow> rows) {
        DesignSpace space = spec.space();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", spec.seed());
        m.put("sources", space.ids());
        long[] perPhase = new long[4];
        rows.forEach(r -> perPhase[r.phase()]++);
        m.put("runs", ordered("phase1", perPhase[1], "phase2", perPhase[2], "phase3", perPhase[3],
                "total", (long) rows.size()));
        m.put("phase3_candidates", (long) (space.size() >= 3 ? space.candidates().size() : 0));
        if (perPhase[3] > 0) {
            Map<String, Object> p3 = new LinkedHashMap<>();
            SequentialDesign replay = new SequentialDesign(space, spec.seed(), List.of());
            List<Object> steps = new ArrayList<>();
            for (PlanRow r : rows) {
                if (r.phase() == 3) {
                    replay.accept(new DesignSpace.Run(r.strategy(), space.mask(r.sources())));
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("run", r.run());
                    s.put("unbalance", (long) replay.balance().unbalance());
                    s.put("max_abs_aliasing", round(replay.aliasing().maxAbs()));
                    steps.add(s);
                }
            }
            Balance b = replay.balance();
            Map<String, Object> counts = new LinkedHashMap<>();
            for (int f = 0; f < b.factors(); f++) {
                Map<String, Object> lv = new LinkedHashMap<>();
                int[] c = b.counts(f);
                List<String> names = b.levelNames(f);
                for (int l = 0; l < c.length; l++) {
                    lv.put(names.get(l), (long) c[l]);
                }
                counts.put(b.factorName(f), lv);
            }
            p3.put("level_counts", counts);
            p3.put("unbalance", (long) b.unbalance());
            p3.put("alias", aliasJson(replay.aliasing()));
            p3.put("steps", steps);
            m.put("phase3", p3);
        }
        // The whole design (all phases): strategy with every level used, n from 1 to |S|, presence.
        List<Strategy> levels = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            if (rows.stream().anyMatch(r -> r.strategy() == s)) {
                levels.add(s);
            }
        }
        if (!rows.isEmpty()) {
            Aliasing all = new Aliasing(levels, space.sources());
            Map<String, Object> byStrategy = new LinkedHashMap<>();
            Map<String, Object> byN = new LinkedHashMap<>();
            for (Strategy s : levels) {
                byStrategy.put(s.id(), rows.stream().filter(r -> r.strategy() == s).count());
            }
            for (int n = 1; n <= space.size(); n++) {
                int nn = n;
                byN.put(Integer.toString(n), rows.stream().filter(r -> r.sources().size() == nn).count());
            }
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("strategy", byStrategy);
            counts.put("n", byN);
            for (Source s : space.sources()) {
                long present = rows.stream().filter(r -> r.sources().contains(s)).count();
                counts.put(s.id(), ordered("absent", rows.size() - present, "present", present));
            }
            for (PlanRow r : rows) {
                all.add(all.row(r.strategy(), space.mask(r.sources())));
            }
            Map<String, Object> whole = new LinkedHashMap<>();
            whole.put("level_counts", counts);
            whole.put("alias", aliasJson(all));
            m.put("all_phases", whole);
        }
        return m;
    }

    private static Map<String, Object> aliasJson(Aliasing a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("coding", "Pearson correlation between main-effect columns: strategy in effects coding (last level "
                + "the reference), one +-1 column per source; n left out (the sum of the presence columns)");
        m.put("columns", a.columns());
        m.put("factor_of_column", a.factorNames());
        m.put("max_abs_between_factors", round(a.maxAbs()));
        List<Object> mat = new ArrayList<>();
        for (double[] row : a.matrix()) {
            List<Object> r = new ArrayList<>();
            for (double v : row) {
                r.add(round(v));
            }
            mat.add(r);
        }
        m.put("matrix", mat);
        return m;
    }

    // A map with the given key order (Map.of's iteration order changes from one JVM to the next).
    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
