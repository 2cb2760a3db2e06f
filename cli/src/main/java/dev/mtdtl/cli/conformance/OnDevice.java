package dev.mtdtl.cli.conformance;

import dev.mtdtl.nn.Param;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Tensor;

import java.util.List;

/**
 * Where the fixture families run their layers: the CPU by default, the GPU for {@code mtdtl fixtures --device
 * cuda} (the GPU's conformance check against the same float64 references). Inputs are uploaded, layers'
 * parameters moved, and outputs downloaded here, so each family reads as it did on the CPU.
 */
final class OnDevice {

    private static volatile Device device = Device.cpu();

    private OnDevice() {}

    static void set(Device d) {
        device = d;
    }

    static Device get() {
        return device;
    }

    /** An input tensor on the device. */
    static Tensor put(Tensor t) {
        return t.to(device);
    }

    /** Move parameters (and buffers) to the device; returns them. */
    static List<Param> move(List<Param> ps) {
        for (Param p : ps) {
            p.moveTo(device);
        }
        return ps;
    }

    /** Indices (e.g. max-pool argmax) as a CPU array. */
    static int[] host(Indices idx) {
        if (idx.device().isCpu()) {
            return idx.host();
        }
        Indices h = Indices.of(new int[idx.length()]);
        idx.device().copy(h, idx);
        return h.host();
    }
}
