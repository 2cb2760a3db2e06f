package dev.mtdtl.study.design;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How every run of a study is trained and evaluated; recorded in study.json so that all runs of a study are
 * comparable, whoever runs them. Length: {@code epochs} (the paper: 200 epochs of (floor(N/B)+1) x m
 * iterations) or {@code iterationsPerSource} (a run with m sources trains m times as long, as an epoch does);
 * exactly one is set. Evaluation: {@code evalRepetitions} splits (paper: 5), the MLP's epoch cap
 * (scikit-learn's 200) and the WMF variant ("reference" or "paper", see {@code mtdtl evaluate --wmf-variant}).
 */
public record Schedule(Long epochs, Long iterationsPerSource, int batch, float lr, int evalRepetitions,
                       int evalMaxEpochs, String wmfVariant) {

    public Schedule {
        if ((epochs == null) == (iterationsPerSource == null)) {
            throw new IllegalArgumentException("a schedule has either epochs or iterations per source");
        }
        if ((epochs != null && epochs < 1) || (iterationsPerSource != null && iterationsPerSource < 1)) {
            throw new IllegalArgumentException("training length must be at least 1, got "
                    + (epochs != null ? epochs + " epochs" : iterationsPerSource + " iterations per source"));
        }
        if (batch < 1 || !(lr > 0)) {
            throw new IllegalArgumentException("batch and lr must be positive, got " + batch + " and " + lr);
        }
        dev.mtdtl.eval.Evaluation.checkCounts(evalRepetitions, evalMaxEpochs);   // what each run's evaluate will check
        if (!wmfVariant.equals("reference") && !wmfVariant.equals("paper")) {
            throw new IllegalArgumentException("wmf variant must be reference or paper, not '" + wmfVariant + "'");
        }
    }

    /** The same schedule trained for {@code e} epochs. */
    public Schedule withEpochs(long e) {
        return new Schedule(e, null, batch, lr, evalRepetitions, evalMaxEpochs, wmfVariant);
    }

    /** The same schedule trained for {@code i} iterations per source. */
    public Schedule withIterationsPerSource(long i) {
        return new Schedule(null, i, batch, lr, evalRepetitions, evalMaxEpochs, wmfVariant);
    }

    /** Total iterations of a run with m sources whose epoch is {@code perEpoch} iterations. */
    public long totalIterations(int m, long perEpoch) {
        return epochs != null ? epochs * perEpoch : iterationsPerSource * m;
    }

    /** "200 epochs" or "300 iterations per source". */
    public String length() {
        return epochs != null ? epochs + " epochs" : iterationsPerSource + " iterations per source";
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (epochs != null) {
            m.put("epochs", epochs);
        } else {
            m.put("iterations_per_source", iterationsPerSource);
        }
        m.put("batch", (long) batch);
        m.put("lr", (double) lr);
        m.put("eval_repetitions", (long) evalRepetitions);
        m.put("eval_max_epochs", (long) evalMaxEpochs);
        m.put("wmf_variant", wmfVariant);
        return m;
    }

    static Schedule fromJson(Map<String, Object> m, String where) {
        return new Schedule(optLong(m, "epochs", where), optLong(m, "iterations_per_source", where),
                (int) reqLong(m, "batch", where), (float) reqDouble(m, "lr", where),
                (int) reqLong(m, "eval_repetitions", where), (int) reqLong(m, "eval_max_epochs", where),
                String.valueOf(m.get("wmf_variant")));
    }

    static Long optLong(Map<String, Object> m, String k, String where) {
        Object o = m.get(k);
        if (o == null) {
            return null;
        }
        if (!(o instanceof Long l)) {
            throw new IllegalArgumentException(where + ": field '" + k + "' must be an integer, is " + o);
        }
        return l;
    }

    static long reqLong(Map<String, Object> m, String k, String where) {
        Long l = optLong(m, k, where);
        if (l == null) {
            throw new IllegalArgumentException(where + ": missing field '" + k + "'");
        }
        return l;
    }

    static double reqDouble(Map<String, Object> m, String k, String where) {
        Object o = m.get(k);
        if (!(o instanceof Number x)) {
            throw new IllegalArgumentException(where + ": field '" + k + "' must be a number, is " + o);
        }
        return x.doubleValue();
    }
}
