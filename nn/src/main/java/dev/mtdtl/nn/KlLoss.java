package dev.mtdtl.nn;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.KlReduction;

/**
 * The learning-source loss: KL(z || softmax(logits)) = sum_k z_k (log z_k - log p_k), with 0 log 0 = 0.
 *
 * <p>Reduction {@link KlReduction#MEAN} divides by N*K, which is what the authors' code did (PyTorch
 * 0.4's default for kl_div) and our default (digest decision 8): it weighs the 2-class self task 25
 * times more per sample than the 50-class factor tasks. {@link KlReduction#BATCHMEAN} divides by N
 * (the true KL per sample; PyTorch's 'batchmean'; the fixtures use it).
 * Gradient wrt the logits: (p * sum_k z_k - z) / denominator.
 */
public final class KlLoss {

    private final KlReduction reduction;
    private Tensor p;       // (N, K) softmax of the last forward
    private Tensor z;       // (N, K) targets of the last forward
    private Tensor dlogits; // (N, K)

    public KlLoss(KlReduction reduction) {
        this.reduction = reduction;
    }

    public KlReduction reduction() {
        return reduction;
    }

    /** Loss for logits (N, K) and target distributions z (N, K); keeps softmax(logits) for backward. */
    public float forward(Tensor logits, Tensor z) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("KL loss: logits must be (N, K), got " + Shape.str(logits.shape()));
        }
        Shape.requireSame("KL loss logits", logits.shape(), "targets", z.shape());
        this.z = z;
        if (z.device() != logits.device()) {
            throw new IllegalArgumentException("KL loss: logits on " + logits.device().name() + ", targets on "
                    + z.device().name());
        }
        p = Buffers.ensure(p, logits.device(), logits.shape());
        return logits.device().ops().klForward(p, logits, z, logits.dim(0), logits.dim(1), reduction);
    }

    /** dLoss/dlogits for the last forward. */
    public Tensor backward() {
        dlogits = Buffers.ensure(dlogits, p.device(), p.shape());
        p.device().ops().klBackward(dlogits, p, z, p.dim(0), p.dim(1), reduction);
        return dlogits;
    }

    /** softmax(logits) of the last forward (N, K). */
    public Tensor probs() {
        return p;
    }
}
