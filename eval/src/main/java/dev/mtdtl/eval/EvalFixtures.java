package dev.mtdtl.eval;

import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's answers to the metric fixture cases {@code metrics_accuracy} and {@code metrics_r2},
 * for the conformance runner: inputs by the manifest's input names, outputs by its output names.
 */
public final class EvalFixtures {

    /** The cases this class answers. */
    public static final List<String> CASES = List.of("metrics_accuracy", "metrics_r2");

    private EvalFixtures() {}

    public static Map<String, double[]> compute(String name, Map<String, Path> inputs, Map<String, Object> params)
            throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        switch (name) {
            case "metrics_accuracy" -> {
                Npy.Array s = read(inputs, "scores");
                int[] yTrue = read(inputs, "y_true").toInt();
                if (s.shape().length != 2) {
                    throw new IllegalArgumentException("scores must be (N, K), got " + s.shape().length + " axes");
                }
                int[] yPred = Metrics.argmax(s.toFloat(), s.shape()[0], s.shape()[1]);
                double[] yp = new double[yPred.length];
                for (int i = 0; i < yp.length; i++) {
                    yp[i] = yPred[i];
                }
                out.put("y_pred", yp);
                out.put("accuracy", new double[]{Metrics.accuracy(yTrue, yPred)});
            }
            case "metrics_r2" -> {
                float[] t = read(inputs, "y_true").toFloat();
                out.put("r2", new double[]{Metrics.r2(t, read(inputs, "y_pred").toFloat(), t.length, 1)});
                Npy.Array t2 = read(inputs, "y_true_2d");
                int n = t2.shape()[0];
                int d = t2.shape().length > 1 ? t2.shape()[1] : 1;
                float[] p2 = read(inputs, "y_pred_2d").toFloat();
                out.put("r2_2d_raw", Metrics.r2Raw(t2.toFloat(), p2, n, d));
                out.put("r2_2d_uniform", new double[]{Metrics.r2(t2.toFloat(), p2, n, d)});
            }
            default -> throw new IllegalArgumentException("not a metrics fixture case: " + name);
        }
        return out;
    }

    private static Npy.Array read(Map<String, Path> inputs, String key) throws IOException {
        Path p = inputs.get(key);
        if (p == null) {
            throw new IOException("missing input '" + key + "' (have " + inputs.keySet() + ")");
        }
        return Npy.read(p);
    }
}
