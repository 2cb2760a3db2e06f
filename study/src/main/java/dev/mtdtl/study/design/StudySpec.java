package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What defines a study, kept in STUDY/study.json: the design's seed, source set S (canonical order), strategy
 * set, phase sizes, the preset it came from, and the {@link Schedule} every run is trained and evaluated with.
 * A design or run command on an existing STUDY must agree with it (another seed or source set is refused).
 */
public record StudySpec(long seed, List<Source> sources, List<Strategy> strategies, int ssrRepeats,
                        int fullRepeats, String preset, Schedule schedule) {

    /** The most repeats of a phase-1 or phase-2 run. */
    public static final int MAX_REPEATS = 1000;

    public static final String FILE = "study.json";
    static final String FORMAT = "mtdtl-study";

    public StudySpec {
        sources = DesignSpace.canonical(sources);
        List<Strategy> st = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            if (strategies.contains(s)) {
                st.add(s);
            }
        }
        if (st.size() != strategies.size()) {
            throw new IllegalArgumentException("a strategy is listed twice in " + strategies);
        }
        strategies = List.copyOf(st);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a study needs at least one source");
        }
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("a study needs at least one strategy");
        }
        if (ssrRepeats < 0 || fullRepeats < 0 || ssrRepeats > MAX_REPEATS || fullRepeats > MAX_REPEATS) {
            // the paper repeats 6 and 5 times; 2^31 - 1 would enumerate runs until the heap is gone
            throw new IllegalArgumentException("repeats must be from 0 to " + MAX_REPEATS + ", got " + ssrRepeats
                    + " (SS-R) and " + fullRepeats + " (all sources)");
        }
    }

    public DesignSpace space() {
        return new DesignSpace(sources, strategies);
    }

    public StudySpec withSchedule(Schedule s) {
        return new StudySpec(seed, sources, strategies, ssrRepeats, fullRepeats, preset, s);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", 1L);
        m.put("seed", seed);
        m.put("sources", sources.stream().map(Source::id).toList());
        m.put("strategies", strategies.stream().map(Strategy::id).toList());
        m.put("ssr_repeats", (long) ssrRepeats);
        m.put("full_repeats", (long) fullRepeats);
        m.put("preset", preset);
        m.put("schedule", schedule.toJson());
        return m;
    }

    public void write(Path study) throws IOException {
        AtomicFiles.writeString(study.resolve(FILE), Json.write(toJson(), 2) + "\n");
    }

    public static boolean exists(Path study) {
        return Files.isRegularFile(study.resolve(FILE));
    }

    /** Read STUDY/study.json; errors name the file and field. */
    @SuppressWarnings("unchecked")
    public static StudySpec read(Path study) throws IOException {
        Path f = study.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(study + ": not a study folder (no " + FILE
                    + "; make one with 'mtdtl study design --out " + study + "')");
        }
        String where = f.toString();
        Map<String, Object> m = Json.parseObject(TextFiles.read(f), where);
        if (!FORMAT.equals(m.get("format"))) {
            throw new IllegalArgumentException(where + ": field 'format' must be '" + FORMAT + "'");
        }
        try {
            List<Source> src = new ArrayList<>();
            for (Object o : (List<Object>) m.get("sources")) {
                src.add(Source.of(String.valueOf(o)));
            }
            List<Strategy> st = new ArrayList<>();
            for (Object o : (List<Object>) m.get("strategies")) {
                st.add(Strategy.of(String.valueOf(o)));
            }
            Object sch = m.get("schedule");
            if (!(sch instanceof Map)) {
                throw new IllegalArgumentException("missing object 'schedule'");
            }
            return new StudySpec(Schedule.reqLong(m, "seed", where), src, st,
                    (int) Schedule.reqLong(m, "ssr_repeats", where), (int) Schedule.reqLong(m, "full_repeats", where),
                    String.valueOf(m.get("preset")), Schedule.fromJson((Map<String, Object>) sch, where + " schedule"));
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException(where + ": malformed study file (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    /**
     * Refuse to continue a study with a different definition: names the first field that differs. The
     * schedule is not compared (see {@code StudyRunner}, which may set it before the first run).
     */
    public void requireSameDesign(StudySpec other, Path study) {
        String what = seed != other.seed ? "seed " + seed + " (asked: " + other.seed + ")"
                : !sources.equals(other.sources) ? "sources " + ids(sources) + " (asked: " + ids(other.sources) + ")"
                : !strategies.equals(other.strategies) ? "strategies " + strategies + " (asked: " + other.strategies + ")"
                : ssrRepeats != other.ssrRepeats ? "ssr repeats " + ssrRepeats + " (asked: " + other.ssrRepeats + ")"
                : fullRepeats != other.fullRepeats ? "full repeats " + fullRepeats + " (asked: " + other.fullRepeats + ")"
                : null;
        if (what != null) {
            throw new IllegalArgumentException(study.resolve(FILE) + ": this study was made with " + what
                    + "; use another --out folder for a different study, or --extend to add runs to this one");
        }
    }

    private static String ids(List<Source> s) {
        return String.join(",", s.stream().map(Source::id).toList());
    }
}
