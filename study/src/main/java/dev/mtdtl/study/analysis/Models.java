package dev.mtdtl.study.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The designs of the paper's models on standardised rows (section 5.2, 5.3). Each builder leaves out
 * what the rows cannot identify (a strategy without runs, a slope whose n* never varies, a source in
 * every run or in none) and says so in {@code notes}, so that what can be estimated still is.
 *
 * <ul>
 *   <li>Model 1 (eqs. 10-12): y* ~ 0 + is_r + ns_r (strategy intercepts beta_0r and slopes beta_1r on
 *       n*), independent random effects per (strategy, task) for the intercept (int_r) and the slope
 *       (slope_r). No slope for SS-R, whose n* is always 0. Names as statsmodels' fixture.</li>
 *   <li>Model 2 (eqs. 13-16): y* ~ 1 + r* + n* + r*:n*, independent per-task random slopes for r*, n*
 *       and r*:n* (components rstar, nstar, rstar_nstar).</li>
 *   <li>Sources (Table 6): per task, on the non-SS-R runs, y* ~ 1 with one crossed random factor per
 *       learning source (levels: present, absent); its variance is the component "due to" the source
 *       (the digest's reading of the paper's [87]).</li>
 * </ul>
 */
public final class Models {

    private Models() {}

    /** A design with the rows it was built from and what was left out. */
    public record Built(Lmm.Design design, double[] y, List<String> notes) {}

