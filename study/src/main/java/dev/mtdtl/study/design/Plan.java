package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * STUDY/plan.csv: {@code run,phase,strategy,sources,seed}, one representation per row, sources joined by '+'
 * in the canonical order. Rows are only ever appended (by {@code --extend}); run ids are stable. A plan may be
 * edited by hand; {@link #read} checks every row against the study's definition and names the line at fault.
 */
public final class Plan {

    public static final String FILE = "plan.csv";
    public static final String HEADER = "run,phase,strategy,sources,seed";
    /** Ids of the baselines, which live beside the plan's runs and so cannot be run ids. */
    public static final Set<String> RESERVED = Set.of("rand", "mfcc");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private Plan() {}

    /** The id of the k-th run of a design (k from 1): r0001, r0002, ... */
    public static String id(int k) {
        return String.format("r%04d", k);
    }

    public static void write(Path study, List<PlanRow> rows) throws IOException {
        AtomicFiles.writeString(study.resolve(FILE), text(rows));
    }

    /** The text of plan.csv for these rows. */
    public static String text(List<PlanRow> rows) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (PlanRow r : rows) {
            sb.append(r.csv()).append('\n');
        }
        return sb.toString();
    }

    /** Read and validate the plan of a study whose definition is {@code spec}. */
    public static List<PlanRow> read(Path study, StudySpec spec) throws IOException {
        Path f = study.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(study + ": no " + FILE + " (make one with 'mtdtl study design')");
        }
        List<String> lines = TextFiles.lines(f);
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new IllegalArgumentException(f + ":1: expected the header '" + HEADER + "'");
        }
        DesignSpace space = spec.space();
        List<PlanRow> rows = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String at = f + ":" + (i + 1) + ": ";
            try {
                PlanRow r = parse(line, spec, space);
                if (!ids.add(r.run())) {
                    throw new IllegalArgumentException("run id '" + r.run() + "' appears twice");
                }
                rows.add(r);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + e.getMessage());
            }
        }
        return rows;
    }

    private static PlanRow parse(String line, StudySpec spec, DesignSpace space) {
        String[] c = line.split(",", -1);
        if (c.length != 5) {
            throw new IllegalArgumentException(c.length + " fields, expected 5 (" + HEADER + ")");
        }
        String run = c[0].strip();
        if (!ID.matcher(run).matches() || RESERVED.contains(run)) {
            throw new IllegalArgumentException("bad run id '" + run + "' (letters, digits, '_', '.', '-'; not "
                    + RESERVED + ")");
        }
        int phase;
        try {
            phase = Integer.parseInt(c[1].strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("phase '" + c[1] + "' is not 1, 2 or 3");
        }
        Strategy st = Strategy.of(c[2].strip());
        if (!spec.strategies().contains(st)) {
            throw new IllegalArgumentException("strategy '" + st.id() + "' is not one of this study's "
                    + spec.strategies().stream().map(Strategy::id).toList());
        }
        List<Source> src = new ArrayList<>();
        for (String s : c[3].strip().split("\\+", -1)) {
            Source so = Source.of(s.strip());
            if (src.contains(so)) {
                throw new IllegalArgumentException("source '" + so.id() + "' listed twice");
            }
            src.add(so);
        }
        if (!DesignSpace.canonical(src).equals(src)) {
            throw new IllegalArgumentException("sources '" + c[3] + "' are not in the canonical order (self, bpm, "
                    + "year, taste, tag, lyrics, cdr_tag, artist)");
        }
        int mask = space.mask(src);       // refuses a source outside the study's set
        int n = src.size();
        switch (phase) {
            case 1 -> {
                if (st != Strategy.SSR || n != 1) {
                    throw new IllegalArgumentException("phase 1 rows are SS-R on one source, not " + st.id() + " on "
                            + n + " source(s)");
                }
            }
            case 2 -> {
                if (st == Strategy.SSR || mask != space.fullMask()) {
                    throw new IllegalArgumentException("phase 2 rows are a multi-source strategy on all the study's "
                            + "sources " + space.ids());
                }
            }
            case 3 -> {
                if (st == Strategy.SSR || n < space.minN() || n > space.maxN()) {
                    throw new IllegalArgumentException("phase 3 rows are a multi-source strategy on " + space.minN()
                            + " to " + space.maxN() + " sources, not " + st.id() + " on " + n);
                }
            }
            default -> throw new IllegalArgumentException("phase " + phase + " is not 1, 2 or 3");
        }
        long seed;
        try {
            seed = Long.parseLong(c[4].strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("seed '" + c[4] + "' is not an integer");
        }
        return new PlanRow(run, phase, st, src, seed);
    }
}
