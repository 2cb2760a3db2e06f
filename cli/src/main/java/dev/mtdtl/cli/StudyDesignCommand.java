package dev.mtdtl.cli;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.study.design.Designer;
import dev.mtdtl.study.design.Plan;
import dev.mtdtl.study.design.PlanRow;
import dev.mtdtl.study.design.Preset;
import dev.mtdtl.study.design.Schedule;
import dev.mtdtl.study.design.StudySpec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mtdtl study design}: a new plan (the paper's three phases), or {@code --extend N} runs of Algorithm 2. */
@Command(name = "design", mixinStandardHelpOptions = true,
        description = {"Plan a study: SS-R on every source (repeated), every multi-source strategy on all sources "
                + "(repeated), then Algorithm 2: runs that keep the design balanced, then least aliased, drawn with "
                + "the seed. Writes STUDY/plan.csv (run,phase,strategy,sources,seed), study.json and design.json.",
                "--preset paper (the default sizes): 8 sources, 48 + 25 + 352 runs, 200 epochs of batch 128. "
                        + "--preset small: bpm, taste, tag, cdr_tag; 8 + 5 + 20 runs of 300 iterations of batch 32 "
                        + "per source (about an hour on 2 cores)."})
final class StudyDesignCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "STUDY", description = "study folder (created)")
    Path out;

    @Option(names = "--preset", description = "small or paper (default: paper); the options below override it")
    String preset;

    // Not split by picocli, which drops a trailing empty name ("bpm,tag,"): Source.parseList refuses every empty one.
    @Option(names = "--sources", description = "learning sources (default: the preset's; paper: all 8)")
    List<String> sources;

    @Option(names = "--strategies", split = ",",
            description = "ssr (phase 1) and multi-source strategies msscr, mscr2, mscr4, mscr6, mssrfc (default: all)")
    List<String> strategies;

    @Option(names = "--ssr-repeats", description = "phase 1: SS-R runs per source (paper: 6)")
    Integer ssrRepeats;

    @Option(names = "--full-repeats", description = "phase 2: runs per strategy on all sources (paper: 5)")
    Integer fullRepeats;

    @Option(names = "--runs", description = "phase 3: runs of Algorithm 2 (paper: 352)")
    Integer runs;

    @Option(names = "--seed", description = "seed of the design and of the runs (default 1)")
    Long seed;

    @ArgGroup(exclusive = true)
    Length length;

    static final class Length {
        @Option(names = "--epochs", description = "training length of every run in epochs (paper preset: 200)")
        Long epochs;

        @Option(names = "--iterations", description = "training length of every run in iterations per source "
                + "(small preset: 300)")
        Long iterations;
    }

    @Option(names = "--batch", description = "training batch (paper preset: 128, small: 32)")
    Integer batch;

    @Option(names = "--repetitions", description = "evaluation repetitions per dataset (default 5)")
    Integer repetitions;

    @Option(names = "--wmf-variant", description = "recommendation evaluation: reference or paper (see 'mtdtl "
            + "evaluate --help'; paper preset: reference, small: paper, as the quickstart, because the reference "
            + "update can fail on the small built-in corpus)")
    String wmfVariant;

    @Option(names = "--extend", paramLabel = "N", description = "append N phase-3 runs to the existing plan in --out")
    Integer extend;

    @Override
    public Integer call() throws Exception {
        if (extend != null) {
            if (preset != null || sources != null || strategies != null || ssrRepeats != null || fullRepeats != null
                    || runs != null || length != null || batch != null || repetitions != null || wmfVariant != null) {
                throw new IllegalArgumentException("--extend continues the study in --out as it was defined; "
                        + "leave out --preset, --sources, --strategies, --*-repeats, --runs and the schedule options");
            }
            StudySpec have = StudySpec.read(out);
            if (seed != null && have.seed() != seed) {
                have.requireSameDesign(new StudySpec(seed, have.sources(), have.strategies(), have.ssrRepeats(),
                        have.fullRepeats(), have.preset(), have.schedule()), out);
            }
            List<PlanRow> added = Designer.extend(out, extend);
            System.out.printf(Locale.ROOT, "added %d runs (%s .. %s) to %s%n", added.size(), added.get(0).run(),
                    added.get(added.size() - 1).run(), out.resolve(Plan.FILE));
            summary(out);
            return 0;
        }
        Preset p = preset == null ? Preset.PAPER : Preset.of(preset);
        List<Source> src = new ArrayList<>();
        if (sources == null) {
            src.addAll(p.sources);
        } else {
            src.addAll(Source.parseList(String.join(",", sources)));
        }
        List<Strategy> st = new ArrayList<>();
        if (strategies == null) {
            st.addAll(p.strategies());
        } else {
            for (String s : strategies) {
                st.add(Strategy.of(s.trim()));
            }
        }
        long sd = seed == null ? 1 : seed;
        StudySpec spec = new StudySpec(sd, src, st, ssrRepeats != null ? ssrRepeats : p.ssrRepeats,
                fullRepeats != null ? fullRepeats : p.fullRepeats, p.id, schedule(p.schedule));
        int n = runs != null ? runs : p.runs;
        if (spec.sources().size() < 3 && runs == null) {
            n = 0;   // no phase-3 candidates with fewer than 3 sources
        }
        if (n > 0 && spec.sources().size() >= 3) {
            int cands = spec.space().candidates().size();
            if (runs == null && n > cands) {
                n = cands;   // the preset asks for more than this source set offers: all of them
            }
        }
        List<PlanRow> rows = Designer.create(out, spec, n);
        System.out.printf(Locale.ROOT, "planned %d runs in %s (preset %s, seed %d; schedule %s, batch %d)%n",
                rows.size(), out.resolve(Plan.FILE), p.id, sd, spec.schedule().length(), spec.schedule().batch());
        summary(out);
        return 0;
    }

    private Schedule schedule(Schedule s) {
        if (length != null) {
            s = length.epochs != null ? s.withEpochs(length.epochs) : s.withIterationsPerSource(length.iterations);
        }
        return new Schedule(s.epochs(), s.iterationsPerSource(), batch != null ? batch : s.batch(), s.lr(),
                repetitions != null ? repetitions : s.evalRepetitions(), s.evalMaxEpochs(),
                wmfVariant != null ? wmfVariant : s.wmfVariant());
    }

    @SuppressWarnings("unchecked")
    private static void summary(Path out) throws java.io.IOException {
        StudySpec spec = StudySpec.read(out);
        Map<String, Object> d = Designer.summary(spec, Plan.read(out, spec));
        Map<String, Object> r = (Map<String, Object>) d.get("runs");
        System.out.printf(Locale.ROOT, "  phase 1 (SS-R): %s, phase 2 (all sources): %s, phase 3 (Algorithm 2): %s of %s "
                + "candidates%n", r.get("phase1"), r.get("phase2"), r.get("phase3"), d.get("phase3_candidates"));
        Map<String, Object> p3 = (Map<String, Object>) d.get("phase3");
        if (p3 != null) {
            Map<String, Object> alias = (Map<String, Object>) p3.get("alias");
            System.out.printf(Locale.ROOT, "  phase 3: unbalance %s, max |aliasing| between main effects %s; "
                    + "level counts %s%n", p3.get("unbalance"), alias.get("max_abs_between_factors"),
                    ((Map<String, Object>) p3.get("level_counts")).get("n"));
        }
        System.out.println("  details: " + out.resolve(Designer.DESIGN_FILE));
    }
}