    /** Model 1 on the given rows (a task is a group). */
    public static Built model1(List<Scores.Row> rows) {
        List<String> notes = new ArrayList<>();
        List<String> strategies = new ArrayList<>();
        List<String> slopes = new ArrayList<>();
        for (String s : Scores.STRATEGIES) {
            boolean any = rows.stream().anyMatch(r -> r.strategy().equals(s));
            if (!any) {
                notes.add("strategy " + s + ": no runs, its intercept and slope cannot be estimated");
                continue;
            }
            strategies.add(s);
            if (s.equals("ssr")) {
                continue;
            }
            // a slope needs two levels of n*: with one level its column is a multiple of the intercept's
            double[] levels = rows.stream().filter(r -> r.strategy().equals(s)).mapToDouble(Scores.Row::nstar)
                    .distinct().sorted().toArray();
            if (levels.length > 1) {
                slopes.add(s);
            } else if (levels[0] == 0) {
                notes.add("strategy " + s + ": every run has n = 2, so its slope on the number of sources cannot be "
                        + "estimated (only its intercept)");
            } else {
                int nSources = (int) Math.round(levels[0]) + 2;
                notes.add("strategy " + s + ": every run has n = " + nSources + ", so its slope cannot be estimated "
                        + "and its intercept is its level at n = " + nSources + ", not at n = 2 (read findings 1 and 3 "
                        + "with that in mind)");
            }
        }
        List<String> fixed = new ArrayList<>();
        strategies.forEach(s -> fixed.add("is_" + s));
        slopes.forEach(s -> fixed.add("ns_" + s));
        List<String> vcs = new ArrayList<>();
        strategies.forEach(s -> vcs.add("int_" + s));
        slopes.forEach(s -> vcs.add("slope_" + s));
        List<String> tasks = tasksOf(rows);
        int p = fixed.size();
        int n = rows.size();
        double[] x = new double[n * p];
        int[][] zc = new int[n][];
        double[][] zv = new double[n][];
        double[] y = new double[n];
        Map<String, Integer> zIndex = new LinkedHashMap<>();
        List<Integer> vcOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Scores.Row r = rows.get(i);
            y[i] = r.ystar();
            String s = r.strategy();
            x[i * p + fixed.indexOf("is_" + s)] = 1;
            int sl = fixed.indexOf("ns_" + s);
            int ci = zcol(zIndex, vcOf, "int_" + s + "@" + r.task(), vcs.indexOf("int_" + s));
            if (sl >= 0) {
                x[i * p + sl] = r.nstar();
                int cs = zcol(zIndex, vcOf, "slope_" + s + "@" + r.task(), vcs.indexOf("slope_" + s));
                zc[i] = new int[]{ci, cs};
                zv[i] = new double[]{1, r.nstar()};
            } else {
                zc[i] = new int[]{ci};
                zv[i] = new double[]{1};
            }
        }
        if (tasks.size() < 2) {
            notes.add("one task only: the per-task random effects are estimated from a single group");
        }
        return new Built(new Lmm.Design(x, n, fixed, zc, zv, toArray(vcOf), vcs), y, notes);
    }

    /** Model 2 on the given rows. */
    public static Built model2(List<Scores.Row> rows) {
        List<String> notes = new ArrayList<>();
        boolean rVaries = rows.stream().mapToDouble(Scores.Row::rstar).distinct().count() > 1;
        boolean nVaries = rows.stream().anyMatch(r -> r.nstar() != 0);
        boolean interaction = rVaries && nVaries
                && rows.stream().filter(r -> r.nstar() != 0).mapToDouble(Scores.Row::rstar).distinct().count() > 1;
        if (!rVaries) {
            notes.add("one strategy only: the effect of network size r* cannot be estimated");
        }
        if (!nVaries) {
            notes.add("every run has n* = 0: the effect of the number of sources cannot be estimated");
        }
        if (rVaries && nVaries && !interaction) {
            notes.add("the number of sources varies within one strategy only: the r*:n* interaction cannot be "
                    + "estimated");
        }
        List<String> fixed = new ArrayList<>(List.of("Intercept"));
        List<String> vcs = new ArrayList<>();
        // each column only if it is not a combination of the ones before it (e.g. when every multi-source run has
        // the same n, r*:n* is a multiple of r*): a collinear column would make X^T V^-1 X singular
        List<double[]> kept = new ArrayList<>();
        kept.add(rows.stream().mapToDouble(r -> 1).toArray());
        if (rVaries && addIfIndependent(kept, rows.stream().mapToDouble(Scores.Row::rstar).toArray())) {
            fixed.add("rstar");
            vcs.add("rstar");
        }
        if (nVaries) {
            if (addIfIndependent(kept, rows.stream().mapToDouble(Scores.Row::nstar).toArray())) {
                fixed.add("nstar");
                vcs.add("nstar");
            } else {
                notes.add("n* is a combination of the intercept and r* in these runs (each strategy has one number "
                        + "of sources): the effect of the number of sources cannot be estimated");
            }
        }
        if (interaction) {
            if (addIfIndependent(kept, rows.stream().mapToDouble(r -> r.rstar() * r.nstar()).toArray())) {
                fixed.add("rstar:nstar");
                vcs.add("rstar_nstar");
            } else {
                notes.add("r*:n* is a combination of the other columns in these runs: the interaction cannot be "
                        + "estimated");
            }
        }
        int p = fixed.size();
        int n = rows.size();
        double[] x = new double[n * p];
        int[][] zc = new int[n][];
        double[][] zv = new double[n][];
        double[] y = new double[n];
        Map<String, Integer> zIndex = new LinkedHashMap<>();
        List<Integer> vcOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Scores.Row r = rows.get(i);
            y[i] = r.ystar();
            double[] v = {1, r.rstar(), r.nstar(), r.rstar() * r.nstar()};
            String[] nm = {"Intercept", "rstar", "nstar", "rstar:nstar"};
            List<Integer> cols = new ArrayList<>();
            List<Double> vals = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int f = fixed.indexOf(nm[c]);
                if (f < 0) {
                    continue;
                }
                x[i * p + f] = v[c];
                if (c > 0) {
                    String vc = nm[c].replace(':', '_');
                    cols.add(zcol(zIndex, vcOf, vc + "@" + r.task(), vcs.indexOf(vc)));
                    vals.add(v[c]);
                }
            }
            zc[i] = cols.stream().mapToInt(Integer::intValue).toArray();
            zv[i] = vals.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return new Built(new Lmm.Design(x, n, fixed, zc, zv, toArray(vcOf), vcs), y, notes);
    }

    /**
     * Add {@code c} to {@code kept} if it is not (numerically) a linear combination of them: its residual after
     * Gram-Schmidt against the kept columns is above 1e-9 of its norm. The kept list holds orthonormalised copies.
     */
    private static boolean addIfIndependent(List<double[]> kept, double[] c) {
        double norm = Math.sqrt(dot(c, c));
        if (norm == 0) {
            return false;
        }
        double[] r = c.clone();
        for (double[] q : kept) {
            double qq = dot(q, q);
            double a = dot(r, q) / qq;
            for (int i = 0; i < r.length; i++) {
                r[i] -= a * q[i];
            }
        }
        double res = Math.sqrt(dot(r, r));
        if (res <= 1e-9 * norm) {
            return false;
        }
        kept.add(r);
        return true;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Table 6's model for one task: its non-SS-R rows, intercept only, one crossed random factor per
     * source with levels present / absent. Sources in every run or in none are left out (one level: the
     * factor is the intercept).
     */
    public static Built sources(List<Scores.Row> taskRows, List<String> allSources) {
        List<String> notes = new ArrayList<>();
        List<Scores.Row> rows = taskRows.stream().filter(r -> !r.strategy().equals("ssr")).toList();
        List<String> used = new ArrayList<>();
        for (String s : allSources) {
            long with = rows.stream().filter(r -> r.score().sources().contains(s)).count();
            if (with == 0) {
                notes.add("source " + s + ": in no multi-source run; its component cannot be estimated");
            } else if (with == rows.size()) {
                notes.add("source " + s + ": in every multi-source run; its component cannot be estimated "
                        + "(no run without it to compare)");
            } else {
                used.add(s);
            }
        }
        int n = rows.size();
        double[] x = new double[n];
        int[][] zc = new int[n][];
        double[][] zv = new double[n][];
        double[] y = new double[n];
        int[] vcOf = new int[2 * used.size()];
        for (int k = 0; k < used.size(); k++) {
            vcOf[2 * k] = k;
            vcOf[2 * k + 1] = k;
        }
        for (int i = 0; i < n; i++) {
            Scores.Row r = rows.get(i);
            x[i] = 1;
            y[i] = r.ystar();
            zc[i] = new int[used.size()];
            zv[i] = new double[used.size()];
            for (int k = 0; k < used.size(); k++) {
                zc[i][k] = 2 * k + (r.score().sources().contains(used.get(k)) ? 0 : 1);
                zv[i][k] = 1;
            }
        }
        return new Built(new Lmm.Design(x, n, List.of("Intercept"), zc, zv, vcOf, used), y, notes);
    }

    private static int zcol(Map<String, Integer> index, List<Integer> vcOf, String key, int vc) {
        Integer j = index.get(key);
        if (j == null) {
            j = index.size();
            index.put(key, j);
            vcOf.add(vc);
        }
        return j;
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<String> tasksOf(List<Scores.Row> rows) {
        return rows.stream().map(Scores.Row::task).distinct().sorted().toList();
    }
}
