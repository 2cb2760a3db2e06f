package dev.mtdtl.nn;

import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

/**
 * Softmax cross-entropy with integer targets, mean over the batch: -(1/N) sum_n log softmax(l_n)[t_n].
 * Gradient wrt the logits: (softmax(l) - onehot(t)) / N. Used by the Siamese self head (2 classes).
 */
public final class CrossEntropyLoss {

    private Tensor p;
    private Indices target;
    private Tensor dlogits;

    public float forward(Tensor logits, int[] target) {
        if (logits.rank() != 2 || target.length != logits.dim(0)) {
            throw new IllegalArgumentException("cross entropy: logits " + Shape.str(logits.shape()) + " and "
                    + target.length + " targets do not match");
        }
        int k = logits.dim(1);
        for (int i = 0; i < target.length; i++) {
            if (target[i] < 0 || target[i] >= k) {
                throw new IllegalArgumentException("cross entropy: target " + target[i] + " at row " + i
                        + " is not a class in [0, " + k + ")");
            }
        }
        Device d = logits.device();
        if (d.isCpu()) {
            this.target = Indices.of(target);
        } else {
            this.target = Buffers.ensure(this.target, d, target.length);
            d.copy(this.target, Indices.of(target));
        }
        p = Buffers.ensure(p, d, logits.shape());
        return d.ops().crossEntropyForward(p, logits, this.target, logits.dim(0), k);
    }

    public Tensor backward() {
        dlogits = Buffers.ensure(dlogits, p.device(), p.shape());
        p.device().ops().crossEntropyBackward(dlogits, p, target, p.dim(0), p.dim(1));
        return dlogits;
    }

    public Tensor probs() {
        return p;
    }
}
