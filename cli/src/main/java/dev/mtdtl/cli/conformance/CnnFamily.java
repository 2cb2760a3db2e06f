package dev.mtdtl.cli.conformance;

import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.BatchNorm;
import dev.mtdtl.nn.KlLoss;
import dev.mtdtl.nn.Param;
import dev.mtdtl.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.mtdtl.cli.conformance.LayerFamilies.d;

/**
 * The whole base CNN: {@code cnn_params} (the parameters load by name into the network),
 * {@code cnn_eval} (eval-mode forward: gap, feature, logits, probs, KL loss) and {@code cnn_train}
 * (train-mode forward and backward: every parameter gradient and the updated running statistics).
 * The network's widths and output count come from the parameter shapes in the case.
 */
final class CnnFamily implements Family {

    @Override
    public String name() {
        return "cnn";
    }

    @Override
    public boolean accepts(Manifest.Case c) {
        return c.name().startsWith("cnn_");
    }

    @Override
    public Map<String, double[]> compute(Manifest.Case c) throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Manifest.Input in : c.inputs()) {
            if (in.name().contains(".")) {
                state.put(in.name(), c.input(in.name()).toTensor());
            }
        }
        boolean train = c.str("mode", "eval").equals("train");
        float dropout = (float) c.num("dropout_p", 0.0);
        BaseCnn net = new BaseCnn(BaseCnn.specOf(state, dropout), 0L);
        load(net, state);
        net.to(OnDevice.get());
        Map<String, double[]> r = new LinkedHashMap<>();
        if (!c.hasInput("x")) {
            return r; // cnn_params: loading strictly by name is the check
        }
        if (train && dropout > 0) {
            throw new Family.Unsupported("train-mode dropout p=" + dropout + " is random; fixtures need p = 0");
        }
        net.setTraining(train);
        Tensor x = OnDevice.put(c.input("x").toTensor());
        Tensor logits = net.forward(x);
        r.put("gap", d(net.gap()));
        r.put("feature", d(net.feature()));
        r.put("logits", d(logits));
        if (c.hasInput("z")) {
            KlLoss kl = new KlLoss(LossFamilies.reduction(c.str("loss", "batchmean")));
            float loss = kl.forward(logits, OnDevice.put(c.input("z").toTensor()));
            r.put("probs", d(kl.probs()));
            r.put("loss_kl", new double[]{loss});
            if (train) {
                net.zeroGrad();
                net.backward(kl.backward());
                for (Param p : net.params()) {
                    r.put("grad." + p.name(), d(p.grad()));
                }
                for (BatchNorm bn : net.batchNorms()) {
                    r.put("running_new." + bn.runningMean().name(), d(bn.runningMean().value()));
                    r.put("running_new." + bn.runningVar().name(), d(bn.runningVar().value()));
                }
            }
        }
        return r;
    }

    private static void load(BaseCnn net, Map<String, Tensor> state) throws Unsupported {
        Map<String, Tensor> left = new LinkedHashMap<>(state);
        TreeSet<String> missing = new TreeSet<>();
        for (Param p : net.stateDict()) {
            Tensor t = left.remove(p.name());
            if (t == null) {
                missing.add(p.name());
            } else {
                p.load(t);
            }
        }
        if (!missing.isEmpty() || !left.isEmpty()) {
            throw new Unsupported("parameters do not match the base CNN: missing " + missing + ", unexpected "
                    + new TreeSet<>(left.keySet()));
        }
    }

    static List<Family> all() {
        return List.of(new CnnFamily());
    }
}
