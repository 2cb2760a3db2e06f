package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

import java.util.List;

/**
 * A layer: explicit forward and backward, nothing else (no tape autograd). The reader sees each
 * backward next to its forward.
 *
 * <p>Contract. {@code forward} may keep references to its input and to buffers it owns, and returns
 * a tensor the layer owns (reused by the next call with the same shape: do not hold it across calls).
 * {@code backward(dy)} must follow the matching {@code forward}; it ACCUMULATES (+=) into the
 * parameter gradients and returns dL/dx in a tensor the layer owns (written, not accumulated).
 */
public interface Layer {

    Tensor forward(Tensor x);

    Tensor backward(Tensor dy);

    /**
     * Forward for inference only: no backward follows, and nothing reads this pass's caches afterwards, so a
     * container may run a conv and the pooled block after it as one op ({@link Sequential#infer}). The same values
     * as {@link #forward}; by default it is forward.
     */
    default Tensor infer(Tensor x) {
        return forward(x);
    }

    /** Trainable parameters, in state_dict order. */
    default List<Param> params() {
        return List.of();
    }

    /** Non-trainable state (BatchNorm running statistics), in state_dict order. */
    default List<Param> buffers() {
        return List.of();
    }

    /** Training mode (batch statistics, dropout on) or evaluation mode. Default: training. */
    default void setTraining(boolean training) {}

    /** Layers this one is made of (a {@link Sequential}'s, a {@link BatchNormReluPool}'s two); none for a leaf. */
    default List<Layer> children() {
        return List.of();
    }

    /** The layer's large per-call buffers ({@link Scratch}); null for a layer without any. */
    default Scratch scratch() {
        return null;
    }

    /**
     * Keep the large per-call buffers in {@code s} from now on. Only for layers that never run within
     * the same forward/backward pair (same position in different branches); a no-op by default.
     */
    default void useScratch(Scratch s) {}
}
