package dev.mtdtl.study.run;

import dev.mtdtl.study.design.Plan;
import dev.mtdtl.study.design.PlanRow;
import dev.mtdtl.study.design.StudySpec;
import dev.mtdtl.tensor.io.TextFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mtdtl study status}: done / running / interrupted / failed / pending over the plan's rows and the two
 * baselines, read from the results store only, so it reports the same whichever executor (local pool, Slurm
 * tasks on other nodes) did the work. RUNNING means a process holds the run's lock now; INTERRUPTED a run whose
 * process died (it resumes on the next {@code study run}).
 */
public final class StudyStatus {

    /** Counts per state, and the ids of the runs in each state (plan order, baselines first). */
    public record Report(Map<RunStore.State, List<String>> byState, int units, long resultRows) {
        public int count(RunStore.State s) {
            return byState.get(s).size();
        }
    }

    private StudyStatus() {}

    public static Report of(Path study) throws IOException {
        StudySpec spec = StudySpec.read(study);
        List<PlanRow> plan = Plan.read(study, spec);
        RunStore store = new RunStore(study);
        Map<RunStore.State, List<String>> by = new EnumMap<>(RunStore.State.class);
        for (RunStore.State s : RunStore.State.values()) {
            by.put(s, new ArrayList<>());
        }
        List<String> ids = unitIds(plan);
        for (String id : ids) {
            by.get(store.state(id)).add(id);
        }
        long rows = Files.isRegularFile(store.results()) ? Math.max(0, TextFiles.lines(store.results()).size() - 1) : 0;
        return new Report(by, ids.size(), rows);
    }

    /** Print the summary, then each failed run's error and each running run's executor and host. */
    public static void print(Path study, Report r, PrintStream out) throws IOException {
        RunStore store = new RunStore(study);
        out.printf(Locale.ROOT, "%s: %d units (%d plan rows + rand + mfcc): done %d, running %d, interrupted %d, "
                        + "failed %d, pending %d; %d result rows in %s%n", study, r.units(), r.units() - 2,
                r.count(RunStore.State.DONE), r.count(RunStore.State.RUNNING), r.count(RunStore.State.INTERRUPTED),
                r.count(RunStore.State.FAILED), r.count(RunStore.State.PENDING), r.resultRows(), store.results());
        for (String id : r.byState().get(RunStore.State.RUNNING)) {
            Map<String, Object> s = store.readableStatus(id);
            out.printf(Locale.ROOT, "  running      %-8s %s%n", id, s == null ? damaged(store, id)
                    : s.get("executor") + " on " + s.get("host") + " since " + s.get("started"));
        }
        for (String id : r.byState().get(RunStore.State.INTERRUPTED)) {
            Map<String, Object> s = store.readableStatus(id);
            out.printf(Locale.ROOT, "  interrupted  %-8s (%s; resumes on the next 'study run')%n", id, s == null
                    ? damaged(store, id) : "was " + s.get("executor") + " on " + s.get("host"));
        }
        for (String id : r.byState().get(RunStore.State.FAILED)) {
            Map<String, Object> s = store.readableStatus(id);
            out.printf(Locale.ROOT, "  failed       %-8s %s (see %s)%n", id, s.get("error"),
                    store.dir(id).resolve("error.txt"));
        }
        // Which build made the results: one line when one did; otherwise each build with its runs, and the runs
        // that two builds worked on (resumed by another build: trained by one, extracted or evaluated by the other).
        List<PlanRow> plan = Plan.read(study, StudySpec.read(study));
        Map<String, List<String>> by = runsByBuild(store, plan);
        if (by.size() == 1) {
            out.printf(Locale.ROOT, "  build        %s%n", by.keySet().iterator().next());
        } else if (by.size() > 1) {
            out.printf(Locale.ROOT, "  builds       %d builds made this study's results: %s%n", by.size(), describe(by));
            List<String> mixed = new ArrayList<>();
            for (String id : unitIds(plan)) {
                if (store.codes(id).size() > 1) {
                    mixed.add(id + " (" + String.join(" then ", store.codes(id)) + ")");
                }
            }
            if (!mixed.isEmpty()) {
                out.printf(Locale.ROOT, "  mixed        resumed by another build than the one that started them: %s%s%n",
                        String.join(", ", mixed.subList(0, Math.min(5, mixed.size()))),
                        mixed.size() > 5 ? " and " + (mixed.size() - 5) + " more" : "");
            }
        }
    }

    /** The study's units: the baselines, then the plan's runs in order. */
    static List<String> unitIds(List<PlanRow> plan) {
        List<String> ids = new ArrayList<>(List.of("rand", "mfcc"));
        plan.forEach(r -> ids.add(r.run()));
        return ids;
    }

    /**
     * The builds that worked on the study's runs (baselines first, then plan order), each with the runs it worked
     * on; a run resumed by another build is under both. Runs not started, or whose status records no build, are
     * under none.
     */
    static Map<String, List<String>> runsByBuild(RunStore store, List<PlanRow> plan) throws IOException {
        Map<String, List<String>> by = new LinkedHashMap<>();
        for (String id : unitIds(plan)) {
            for (String c : store.codes(id)) {
                by.computeIfAbsent(c, k -> new ArrayList<>()).add(id);
            }
        }
        return by;
    }

    /** "jar:ab12 (3 runs: rand, mfcc, r0001), jar:cd34 (1 run: r0002)": at most 5 ids named per build. */
    static String describe(Map<String, List<String>> by) {
        List<String> parts = new ArrayList<>();
        by.forEach((code, ids) -> parts.add(code + " (" + ids.size() + (ids.size() == 1 ? " run: " : " runs: ")
                + String.join(", ", ids.subList(0, Math.min(5, ids.size()))) + (ids.size() > 5 ? ", ..." : "") + ")"));
        return String.join(", ", parts);
    }

    private static String damaged(RunStore store, String id) {
        return store.dir(id).resolve("status.json") + " cannot be read";
    }
}
