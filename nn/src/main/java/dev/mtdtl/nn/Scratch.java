package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Tensor;

/**
 * The large per-call buffers of a layer: its output y, its input gradient dx, and kernel scratch
 * (conv workspace, dropout mask, max-pool argmax), on the device of the layer's input. Each layer
 * starts with its own; layers that never run within the same forward/backward pair (the same position in
 * different sources' branches: only one source is trained per iteration) may share one via
 * {@link Layer#useScratch}, so that a model with m branches holds activations for one branch rather
 * than m.
 *
 * <p>Where y, dx and the workspace live is a placement ({@link Place}), set by {@link MemoryPlan}: the
 * layer's own buffer (the default), a slot of the network's {@link Arena} shared with other layers by
 * liveness, or (dx only) the incoming gradient's own buffer, overwritten in place. Layers ask through
 * {@link #output}, {@link #inputGrad} and {@link #workspace} and never need to know which.
 *
 * <p>Why it matters: at batch 128 one path of the base network held about 1.3 GB of activations and
 * workspaces with every buffer its own; placed by liveness (and with batch norm + ReLU + pool fused on the
 * CPU) it holds about 0.45 GB.
 */
public final class Scratch {

    /** Where a buffer lives. */
    enum Place { OWN, IN_PLACE, TRANSIENT, GRAD }

    Tensor y;
    Tensor dx;
    Tensor ws;
    Tensor mask;
    Indices argmax;

    private Arena arena;
    private Place yPlace = Place.OWN;
    private Place dxPlace = Place.OWN;
    private boolean sharedWorkspace;

    /** The layer's output, (shape) on d. */
    Tensor output(Device d, int... shape) {
        if (yPlace == Place.TRANSIENT) {
            return arena.take(Arena.Slot.TRANSIENT, d, shape);
        }
        y = Buffers.ensure(y, d, shape);
        return y;
    }

    /** The layer's input gradient, (shape) on d; {@code dy} itself when placed in place. */
    Tensor inputGrad(Tensor dy, Device d, int... shape) {
        switch (dxPlace) {
            case IN_PLACE:
                return dy;
            case TRANSIENT:
                return arena.take(Arena.Slot.TRANSIENT, d, shape);
            case GRAD:
                return arena.take(Arena.Slot.GRAD, d, shape);
            default:
                dx = Buffers.ensure(dx, d, shape);
                return dx;
        }
    }

    /** A kernel workspace of at least {@code floats} elements on d. */
    Tensor workspace(Device d, long floats) {
        if (sharedWorkspace) {
            return arena.workspace(d, floats);
        }
        ws = Buffers.workspace(ws, d, floats);
        return ws;
    }

    /** Place the output in the arena's transient slot (only for an output that nothing reads in backward). */
    void placeOutput(Arena a, Place p) {
        if (p != Place.OWN && p != Place.TRANSIENT) {
            throw new IllegalArgumentException("an output lives in its own buffer or the transient slot, not " + p);
        }
        arena = a;
        yPlace = p;
    }

    void placeInputGrad(Arena a, Place p) {
        arena = a;
        dxPlace = p;
    }

    void shareWorkspace(Arena a) {
        arena = a;
        sharedWorkspace = true;
    }

    Place outputPlace() {
        return yPlace;
    }

    Place inputGradPlace() {
        return dxPlace;
    }
}
