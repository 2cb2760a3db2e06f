package dev.mtdtl.nn;

import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Tensor;

/**
 * The large per-call buffers of a layer: its output y, its input gradient dx, and kernel scratch
 * (conv workspace, dropout mask, max-pool argmax), on the device of the layer's input. Each layer
 * starts with its own; layers that never run within the same forward/backward (the same position in
 * different sources' branches: only one source is trained per iteration) may share one via
 * {@link Layer#useScratch}, so that a model with m branches holds activations for one branch rather
 * than m.
 *
 * <p>Why it matters: at batch 128 one path of the base network holds about 1.3 GB of activations and
 * workspaces; MSS-CR with eight sources would otherwise hold eight (plus the self twin path).
 */
public final class Scratch {
    Tensor y;
    Tensor dx;
    Tensor ws;
    Tensor mask;
    Indices argmax;
}
