package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The self source's head (digest section 3, PT {@code VGGlikeMTL.forward} for task 'self'):
 * <pre>
 *   fa, fb (N, D)                    the representations of the two crops of each pair
 *   cat [fa, fb]                     -> (N, 2D)      (no |fa - fb|)
 *   fc_pair 2D->H, bn_pair, ReLU     -> (N, H)       H = 128 in the paper, Glorot weight
 *   dropout 0.5                      -> (N, H)
 *   fc_out H->2                      -> (N, 2)       logits of {different, same}; PyTorch-default init
 * </pre>
 * Parameters: 2D*H + H + 2H (BN) + 2H + 2 = 66,178 for D = 256, H = 128 (the digest's 66.2k).
 * Backward splits d(cat) back into dfa and dfb.
 */
final class SiameseHead {

    private final int d;
    private final int h;
    private final Linear fcPair;
    private final BatchNorm bnPair;
    private final Relu relu = new Relu(true);
    private final Dropout dropout;
    private final Linear fcOut;
    private Tensor cat;   // (N, 2D)
    private Tensor dfa;   // (N, D)
    private Tensor dfb;   // (N, D)

    /** {@code prefix} like "branches.self."; initialised from {@code rng}. */
    SiameseHead(String prefix, int d, int h, float p, Rng rng) {
        this.d = d;
        this.h = h;
        fcPair = new Linear(prefix + "fc_pair", 2 * d, h, true);
        Init.glorotUniform(fcPair.weight().value(), 2 * d, h, rng);
        Init.torchDefault(fcPair.bias().value(), 2 * d, rng);
        bnPair = new BatchNorm(prefix + "bn_pair", h);
        dropout = new Dropout(p, rng.nextLong());
        fcOut = new Linear(prefix + "fc_out", h, 2, true);
        Init.torchDefault(fcOut.weight().value(), h, rng);
        Init.torchDefault(fcOut.bias().value(), h, rng);
    }

    /** Logits (N, 2) for the pair representations fa, fb (N, D). */
    Tensor forward(Tensor fa, Tensor fb) {
        int n = fa.dim(0);
        fa.requireShape("self head left", n, d);
        fb.requireShape("self head right", n, d);
        cat = Buffers.ensure(cat, fa.device(), n, 2 * d);
        fa.device().ops().concatColumns(cat, fa, fb, n, d, d);
        Tensor x = fcPair.forward(cat);
        x = bnPair.forward(x);
        x = relu.forward(x);
        x = dropout.forward(x);
        return fcOut.forward(x);
    }

    /** Backward from dL/dlogits (N, 2); returns {dL/dfa, dL/dfb}, each (N, D), owned here. */
    Tensor[] backward(Tensor dlogits) {
        Tensor g = fcOut.backward(dlogits);
        g = dropout.backward(g);
        g = relu.backward(g);
        g = bnPair.backward(g);
        g = fcPair.backward(g);
        int n = g.dim(0);
        Shape.requirePositive("self head batch", n);
        dfa = Buffers.ensure(dfa, g.device(), n, d);
        dfb = Buffers.ensure(dfb, g.device(), n, d);
        g.device().ops().splitColumns(dfa, dfb, g, n, d, d);
        return new Tensor[]{dfa, dfb};
    }

    int hidden() {
        return h;
    }

    void setTraining(boolean training) {
        bnPair.setTraining(training);
        dropout.setTraining(training);
    }

    /** Parameters and buffers in state_dict order. */
    List<Param> stateDict() {
        List<Param> ps = new ArrayList<>(fcPair.params());
        ps.addAll(bnPair.params());
        ps.addAll(bnPair.buffers());
        ps.addAll(fcOut.params());
        return ps;
    }

    BatchNorm batchNorm() {
        return bnPair;
    }

    Dropout dropout() {
        return dropout;
    }
}
