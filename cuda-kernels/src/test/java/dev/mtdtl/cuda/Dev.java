package dev.mtdtl.cuda;

import java.util.ArrayList;
import java.util.List;

/** Test helper: device buffers made from host arrays, all closed together (try-with-resources). */
final class Dev implements AutoCloseable {

    private final List<DeviceBuffer> open = new ArrayList<>();

    DeviceBuffer up(float[] a) {
        return keep(Cuda.context().alloc(Math.max(1, a.length))).upload(a);
    }

    DeviceBuffer up(int[] a) {
        return keep(Cuda.context().alloc(Math.max(1, a.length))).upload(a);
    }

    /** A buffer of n elements filled with NaN, so a kernel that forgets to write shows up. */
    DeviceBuffer poisoned(long n) {
        DeviceBuffer b = keep(Cuda.context().alloc(Math.max(1, n)));
        b.fill(Float.NaN, Math.max(1, n));
        return b;
    }

    static float[] down(DeviceBuffer b, int n) {
        return b.download(new float[n]);
    }

    static int[] downInt(DeviceBuffer b, int n) {
        return b.download(new int[n]);
    }

    private DeviceBuffer keep(DeviceBuffer b) {
        open.add(b);
        return b;
    }

    @Override
    public void close() {
        open.forEach(DeviceBuffer::close);
        open.clear();
    }
}
