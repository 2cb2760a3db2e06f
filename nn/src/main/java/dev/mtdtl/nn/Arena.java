package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Tensor;

/**
 * The shared activation memory of one network: three buffers that layers borrow in turn, so that memory that
 * is dead by liveness is reused instead of held per layer. A layer asks for a slot with a shape and gets a
 * view of the slot's first elements ({@link Tensor#head}); which layers may borrow which slot is decided by
 * {@link MemoryPlan}, which only places a buffer in a slot when nothing reads it after the next borrower
 * writes.
 *
 * <pre>
 *   TRANSIENT  forward: a block's batch-norm output, alive until the block's ReLU + max pool have read it;
 *              backward: the pool's input gradient, which the batch norm then overwrites in place.
 *              Forward and backward never overlap, so one buffer serves both (the largest: block 1's
 *              (N, 16, 108, 128), 113 MB at batch 128).
 *   GRAD       a convolution's input gradient when its input is a pooled block output: alive until the
 *              previous block's pool backward has read it ((N, 16, 54, 64) at most, 28 MB at batch 128).
 *   WORKSPACE  every convolution's scratch (im2col columns, packed weights, padded input): alive within one
 *              kernel call only.
 * </pre>
 * A slot grows to the largest request and never shrinks; a view handed out before a growth keeps the old
 * buffer alive until it is dropped, so growth is never wrong, only briefly larger. Every buffer lives on the
 * device of the request (a network moved to another device re-allocates on its next step).
 */
public final class Arena {

    /** The three shared buffers. */
    public enum Slot { TRANSIENT, GRAD, WORKSPACE }

    private final Tensor[] buf = new Tensor[Slot.values().length];

    /** A tensor of {@code shape} on {@code d} over the first elements of slot {@code s}. */
    Tensor take(Slot s, Device d, int... shape) {
        long n = 1;
        for (int v : shape) {
            n *= v;
        }
        return grow(s, d, n).head(shape);
    }

    /** The whole workspace slot, at least {@code floats} long (a kernel reads only what it needs). */
    Tensor workspace(Device d, long floats) {
        return grow(Slot.WORKSPACE, d, Math.max(1, floats));
    }

    private Tensor grow(Slot s, Device d, long n) {
        Tensor t = buf[s.ordinal()];
        if (t == null || t.device() != d || t.numel() < n) {
            t = d.zeros(Math.toIntExact(n));
            buf[s.ordinal()] = t;
        }
        return t;
    }

    /** Bytes held by the slots now (for reports and tests). */
    public long bytes() {
        long b = 0;
        for (Tensor t : buf) {
            b += t == null ? 0 : 4L * t.numel();
        }
        return b;
    }

    /** Elements of slot {@code s} now (0 before its first use). */
    public long elements(Slot s) {
        Tensor t = buf[s.ordinal()];
        return t == null ? 0 : t.numel();
    }
}
