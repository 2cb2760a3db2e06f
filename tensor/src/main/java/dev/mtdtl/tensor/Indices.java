package dev.mtdtl.tensor;

/**
 * A flat array of int32 indices on a {@link Device}: max-pool argmax and cross-entropy class targets.
 * The float {@link Tensor} would do for neither (an index is not a value), and a CPU kernel wants a
 * plain {@code int[]}: on the CPU this wraps one, on another device it holds {@link DeviceMemory}.
 */
public final class Indices {

    private final Device device;
    private final int[] host;          // CPU only
    private final DeviceMemory mem;    // other devices only
    private final int length;

    private Indices(Device device, int[] host, DeviceMemory mem, int length) {
        this.device = device;
        this.host = host;
        this.mem = mem;
        this.length = length;
    }

    /** Wrap {@code a} (not copied) on the CPU. */
    public static Indices of(int[] a) {
        return new Indices(Device.cpu(), a, null, a.length);
    }

    /** For device implementations: wrap device memory of {@code length} ints. */
    public static Indices onDevice(Device device, DeviceMemory mem, int length) {
        if (device.isCpu() || mem.elements() < length) {
            throw new IllegalArgumentException("device indices of " + length + " on " + device.name() + " with "
                    + mem.elements() + " elements");
        }
        return new Indices(device, null, mem, length);
    }

    public Device device() {
        return device;
    }

    public int length() {
        return length;
    }

    /** The CPU array (shared); throws on another device. */
    public int[] host() {
        if (host == null) {
            throw new IllegalStateException(length + " indices live on " + device.name() + ", not on the CPU");
        }
        return host;
    }

    /** The device memory; null on the CPU. */
    public DeviceMemory memory() {
        return mem;
    }
}
