package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.DropoutCpu;

/**
 * Inverted dropout: in training, each element is kept with probability 1-p and scaled by 1/(1-p);
 * in evaluation (or with p = 0) it is the identity. The mask of call number t comes from a
 * counter-based hash of (seed, t, element index), so a run is reproducible from its seed whatever the
 * thread count, and resuming at call t continues the same stream ({@link #calls()}).
 */
public final class Dropout implements Layer {

    private final float p;
    private final long seed;
    private long calls;
    private boolean training = true;
    private boolean active;
    private float[] mask;
    private Tensor y;
    private Tensor dx;

    public Dropout(float p, long seed) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.seed = seed;
    }

    public float p() {
        return p;
    }

    /** Number of training-mode forward calls so far (the position in the mask stream). */
    public long calls() {
        return calls;
    }

    public void setCalls(long calls) {
        this.calls = calls;
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
        y = Buffers.ensure(y, x.shape());
        mask = Buffers.ensure(mask, x.numel());
        DropoutCpu.forward(y.data(), mask, x.data(), x.numel(), p, Rng.hash(seed, calls++));
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (!active) {
            return dy;
        }
        dx = Buffers.ensure(dx, dy.shape());
        DropoutCpu.backward(dx.data(), dy.data(), mask, dy.numel());
        return dx;
    }
}
