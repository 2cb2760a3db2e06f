package dev.mtdtl.study.design;

import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Algorithm 2 of the paper (section 4.3): the phase-3 runs, one at a time. With A the candidates not yet in
 * the design and B the design so far:
 * <ol>
 *   <li>O = the candidates o in A whose addition gives the least unbalance of B + {o} ({@link Balance});</li>
 *   <li>P = those of O whose addition gives the least maximum absolute aliasing between main effects
 *       ({@link Aliasing});</li>
 *   <li>p = a uniform draw from P; A loses p, B gains it.</li>
 * </ol>
 * The draw of step t (t = |B| before the step) uses its own generator seeded by hash(seed, t), so a design of
 * 30 runs extended by 10 is the design of 40 runs, and the draw does not depend on how the design was built.
 * Ties in P are indexed in {@link DesignSpace#candidates()} order.
 */
public final class SequentialDesign {

    /** One step's outcome: the run and the design's unbalance and aliasing after it, with the tie sizes. */
    public record Step(DesignSpace.Run run, int unbalance, double maxAlias, int leastUnbalanced, int leastAliased) {}

    private final DesignSpace space;
    private final long seed;
    private final Balance balance;
    private final Aliasing alias;
    private final Set<DesignSpace.Run> left;    // A, in candidate order
    private int steps;                          // |B|

    /** Start from the phase-3 runs already in the design (in plan order). */
    public SequentialDesign(DesignSpace space, long seed, List<DesignSpace.Run> done) {
        if (space.multiSource().isEmpty()) {
            throw new IllegalArgumentException("phase 3 needs at least one multi-source strategy");
        }
        if (space.size() < 3) {
            throw new IllegalArgumentException("phase 3 needs at least 3 sources (n = 2 .. |S|-1), have "
                    + space.ids());
        }
        this.space = space;
        this.seed = seed;
        balance = new Balance(space);
        alias = new Aliasing(space.multiSource(), space.sources());
        left = new LinkedHashSet<>(space.candidates());
        for (DesignSpace.Run r : done) {
            accept(r);
        }
    }

    /** Candidates still to draw. */
    public int remaining() {
        return left.size();
    }

    public Balance balance() {
        return balance;
    }

    public Aliasing aliasing() {
        return alias;
    }

    /** Put a run into the design (used for the runs already in a plan, and by {@link #next}). */
    public void accept(DesignSpace.Run r) {
        left.remove(r);
        balance.add(r);
        alias.add(alias.row(r.strategy(), r.mask()));
        steps++;
    }

    /** Choose, add and return the next run. */
    public Step next() {
        if (left.isEmpty()) {
            throw new IllegalStateException("every one of the " + space.candidates().size()
                    + " phase-3 candidates is already in the design");
        }
        List<DesignSpace.Run> o = new ArrayList<>();
        int best = Integer.MAX_VALUE;
        for (DesignSpace.Run r : left) {
            int u = balance.unbalanceWith(r);
            if (u < best) {
                best = u;
                o.clear();
            }
            if (u == best) {
                o.add(r);
            }
        }
        List<DesignSpace.Run> p = new ArrayList<>();
        double least = Double.POSITIVE_INFINITY;
        for (DesignSpace.Run r : o) {
            double a = alias.maxAbs(alias.row(r.strategy(), r.mask()));
            if (a < least - Aliasing.TIE) {
                least = a;
                p.clear();
            }
            if (Math.abs(a - least) <= Aliasing.TIE) {
                p.add(r);
            }
        }
        DesignSpace.Run pick = p.get(new Rng(Rng.hash(seed, steps)).nextInt(p.size()));
        accept(pick);
        return new Step(pick, balance.unbalance(), alias.maxAbs(), o.size(), p.size());
    }
}
