package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.TextFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of a study's {@code design.json} the report draws (Fig. 7, "aliasing among main effects in the
 * final experimental design"): the alias matrix of the whole design, as {@code mtdtl study design} writes it
 * ({@code study.design.Designer#summary}):
 * <pre>
 *   all_phases.alias.columns           k column names ("strategy:ssr", ..., one per source)
 *   all_phases.alias.matrix            k x k Pearson correlations between the main-effect columns
 *   all_phases.alias.max_abs_between_factors
 *   runs.total                         the design's runs
 * </pre>
 * {@code phase3.alias} (Algorithm 2's runs alone) is not the final design and is not drawn. A design.json
 * without {@code all_phases} (an empty plan) has no matrix: the reason names the file and the field.
 *
 * @param runs       runs in the design (runs.total), -1 when not recorded
 * @param maxBetween largest |aliasing| between columns of different factors, NaN-free: -1 when not recorded
 */
public record DesignInfo(Path file, List<String> labels, double[][] matrix, long runs, double maxBetween) {

    /** The alias matrix of design.json, or null (with the reason in {@code why[0]}) when it has none. */
    public static DesignInfo read(Path file, String[] why) throws IOException {
        Object root = Json.parse(TextFiles.read(file), file.toString());
        String reason;
        if (!(root instanceof Map<?, ?> m)) {
            reason = file + ": not a JSON object";
        } else if (!(m.get("all_phases") instanceof Map<?, ?> all)) {
            reason = file + ": no field all_phases (a design without runs has no alias matrix)";
        } else if (!(all.get("alias") instanceof Map<?, ?> a)) {
            reason = file + ": no field all_phases.alias";
        } else {
            String[] r = new String[1];
            DesignInfo d = parse(file, m, a, r);
            if (d != null) {
                return d;
            }
            reason = r[0];
        }
        if (why != null) {
            why[0] = reason;
        }
        return null;
    }

    private static DesignInfo parse(Path file, Map<?, ?> root, Map<?, ?> a, String[] why) {
        String f = file + ": field all_phases.alias.";
        if (!(a.get("columns") instanceof List<?> cols) || cols.isEmpty()) {
            why[0] = f + "columns is missing or empty";
            return null;
        }
        if (!(a.get("matrix") instanceof List<?> rows) || rows.size() != cols.size()) {
            why[0] = f + "matrix is missing or has not one row per column (" + cols.size() + ")";
            return null;
        }
        int k = cols.size();
        double[][] x = new double[k][k];
        for (int i = 0; i < k; i++) {
            if (!(rows.get(i) instanceof List<?> r) || r.size() != k) {
                why[0] = f + "matrix[" + i + "] is not a row of " + k + " numbers";
                return null;
            }
            for (int j = 0; j < k; j++) {
                if (!(r.get(j) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    why[0] = f + "matrix[" + i + "][" + j + "] is not a finite number: " + r.get(j);
                    return null;
                }
                x[i][j] = n.doubleValue();
            }
        }
        List<String> names = new ArrayList<>();
        cols.forEach(c -> names.add(String.valueOf(c)));
        long runs = root.get("runs") instanceof Map<?, ?> rm && rm.get("total") instanceof Number n ? n.longValue() : -1;
        double max = a.get("max_abs_between_factors") instanceof Number n && Double.isFinite(n.doubleValue())
                ? n.doubleValue() : -1;
        return new DesignInfo(file, names, x, runs, max);
    }

    /** One line for the figure: what the matrix is. */
    public String caption() {
        return "The final design" + (runs >= 0 ? " (" + runs + " runs, all phases)" : "") + " from " + file
                + ": |Pearson correlation| between main-effect columns (strategy in effects coding, one +-1 column per "
                + "source; n is left out, being the sum of the presence columns)" + (maxBetween >= 0
                ? String.format(java.util.Locale.ROOT, "; largest between factors %.3f.", maxBetween) : ".");
    }
}
