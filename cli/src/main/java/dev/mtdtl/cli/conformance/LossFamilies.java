package dev.mtdtl.cli.conformance;

import dev.mtdtl.nn.Adam;
import dev.mtdtl.nn.CrossEntropyLoss;
import dev.mtdtl.nn.KlLoss;
import dev.mtdtl.nn.Param;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.KlReduction;
import dev.mtdtl.tensor.cpu.SoftmaxCpu;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mtdtl.cli.conformance.LayerFamilies.d;
import static dev.mtdtl.cli.conformance.LayerFamilies.family;
import static dev.mtdtl.cli.conformance.LayerFamilies.t;

/** The loss and optimiser families: softmax_kl, cross_entropy, adam. */
final class LossFamilies {

    private LossFamilies() {}

    static List<Family> all() {
        return List.of(
                family("softmax_kl", "softmax_kl", LossFamilies::softmaxKl),
                family("cross_entropy", "cross_entropy", LossFamilies::crossEntropy),
                family("adam", "adam", LossFamilies::adam));
    }

    /** "batchmean" (divide by N) or "mean" (divide by N*K), from the case's reduction parameter. */
    static KlReduction reduction(String s) throws Family.Unsupported {
        String r = s.toLowerCase(java.util.Locale.ROOT);
        if (r.contains("batchmean") || r.contains("batch mean")) {
            return KlReduction.BATCHMEAN;
        }
        if (r.contains("mean")) {
            return KlReduction.MEAN;
        }
        throw new Family.Unsupported("KL reduction '" + s + "' (supported: batchmean, mean)");
    }

    private static Map<String, double[]> softmaxKl(Manifest.Case c) throws Exception {
        Tensor logits = t(c, "logits");
        Tensor z = t(c, "z");
        KlLoss kl = new KlLoss(reduction(c.str("reduction", "batchmean")));
        float loss = kl.forward(logits, z);
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("probs", d(kl.probs()));
        float[] lp = new float[logits.numel()];
        SoftmaxCpu.logSoftmax(lp, logits.toCpu().data(), logits.dim(0), logits.dim(1));   // a reference output
        r.put("log_probs", d(lp));
        r.put("loss", new double[]{loss});
        r.put("grad_logits", d(kl.backward()));
        return r;
    }

    private static Map<String, double[]> crossEntropy(Manifest.Case c) throws Exception {
        if (!c.str("reduction", "mean").equals("mean")) {
            throw new Family.Unsupported("cross-entropy reduction " + c.str("reduction", "") + " (supported: mean)");
        }
        Tensor logits = t(c, "logits");
        int[] target = c.input("target").toInt();
        CrossEntropyLoss ce = new CrossEntropyLoss();
        float loss = ce.forward(logits, target);
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("probs", d(ce.probs()));
        r.put("loss", new double[]{loss});
        r.put("grad_logits", d(ce.backward()));
        return r;
    }

    private static Map<String, double[]> adam(Manifest.Case c) throws Exception {
        if (c.bool("amsgrad", false) || c.bool("maximize", false)) {
            throw new Family.Unsupported("amsgrad / maximize");
        }
        Tensor p0 = t(c, "param0");
        List<?> b = c.params().get("betas") instanceof List<?> l ? l : List.of(0.9, 0.999);
        float beta1 = ((Number) b.get(0)).floatValue();
        float beta2 = ((Number) b.get(1)).floatValue();
        Param p = Param.trainable("p", p0.shape());
        OnDevice.move(List.of(p));
        p.load(p0);
        Adam adam = new Adam(List.of(p), (float) c.num("lr", 1e-3), beta1, beta2, (float) c.num("eps", 1e-8),
                (float) c.num("weight_decay", 0));
        int steps = (int) c.num("steps", 0);
        Map<String, double[]> r = new LinkedHashMap<>();
        for (int s = 1; s <= steps; s++) {
            p.zeroGrad();
            p.grad().copyFrom(t(c, "grad_step" + s));
            adam.step();
            float[] v = p.value().toCpu().data();
            r.put("param_step" + s, d(v));
            r.put("exp_avg_step" + s, d(adam.expAvg(0)));
            r.put("exp_avg_sq_step" + s, d(adam.expAvgSq(0)));
            double[] delta = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                delta[i] = (double) v[i] - (double) p0.toCpu().data()[i];
            }
            r.put("delta_step" + s, delta);
        }
        return r;
    }
}
