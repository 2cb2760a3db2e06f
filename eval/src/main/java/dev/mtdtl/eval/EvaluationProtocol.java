package dev.mtdtl.eval;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a results file's scores were obtained, per dataset: MLP input scaling, split protocol, what the
 * repetitions vary, seed, WMF variant. Kept beside the results CSV as {@code <name>.protocol.json}
 * ({@code results.csv} → {@code results.protocol.json}) so that the CSV keeps its tidy seven columns.
 * A results file holds one protocol per dataset: evaluating more runs on a dataset with another
 * protocol is refused (the scores would not be comparable).
 */
public record EvaluationProtocol(boolean standardize, String split, String repetitionsDiffer, int repetitions,
                                 long seed, String wmfVariant) {

    /** The sidecar of a results CSV. */
    public static Path sidecar(Path resultsCsv) {
        String f = resultsCsv.getFileName().toString();
        String stem = f.endsWith(".csv") ? f.substring(0, f.length() - 4) : f;
        return resultsCsv.resolveSibling(stem + ".protocol.json");
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mlp_standardize", standardize);
        m.put("split", split);
        m.put("repetitions_differ_by", repetitionsDiffer);
        m.put("repetitions", repetitions);
        m.put("seed", seed);
        m.put("wmf_variant", wmfVariant);
        return m;
    }

    static EvaluationProtocol fromJson(Map<?, ?> m, String where) {
        try {
            return new EvaluationProtocol((Boolean) m.get("mlp_standardize"), (String) m.get("split"),
                    (String) m.get("repetitions_differ_by"), ((Number) m.get("repetitions")).intValue(),
                    ((Number) m.get("seed")).longValue(), (String) m.get("wmf_variant"));
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException(where + ": not an evaluation protocol (fields mlp_standardize, split, "
                    + "repetitions_differ_by, repetitions, seed, wmf_variant)", e);
        }
    }

    /** Every dataset's protocol recorded beside a results CSV (empty when there is no sidecar). */
    public static Map<String, EvaluationProtocol> read(Path resultsCsv) throws IOException {
        Path p = sidecar(resultsCsv);
        Map<String, EvaluationProtocol> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(p)) {
            return out;
        }
        Map<String, Object> j = Json.parseObject(dev.mtdtl.tensor.io.TextFiles.read(p), p.toString());
        Object ds = j.get("datasets");
        if (!(ds instanceof Map<?, ?> dm)) {
            throw new IllegalArgumentException(p + ": expected an object 'datasets'");
        }
        for (Map.Entry<?, ?> e : dm.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> v)) {
                throw new IllegalArgumentException(p + ": datasets." + e.getKey() + " is not an object");
            }
            out.put(String.valueOf(e.getKey()), fromJson(v, p + ": datasets." + e.getKey()));
        }
        return out;
    }

    /**
     * Record this protocol for a dataset, refusing a different one already recorded there; the
     * sidecar is rewritten atomically.
     */
    public static void record(Path resultsCsv, String dataset, EvaluationProtocol p) throws IOException {
        Map<String, EvaluationProtocol> all = read(resultsCsv);
        refuseOther(resultsCsv, dataset, all.get(dataset), p);
        all.put(dataset, p);
        Map<String, Object> ds = new LinkedHashMap<>();
        all.forEach((k, v) -> ds.put(k, v.toJson()));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("results", resultsCsv.getFileName().toString());
        j.put("datasets", ds);
        AtomicFiles.writeString(sidecar(resultsCsv), Json.write(j, 1) + "\n");
    }

    /**
     * Refuse {@code p} where another protocol is recorded for the dataset; nothing is written. For an evaluation that
     * adds no rows (every feature set's are in the file): its results are the recorded protocol's, so a command asking
     * for another (more repetitions, another seed) would be answered with scores it did not ask for.
     */
    public static void check(Path resultsCsv, String dataset, EvaluationProtocol p) throws IOException {
        refuseOther(resultsCsv, dataset, read(resultsCsv).get(dataset), p);
    }

    private static void refuseOther(Path resultsCsv, String dataset, EvaluationProtocol old, EvaluationProtocol p) {
        if (old != null && !old.comparable(p)) {
            throw new IllegalArgumentException(resultsCsv + ": dataset '" + dataset + "' was evaluated with " + old
                    + " (" + sidecar(resultsCsv) + "); this evaluation uses " + p + ". Scores of different protocols are "
                    + "not comparable: write them to another --out");
        }
    }

    // The same protocol up to what does not change the scores' meaning: nothing, here.
    private boolean comparable(EvaluationProtocol o) {
        return standardize == o.standardize && Objects.equals(split, o.split) && repetitions == o.repetitions
                && seed == o.seed && Objects.equals(wmfVariant, o.wmfVariant);
    }

    @Override
    public String toString() {
        return "MLP inputs " + (standardize ? "standardised" : "unscaled") + ", " + split + ", " + repetitions
                + " repetition(s), seed " + seed + (wmfVariant == null ? "" : ", WMF " + wmfVariant);
    }
}
