package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;

import java.util.List;

/**
 * Study sizes. {@link #PAPER}: the paper's (section 4.3): all 8 sources and 6 strategies, SS-R repeated 6
 * times (48 runs), the 5 multi-source strategies on all sources 5 times (25), 352 runs of Algorithm 2; 200
 * epochs of batch 128 (GPUs and clusters). {@link #SMALL}: the whole method on 2 CPU cores: the four sources
 * the built-in corpus learns best from (bpm, taste, tag, cdr_tag; the quickstart's), every strategy, SS-R
 * twice (8 runs), each multi-source strategy once on all four (5), 20 runs of Algorithm 2 over n = 2, 3
 * (of 50 candidates): 33 runs covering n = 1 .. 4, each 300 iterations of batch 32 per source, as the
 * quickstart (docs/study.md has the measured time).
 */
public enum Preset {
    PAPER("paper", List.of(Source.values()), 6, 5, 352,
            new Schedule(200L, null, 128, 2.5e-4f, 5, 200, "reference")),
    SMALL("small", List.of(Source.BPM, Source.TASTE, Source.TAG, Source.CDR_TAG), 2, 1, 20,
            new Schedule(null, 300L, 32, 2.5e-4f, 5, 200, "paper"));

    public final String id;
    public final List<Source> sources;
    public final int ssrRepeats;
    public final int fullRepeats;
    public final int runs;
    public final Schedule schedule;

    Preset(String id, List<Source> sources, int ssrRepeats, int fullRepeats, int runs, Schedule schedule) {
        this.id = id;
        this.sources = sources;
        this.ssrRepeats = ssrRepeats;
        this.fullRepeats = fullRepeats;
        this.runs = runs;
        this.schedule = schedule;
    }

    /** Every strategy: SS-R in phase 1, the five multi-source ones in phases 2 and 3. */
    public List<Strategy> strategies() {
        return List.of(Strategy.values());
    }

    public static Preset of(String id) {
        for (Preset p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + id + "' (expected small or paper)");
    }
}
