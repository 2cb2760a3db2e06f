package dev.mtdtl.cuda;

import static dev.mtdtl.cuda.Dev.down;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mtdtl.tensor.cpu.ConvGeom;
import dev.mtdtl.tensor.cpu.KlReduction;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reductions promise the same bits on every run (fixed combination order, no atomics): run each
 * reducing op twice on the same inputs and compare bit for bit. Covers split-K (conv filter gradient),
 * the per-channel batch-norm partials, the bias sums, the warp shuffles of the losses and pooling.
 */
@Tag("gpu")
class DeterminismCudaTest {

    @BeforeAll
    static void gpu() {
        assumeTrue(Cuda.isAvailable(), () -> "no GPU: " + Cuda.unavailableReason());
    }

    @Test
    void reductionsGiveTheSameBitsTwice() {
        ConvGeom g = new ConvGeom(16, 16, 54, 64, 32, 3, 3, 1, 1, 1, 1);   // conv2 of the base CNN at batch 16
        int n = g.n(), c = g.oc(), s = g.ho() * g.wo();
        float[] x = Fixtures.uniform(1, g.xSize(), -1f, 1f), dy = Fixtures.uniform(2, g.ySize(), -1f, 1f);
        float[] logits = Fixtures.uniform(3, 128 * 50, -5f, 5f), z = Fixtures.uniform(4, 128 * 50, 0f, 0.04f);
        float[][] first = null;
        for (int run = 0; run < 2; run++) {
            try (Dev d = new Dev()) {
                DeviceBuffer gx = d.up(x), gdy = d.up(dy), dw = d.up(new float[g.wSize()]), db = d.up(new float[c]);
                Conv2dCuda.backwardFilter(dw, db, gdy, gx, g, null);
                DeviceBuffer y = d.poisoned(g.ySize()), mean = d.poisoned(c), inv = d.poisoned(c), gam = d.up(Fixtures.uniform(5, c, 0.5f, 1.5f)),
                        bet = d.up(new float[c]), rm = d.up(new float[c]), rv = d.up(new float[c]), dx = d.poisoned(g.ySize()),
                        dgam = d.up(new float[c]), dbet = d.up(new float[c]);
                BatchNormCuda.forwardTrain(y, mean, inv, gdy, gam, bet, rm, rv, n, c, s, 0.1f, 1e-5f);
                BatchNormCuda.backwardTrain(dx, dgam, dbet, gdy, gdy, mean, inv, gam, n, c, s);
                DeviceBuffer gl = d.up(logits), gz = d.up(z), p = d.poisoned(128 * 50), loss = d.poisoned(1), gap = d.poisoned(n * c);
                SoftmaxCuda.klForward(loss, p, gl, gz, 128, 50, KlReduction.MEAN);
                GlobalAvgPoolCuda.forward(gap, gdy, n, c, s);
                float[][] now = {down(dw, g.wSize()), down(db, c), down(y, g.ySize()), down(mean, c), down(inv, c), down(dx, g.ySize()),
                    down(dgam, c), down(dbet, c), down(p, 128 * 50), down(loss, 1), down(gap, n * c)};
                if (first == null) {
                    first = now;
                } else {
                    String[] names = {"conv dw", "conv db", "bn y", "bn mean", "bn invstd", "bn dx", "bn dgamma", "bn dbeta", "softmax p",
                        "kl loss", "gap"};
                    for (int i = 0; i < now.length; i++) {
                        Close.assertExact(first[i], now[i], names[i] + " differs between two identical runs");
                    }
                }
            }
        }
    }
}
