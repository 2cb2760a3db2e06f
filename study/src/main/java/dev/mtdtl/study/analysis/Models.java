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
            boolean varies = rows.stream().anyMatch(r -> r.strategy().equals(s) && r.nstar() != 0);
            if (varies) {
                slopes.add(s);
            } else {
                notes.add("strategy " + s + ": every run has n = 2, so its slope on the number of sources cannot be "
                        + "estimated (only its intercept)");
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
        if (rVaries) {
            fixed.add("rstar");
            vcs.add("rstar");
        }
        if (nVaries) {
            fixed.add("nstar");
            vcs.add("nstar");
        }
        if (interaction) {
            fixed.add("rstar:nstar");
            vcs.add("rstar_nstar");
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
