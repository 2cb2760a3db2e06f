package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;

/**
 * Inverted dropout: in training, each element is kept with probability 1-p and scaled by 1/(1-p);
 * in evaluation (or with p = 0) it is the identity. The mask of call number t comes from a
 * counter-based hash of (seed, t, element index), so a run is reproducible from its seed whatever the
 * thread count, and resuming at call t continues the same stream ({@link #calls()}).
 */
public final class Dropout implements Layer {

    private final float p;
    private final long seed;
    private final long[] calls;   // (1), shared with twins so that every call gets a fresh mask
    private boolean training = true;
    private boolean active;
    private Scratch sc = new Scratch();   // y, dx, mask: shareable, see Scratch

    public Dropout(float p, long seed) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.seed = seed;
        this.calls = new long[1];
    }

    private Dropout(Dropout o) {
        this.p = o.p;
        this.seed = o.seed;
        this.calls = o.calls;
        this.training = o.training;
    }

    /**
     * A second instance drawing from the same mask stream (the call counter is shared), with its own
     * mask cache: the two Siamese calls get two different masks, as two calls of one PyTorch module.
     */
    public Dropout twin() {
        return new Dropout(this);
    }

    public float p() {
        return p;
    }

    /**
     * The seed of this layer's mask stream: call t uses the mask of seed {@code Rng.hash(seed(), t)} (what
     * the training-trajectory parity harness, bench/parity, recomputes to replay the run in PyTorch).
     */
    public long seed() {
        return seed;
    }

    /** Number of training-mode forward calls so far (the position in the mask stream). */
    public long calls() {
        return calls[0];
    }

    public void setCalls(long calls) {
        this.calls[0] = calls;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public Tensor forward(Tensor x) {
        active = training && p > 0f;
        if (!active) {
            return x;
        }
        Device d = x.device();
        sc.y = Buffers.ensure(sc.y, d, x.shape());
        sc.mask = Buffers.ensure(sc.mask, d, x.numel());
        d.ops().dropoutForward(sc.y, sc.mask, x, x.numel(), p, Rng.hash(seed, calls[0]++));
        return sc.y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (!active) {
            return dy;
        }
        Device d = dy.device();
        sc.dx = Buffers.ensure(sc.dx, d, dy.shape());
        d.ops().dropoutBackward(sc.dx, dy, sc.mask, dy.numel());
        return sc.dx;
    }

    @Override
    public Scratch scratch() {
        return sc;
    }

    @Override
    public void useScratch(Scratch s) {
        sc = s;
    }
}
