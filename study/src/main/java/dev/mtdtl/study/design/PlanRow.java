package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;

import java.util.List;

/**
 * One row of plan.csv: a representation to learn. {@code run} is the stable id (also the run's folder name
 * and the {@code run} column of results.csv), {@code phase} 1 (SS-R repeats), 2 (all sources) or 3
 * (Algorithm 2), {@code sources} in the canonical order, {@code seed} the training seed of this run.
 */
public record PlanRow(String run, int phase, Strategy strategy, List<Source> sources, long seed) {

    public PlanRow {
        sources = List.copyOf(sources);
    }

    /** Sources joined by '+', the plan's and the results' spelling. */
    public String sourceIds() {
        return String.join("+", sources.stream().map(Source::id).toList());
    }

    /** The CSV line (no newline). */
    public String csv() {
        return String.join(",", run, Integer.toString(phase), strategy.id(), sourceIds(), Long.toString(seed));
    }
}
