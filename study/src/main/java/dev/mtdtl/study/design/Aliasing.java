package dev.mtdtl.study.design;

import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;

import java.util.ArrayList;
import java.util.List;

/**
 * Aliasing between the main effects of a design (paper section 4.3 and Fig. 7), as the correlation between
 * the columns of the main-effects model matrix.
 *
 * <p>Columns (p of them): the strategy factor in effects (sum-to-zero) coding, k - 1 columns for k levels,
 * column j = +1 at level j, -1 at the last level, 0 otherwise; then one +-1 column per source (present / absent).
 * The number of sources n is left out: it is the sum of the presence columns, so it is aliased with them by
 * construction (digest section 7). The aliasing between two columns is their Pearson correlation over the
 * runs; the design's aliasing is the largest |correlation| between columns of different factors (columns of
 * one effects-coded factor are correlated by the coding itself, 0.5 for balanced levels, and are not
 * aliasing). A column with no variance (one level seen so far) has correlation 0 with every other: no effect
 * can be estimated from it yet, and the unbalance criterion, which runs first, drives such levels in.
 *
 * <p>Sums are kept as exact integers (every entry is -1, 0 or 1), so adding a run and asking for the aliasing
 * with a candidate are O(p^2) and give bit-identical doubles on every machine; ties between candidates are
 * compared with a tolerance of {@link #TIE}.
 */
public final class Aliasing {

    /** Two aliasing values closer than this are a tie. */
    public static final double TIE = 1e-12;

    private final List<Strategy> levels;
    private final List<Source> sources;
    private final int p;
    private final int[] factorOf;     // (p): 0 = strategy, 1 + i = source i
    private final String[] names;     // (p)
    private long n;
    private final long[] sum;         // (p)
    private final long[][] cross;     // (p, p): sum of x_i x_j

    /** Aliasing over strategy levels {@code levels} (in this order; the last is the coding's reference) and S. */
    public Aliasing(List<Strategy> levels, List<Source> sources) {
        this.levels = List.copyOf(levels);
        this.sources = List.copyOf(sources);
        int k = Math.max(0, levels.size() - 1);
        p = k + sources.size();
        factorOf = new int[p];
        names = new String[p];
        for (int j = 0; j < k; j++) {
            factorOf[j] = 0;
            names[j] = "strategy:" + levels.get(j).id();
        }
        for (int i = 0; i < sources.size(); i++) {
            factorOf[k + i] = 1 + i;
            names[k + i] = sources.get(i).id();
        }
        sum = new long[p];
        cross = new long[p][p];
    }

    /** Column names, e.g. strategy:msscr ... strategy:mscr6, self, bpm, ... */
    public List<String> columns() {
        return List.of(names);
    }

    /** Runs added so far. */
    public long runs() {
        return n;
    }

    /** The model-matrix row of a run (mask over this object's sources). */
    public int[] row(Strategy st, int mask) {
        int[] x = new int[p];
        int k = levels.size() - 1;
        int l = levels.indexOf(st);
        if (l < 0) {
            throw new IllegalArgumentException("strategy '" + st.id() + "' is not a level of this design " + levels);
        }
        for (int j = 0; j < k; j++) {
            x[j] = l == j ? 1 : l == k ? -1 : 0;
        }
        for (int i = 0; i < sources.size(); i++) {
            x[Math.max(0, k) + i] = (mask >> i & 1) != 0 ? 1 : -1;
        }
        return x;
    }

    /** Add a run's row. */
    public void add(int[] x) {
        n++;
        for (int i = 0; i < p; i++) {
            sum[i] += x[i];
            for (int j = 0; j < p; j++) {
                cross[i][j] += (long) x[i] * x[j];
            }
        }
    }

    /** Largest |correlation| between columns of different factors in the design now. */
    public double maxAbs() {
        return maxAbs(null);
    }

    /** The same with the row x added (the design is not changed). */
    public double maxAbs(int[] x) {
        long nn = n + (x == null ? 0 : 1);
        double worst = 0;
        for (int i = 0; i < p; i++) {
            for (int j = i + 1; j < p; j++) {
                if (factorOf[i] != factorOf[j]) {
                    worst = Math.max(worst, Math.abs(corr(nn, x, i, j)));
                }
            }
        }
        return worst;
    }

    /** The p x p correlation matrix of the columns (the diagonal is 1 for a column with variance, else 0). */
    public double[][] matrix() {
        double[][] c = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                c[i][j] = corr(n, null, i, j);
            }
        }
        return c;
    }

    // Pearson correlation from integer sums: (N Sxy - Sx Sy) / sqrt((N Sxx - Sx^2)(N Syy - Sy^2)).
    private double corr(long nn, int[] x, int i, int j) {
        long si = sum[i] + (x == null ? 0 : x[i]);
        long sj = sum[j] + (x == null ? 0 : x[j]);
        long sij = cross[i][j] + (x == null ? 0 : (long) x[i] * x[j]);
        long sii = cross[i][i] + (x == null ? 0 : (long) x[i] * x[i]);
        long sjj = cross[j][j] + (x == null ? 0 : (long) x[j] * x[j]);
        long vi = nn * sii - si * si;
        long vj = nn * sjj - sj * sj;
        if (vi == 0 || vj == 0) {
            return 0;
        }
        return (nn * sij - si * sj) / Math.sqrt((double) vi * (double) vj);
    }

    /** Column labels that a reader of design.json needs: which factor each column belongs to. */
    public List<String> factorNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            out.add(factorOf[i] == 0 ? "strategy" : sources.get(factorOf[i] - 1).id());
        }
        return out;
    }
}
