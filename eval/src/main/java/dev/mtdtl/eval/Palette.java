package dev.mtdtl.eval;

import java.util.List;

/**
 * One colour per strategy, the same in every chart of every report (ColorBrewer Dark2, colour-blind
 * safer than the default rainbow), so that a reader learns it once. Baselines have their own colours;
 * other categories (class labels, sources) take a separate qualitative list.
 */
public final class Palette {

    /** The strategies in the paper's order of network size (r* = 0 ... 1). */
    public static final List<String> STRATEGIES = List.of("ssr", "mssrfc", "mscr6", "mscr4", "mscr2", "msscr");
    private static final String[] STRATEGY_COLORS = {"#555555", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#1b9e77"};
    /** Human names of the strategies, as in the paper. */
    private static final String[] STRATEGY_NAMES = {"SS-R", "MS-SR@FC", "MS-CR@6", "MS-CR@4", "MS-CR@2", "MSS-CR"};
    public static final String RAND = "#d62728";
    public static final String MFCC = "#1f77b4";
    private static final String[] CATEGORICAL = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"};

    /** Strategies in r* order, unknown names after them by name. */
    public static final java.util.Comparator<String> ORDER = java.util.Comparator
            .comparingInt((String k) -> STRATEGIES.contains(k) ? STRATEGIES.indexOf(k) : STRATEGIES.size())
            .thenComparing(k -> k);

    private Palette() {}

    /** The colour of a strategy (baselines rand/mfcc included); grey-brown for an unknown name. */
    public static String strategy(String s) {
        int i = STRATEGIES.indexOf(s);
        if (i >= 0) {
            return STRATEGY_COLORS[i];
        }
        return switch (s) {
            case "rand" -> RAND;
            case "mfcc" -> MFCC;
            default -> "#a6761d";
        };
    }

    /** The paper's name of a strategy (the code name when unknown). */
    public static String strategyName(String s) {
        int i = STRATEGIES.indexOf(s);
        return i >= 0 ? STRATEGY_NAMES[i] : s;
    }

    /** The i-th colour of a qualitative list (wraps around). */
    public static String categorical(int i) {
        return CATEGORICAL[Math.floorMod(i, CATEGORICAL.length)];
    }
}
