package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of a study's {@code design.json} the report draws (Fig. 7): the main-effects alias matrix with
 * its term labels. The reader looks for an object member whose name contains "alias" holding either
 * {labels|names|terms|columns: [...], matrix|values: [[...]]} or a bare square array (labels then
 * t1..tk), anywhere in the document, so that it follows the design writer's layout without a copy of it.
 */
public record DesignInfo(Path file, List<String> labels, double[][] matrix) {

    /** The alias matrix of design.json, or null (with the reason in {@code why[0]}) when it has none. */
    public static DesignInfo read(Path file, String[] why) throws IOException {
        Object root = Json.parse(Files.readString(file), file.toString());
        DesignInfo d = find(root, file);
        if (d == null && why != null) {
            why[0] = file + ": no alias matrix found (an object member named *alias* with labels and a square matrix)";
        }
        return d;
    }

    private static DesignInfo find(Object v, Path file) {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (String.valueOf(e.getKey()).toLowerCase(java.util.Locale.ROOT).contains("alias")) {
                    DesignInfo d = parse(e.getValue(), file);
                    if (d != null) {
                        return d;
                    }
                }
            }
            for (Object c : m.values()) {
                DesignInfo d = find(c, file);
                if (d != null) {
                    return d;
                }
            }
        } else if (v instanceof List<?> l) {
            for (Object c : l) {
                if (c instanceof Map<?, ?>) {
                    DesignInfo d = find(c, file);
                    if (d != null) {
                        return d;
                    }
                }
            }
        }
        return null;
    }

    private static DesignInfo parse(Object v, Path file) {
        Object labels = null;
        Object mat = v;
        if (v instanceof Map<?, ?> m) {
            for (String k : List.of("labels", "names", "terms", "columns", "effects")) {
                if (m.get(k) instanceof List<?>) {
                    labels = m.get(k);
                    break;
                }
            }
            mat = null;
            for (String k : List.of("matrix", "values", "alias", "data")) {
                if (m.get(k) instanceof List<?>) {
                    mat = m.get(k);
                    break;
                }
            }
        }
        if (!(mat instanceof List<?> rows) || rows.isEmpty()) {
            return null;
        }
        int k = rows.size();
        double[][] a = new double[k][k];
        for (int i = 0; i < k; i++) {
            if (!(rows.get(i) instanceof List<?> r) || r.size() != k) {
                return null;
            }
            for (int j = 0; j < k; j++) {
                if (!(r.get(j) instanceof Number n)) {
                    return null;
                }
                a[i][j] = n.doubleValue();
            }
        }
        List<String> names = new ArrayList<>();
        if (labels instanceof List<?> l && l.size() == k) {
            l.forEach(x -> names.add(String.valueOf(x)));
        } else {
            for (int i = 0; i < k; i++) {
                names.add("t" + (i + 1));
            }
        }
        return new DesignInfo(file, names, a);
    }
}
