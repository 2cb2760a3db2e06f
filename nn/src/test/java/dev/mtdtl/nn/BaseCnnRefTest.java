package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.KlReduction;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The float32 base CNN against the double-precision composition of the op references. */
class BaseCnnRefTest {

    @Test
    void trainStepMatchesTheDoubleReference() {
        BaseCnn net = BaseCnnTest.tiny(21, 0f);
        int n = 4;
        int t = 96;   // conv61 then sees 3 x 2 positions: no analytically-zero gradients from a 1 x 1 plane
        int f = 64;
        Tensor x = BaseCnnTest.input(8, n, t, f);
        Tensor z = BaseCnnTest.targets(9, n, 5);
        Map<String, double[]> p = new HashMap<>();
        for (Param q : net.stateDict()) {
            p.put(q.name(), Fixtures.toDouble(q.value().data()));
        }
        CnnRef ref = new CnnRef(net.spec(), p, Fixtures.toDouble(x.data()), n, t, f, Fixtures.toDouble(z.data()));

        KlLoss kl = new KlLoss(KlReduction.BATCHMEAN);
        net.zeroGrad();
        float loss = kl.forward(net.forward(x), z);
        net.backward(kl.backward());

        Close.assertRelL2(ref.gap, net.gap().data(), 1e-5, "gap");
        Close.assertRelL2(ref.feature, net.feature().data(), 1e-5, "feature");
        assertEquals(ref.loss, loss, 1e-5 * Math.abs(ref.loss));
        for (Param q : net.params()) {
            double[] g = ref.grads.get(q.name());
            if (q.name().startsWith("conv") && q.name().endsWith(".bias") || q.name().equals("fc_feature.bias")) {
                // analytically zero (a train-mode BN follows): compare on the scale of the weight gradient
                double[] w = ref.grads.get(q.name().replace(".bias", ".weight"));
                double rms = 0;
                for (double v : w) {
                    rms += v * v;
                }
                rms = Math.sqrt(rms / w.length);
                for (float v : q.grad().data()) {
                    assertEquals(0.0, v, 1e-3 * rms, q.name());
                }
                continue;
            }
            Close.assertRelL2(g, q.grad().data(), 1e-4, "grad " + q.name());
        }
    }
}
