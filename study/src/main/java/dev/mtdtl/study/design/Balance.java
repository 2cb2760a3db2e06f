package dev.mtdtl.study.design;

import java.util.List;

/**
 * Level counts of a phase-3 design and its unbalance (paper section 4.3, footnote 7): for each factor the
 * largest difference in observation counts between two of its levels, over the levels that are not
 * exhausted; the design's unbalance is the largest over all factors.
 *
 * <p>Factors: f = 0 strategy (levels = {@link DesignSpace#multiSource()}), f = 1 number of sources (level
 * n - 2), f = 2 + i presence of source i (level 0 absent, 1 present). A level is exhausted when no candidate
 * that is still to be drawn has it (the paper: "ignoring those already exhausted"), so a level whose
 * candidates have all been run no longer holds the others back. The counts are of the phase-3 runs only:
 * phases 1 and 2 sit at n = 1 and n = |S|, levels no candidate can reach (digest section 7: the authors'
 * design file holds phase-3 rows only).
 */
public final class Balance {

    private final DesignSpace space;
    private final int[][] count;      // [factor][level]: runs in the design
    private final int[][] left;       // [factor][level]: candidates not yet drawn

    /** Empty design, every candidate still to draw. */
    public Balance(DesignSpace space) {
        this.space = space;
        int f = 2 + space.size();
        count = new int[f][];
        left = new int[f][];
        for (int i = 0; i < f; i++) {
            int levels = i == 0 ? space.multiSource().size() : i == 1 ? space.maxN() - space.minN() + 1 : 2;
            count[i] = new int[levels];
            left[i] = new int[levels];
        }
        for (DesignSpace.Run r : space.candidates()) {
            levels(r, (fi, l) -> left[fi][l]++);
        }
    }

    /** Number of factors: strategy, n, and one per source. */
    public int factors() {
        return count.length;
    }

    /** Level counts of factor f (a copy). */
    public int[] counts(int f) {
        return count[f].clone();
    }

    /** Factor names in the order of {@link #counts}. */
    public String factorName(int f) {
        return f == 0 ? "strategy" : f == 1 ? "n" : space.sources().get(f - 2).id();
    }

    /** Level names of factor f. */
    public List<String> levelNames(int f) {
        if (f == 0) {
            return space.multiSource().stream().map(s -> s.id()).toList();
        }
        if (f == 1) {
            return java.util.stream.IntStream.rangeClosed(space.minN(), space.maxN()).mapToObj(Integer::toString).toList();
        }
        return List.of("absent", "present");
    }

    interface LevelVisitor {
        void visit(int factor, int level);
    }

    private void levels(DesignSpace.Run r, LevelVisitor v) {
        v.visit(0, space.multiSource().indexOf(r.strategy()));
        v.visit(1, r.n() - space.minN());
        for (int i = 0; i < space.size(); i++) {
            v.visit(2 + i, r.mask() >> i & 1);
        }
    }

    /** Move a drawn candidate into the design. */
    public void add(DesignSpace.Run r) {
        checkCandidate(r);
        levels(r, (f, l) -> {
            count[f][l]++;
            left[f][l]--;
        });
    }

    /** Unbalance of the design now (exhausted levels ignored). */
    public int unbalance() {
        int worst = 0;
        for (int f = 0; f < count.length; f++) {
            worst = Math.max(worst, spread(f, -1));
        }
        return worst;
    }

    /** Unbalance of the design with r added and r no longer to be drawn, without changing this object. */
    public int unbalanceWith(DesignSpace.Run r) {
        checkCandidate(r);
        int worst = 0;
        for (int f = 0; f < count.length; f++) {
            int l = f == 0 ? space.multiSource().indexOf(r.strategy()) : f == 1 ? r.n() - space.minN()
                    : r.mask() >> (f - 2) & 1;
            worst = Math.max(worst, spread(f, l));
        }
        return worst;
    }

    // max - min count over the live levels of factor f, with level `plus` counted once more and drawn once.
    private int spread(int f, int plus) {
        int max = Integer.MIN_VALUE;
        int min = Integer.MAX_VALUE;
        for (int l = 0; l < count[f].length; l++) {
            int c = count[f][l] + (l == plus ? 1 : 0);
            int rest = left[f][l] - (l == plus ? 1 : 0);
            if (rest <= 0) {
                continue;                   // exhausted: nothing can be added to this level any more
            }
            max = Math.max(max, c);
            min = Math.min(min, c);
        }
        return max == Integer.MIN_VALUE ? 0 : max - min;
    }

    private void checkCandidate(DesignSpace.Run r) {
        if (r.n() < space.minN() || r.n() > space.maxN() || !space.multiSource().contains(r.strategy())) {
            throw new IllegalArgumentException("not a phase-3 candidate: " + r.strategy().id() + " on "
                    + space.joined(r.mask()));
        }
    }
}
