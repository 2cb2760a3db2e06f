package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;

import java.util.ArrayList;
import java.util.List;

/**
 * The factors of the study (paper section 4.3) over a chosen source set S and strategy set, and the
 * candidate runs of the design's third phase.
 *
 * <p>A run is coded by its strategy and a source mask: bit i set = {@code sources().get(i)} present
 * (S in the canonical order self, bpm, year, taste, tag, lyrics, cdr_tag, artist). Factors of a
 * phase-3 design: strategy (the multi-source strategies), number of sources n (levels 2 .. |S|-1) and one
 * two-level presence factor per source. The phase-3 candidates are every multi-source strategy times
 * every subset with 2 <= n <= |S|-1: for the paper's 8 sources and 5 strategies 5 x (2^8 - 1 - 8 - 1) =
 * 5 x 246 = 1,230 (the paper's count). n = 1 (SS-R, phase 1) and n = |S| (phase 2) are not candidates.
 */
public final class DesignSpace {

    /** One coded run: a strategy and a source mask over {@link #sources()}. */
    public record Run(Strategy strategy, int mask) {
        public int n() {
            return Integer.bitCount(mask);
        }
    }

    private final List<Source> sources;        // S, canonical order
    private final List<Strategy> multi;        // multi-source strategies of phases 2 and 3, enum order

    public DesignSpace(List<Source> sources, List<Strategy> strategies) {
        this.sources = canonical(sources);
        List<Strategy> m = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            if (s != Strategy.SSR && strategies.contains(s)) {
                m.add(s);
            }
        }
        this.multi = List.copyOf(m);
    }

    /** Sources in the canonical (enum) order, duplicates refused. */
    public static List<Source> canonical(List<Source> sources) {
        List<Source> out = new ArrayList<>();
        for (Source s : Source.values()) {
            if (sources.contains(s)) {
                out.add(s);
            }
        }
        if (out.size() != sources.size()) {
            throw new IllegalArgumentException("a source is listed twice in " + sources);
        }
        return List.copyOf(out);
    }

    public List<Source> sources() {
        return sources;
    }

    /** The multi-source strategies (the strategy factor's levels in phase 3). */
    public List<Strategy> multiSource() {
        return multi;
    }

    /** Number of sources |S|. */
    public int size() {
        return sources.size();
    }

    /** Smallest and largest n of a phase-3 candidate. */
    public int minN() {
        return 2;
    }

    public int maxN() {
        return sources.size() - 1;
    }

    /** The mask with every source present. */
    public int fullMask() {
        return (1 << sources.size()) - 1;
    }

    /** Mask of a source list (each must be in S). */
    public int mask(List<Source> present) {
        int m = 0;
        for (Source s : present) {
            int i = sources.indexOf(s);
            if (i < 0) {
                throw new IllegalArgumentException("source '" + s.id() + "' is not in the study's sources " + ids());
            }
            m |= 1 << i;
        }
        return m;
    }

    /** The sources of a mask, canonical order. */
    public List<Source> sourcesOf(int mask) {
        List<Source> out = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            if ((mask >> i & 1) != 0) {
                out.add(sources.get(i));
            }
        }
        return out;
    }

    /** The source ids joined by '+', as in plan.csv and results.csv. */
    public String joined(int mask) {
        return String.join("+", sourcesOf(mask).stream().map(Source::id).toList());
    }

    public List<String> ids() {
        return sources.stream().map(Source::id).toList();
    }

    /**
     * Every phase-3 candidate in a fixed order (strategy, then n ascending, then mask ascending), which the
     * random choice among ties indexes into, so the order is part of the design's reproducibility.
     */
    public List<Run> candidates() {
        List<Run> out = new ArrayList<>();
        for (Strategy st : multi) {
            for (int n = minN(); n <= maxN(); n++) {
                for (int m = 1; m < fullMask(); m++) {
                    if (Integer.bitCount(m) == n) {
                        out.add(new Run(st, m));
                    }
                }
            }
        }
        return out;
    }
}
