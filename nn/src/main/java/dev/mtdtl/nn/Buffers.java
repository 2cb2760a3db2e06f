package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Tensor;

/**
 * An output, gradient or workspace owned by a layer, reallocated only when the batch shape or the device
 * changes, so that steady-state training allocates nothing (on the CPU heap or in device memory).
 */
final class Buffers {

    private Buffers() {}

    /** {@code t} if it already has {@code shape} on the CPU, else a new zero CPU tensor. */
    static Tensor ensure(Tensor t, int... shape) {
        return ensure(t, Device.cpu(), shape);
    }

    /** {@code t} if it already has {@code shape} on {@code d}, else a new zero tensor there. */
    static Tensor ensure(Tensor t, Device d, int... shape) {
        return t != null && t.device() == d && t.hasShape(shape) ? t : d.zeros(shape);
    }

    /**
     * A flat workspace of at least {@code floats} elements on {@code d} (grown, never shrunk; at least one element,
     * so that a kernel never sees null and allocates its own on every call).
     */
    static Tensor workspace(Tensor t, Device d, long floats) {
        return t != null && t.device() == d && t.numel() >= floats ? t : d.zeros(Math.toIntExact(Math.max(1, floats)));
    }

    /** {@code a} if it holds exactly {@code n} indices on {@code d}, else new ones there. */
    static Indices ensure(Indices a, Device d, int n) {
        return a != null && a.device() == d && a.length() == n ? a : d.indices(n);
    }

    /** Throw unless the parameter lives on the device of the input (a model moved half-way is a bug). */
    static void sameDevice(Param p, Device d) {
        if (p != null && p.value().device() != d) {
            throw new IllegalArgumentException(p.name() + " lives on " + p.value().device().name() + " but its input on "
                    + d.name() + ": move the model with to(device) first");
        }
    }
}
