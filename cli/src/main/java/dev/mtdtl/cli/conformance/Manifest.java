package dev.mtdtl.cli.conformance;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fixture directory in the format of ../shared/fixtures: {@code manifest.json} lists cases, each
 * with parameters, input arrays and expected outputs (float64 references, a compare mode and a
 * tolerance). Everything a check needs (shapes, class counts, hyper-parameters) is read from here,
 * never assumed by code.
 */
public final class Manifest {

    /** One input array of a case. */
    public record Input(String name, String file, int[] shape) {}

    /**
     * One expected output. compare: "rel_l2" (||out-ref||/||ref|| <= tol), "exact" (bit-exact), or
     * "abs_max" (max |out| <= atol, for analytically zero gradients). {@code tolIndependent} (NaN when
     * absent) is the looser tolerance a manifest may give for an independent algorithm (resampling),
     * applied to the numpy-style {@code independentRegion} such as {@code "[:, 64:-64]"}.
     */
    public record Output(String name, int[] shape, String compare, double tol, double atol, String fileF64,
                         String fileF32, String file, double tolIndependent, String independentRegion) {}

    /** One case. */
    public record Case(String name, String description, Map<String, Object> params, List<Input> inputs,
                       List<Output> outputs, Path dir) {

        /** Read input {@code name}, checking its shape against the manifest (errors name the file). */
        public Npy.Array input(String name) throws IOException {
            for (Input in : inputs) {
                if (in.name().equals(name)) {
                    Path f = dir.resolve(in.file());
                    Npy.Array a = Npy.read(f);
                    if (in.shape() != null && !Arrays.equals(in.shape(), a.shape())) {
                        throw new IOException(f + ": shape " + Shape.str(a.shape()) + " differs from the manifest's "
                                + Shape.str(in.shape()));
                    }
                    return a;
                }
            }
            throw new IOException("case " + this.name + " has no input '" + name + "'");
        }

        public boolean hasInput(String name) {
            return inputs.stream().anyMatch(i -> i.name().equals(name));
        }

        /** A numeric parameter, or {@code dflt} when absent. */
        public double num(String key, double dflt) {
            Object v = params.get(key);
            return v instanceof Number n ? n.doubleValue() : dflt;
        }

        /** An integer-list parameter such as "stride": [2, 1], or {@code dflt}. */
        public int[] ints(String key, int... dflt) {
            Object v = params.get(key);
            if (!(v instanceof List<?> l)) {
                return dflt;
            }
            int[] r = new int[l.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = ((Number) l.get(i)).intValue();
            }
            return r;
        }

        public String str(String key, String dflt) {
            Object v = params.get(key);
            return v == null ? dflt : String.valueOf(v);
        }

        public boolean bool(String key, boolean dflt) {
            Object v = params.get(key);
            return v instanceof Boolean b ? b : dflt;
        }
    }

    private Manifest() {}

    /** Parse {@code dir/manifest.json}; errors name the file and what is wrong. */
    @SuppressWarnings("unchecked")
    public static List<Case> load(Path dir) throws IOException {
        Path file = dir.resolve("manifest.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no manifest.json (expected a fixture directory in the format of "
                    + "shared/fixtures)");
        }
        Map<String, Object> root = Json.parseObject(dev.mtdtl.tensor.io.TextFiles.read(file), file.toString());
        Object cs = root.get("cases");
        if (!(cs instanceof List<?> list)) {
            throw new IOException(file + ": no \"cases\" array");
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IOException(file + ": case #" + i + " is not an object");
            }
            Map<String, Object> c = (Map<String, Object>) m;
            String name = string(c, "name", file + " case #" + i);
            String where = file + " case " + name;
            Map<String, Object> params = c.get("params") instanceof Map<?, ?> p
                    ? (Map<String, Object>) p : new LinkedHashMap<>();
            List<Input> inputs = new ArrayList<>();
            for (Object o : list(c, "inputs")) {
                Map<String, Object> in = (Map<String, Object>) o;
                inputs.add(new Input(string(in, "name", where), string(in, "file", where), shape(in.get("shape"))));
            }
            List<Output> outputs = new ArrayList<>();
            for (Object o : list(c, "outputs")) {
                Map<String, Object> out = (Map<String, Object>) o;
                String compare = out.get("compare") == null ? "rel_l2" : String.valueOf(out.get("compare"));
                outputs.add(new Output(string(out, "name", where), shape(out.get("shape")), compare,
                        number(out.get("tol"), 1e-5), number(out.get("atol"), 0.0),
                        (String) out.get("file_f64"), (String) out.get("file_f32"), (String) out.get("file"),
                        number(out.get("tol_independent"), Double.NaN), (String) out.get("tol_independent_region")));
            }
            cases.add(new Case(name, String.valueOf(c.getOrDefault("description", "")), params, inputs, outputs, dir));
        }
        return cases;
    }

    private static List<?> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof List<?> l ? l : List.of();
    }

    private static String string(Map<String, Object> m, String key, String where) throws IOException {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IOException(where + ": missing string field \"" + key + "\"");
        }
        return s;
    }

    private static double number(Object v, double dflt) {
        return v instanceof Number n ? n.doubleValue() : dflt;
    }

    private static int[] shape(Object v) {
        if (!(v instanceof List<?> l)) {
            return null;
        }
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ((Number) l.get(i)).intValue();
        }
        return r;
    }
}
