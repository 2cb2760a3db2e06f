package dev.mtdtl.cuda;

/**
 * The only way into the GPU backend: {@link #isAvailable()} says whether a CUDA device can be used, and
 * {@link #context()} hands out the process-wide {@link CudaContext} (device 0, its primary context, one stream).
 *
 * <p>Nothing here loads a JCuda class until {@link #isAvailable()} or {@link #context()} is first called:
 * the probe lives in a holder class that the JVM initialises lazily, so CPU code that never asks never
 * touches the natives. The probe never throws: a missing native library, no driver ({@code libcuda.so.1}),
 * no device or a driver error all become "not available" plus a one-line reason.
 *
 * <p>{@code -Dmtdtl.cuda.disable=true} forces "not available" (to test the CPU path on a GPU machine).
 */
public final class Cuda {

    private Cuda() {}

    /** Outcome of one probe: available, or not with a reason. */
    record Status(boolean available, String reason, CudaContext context) {}

    /** True when a CUDA device and a working driver were found. Never throws. */
    public static boolean isAvailable() {
        return Probe.STATUS.available();
    }

    /** Why the device is not available, or null when it is. */
    public static String unavailableReason() {
        return Probe.STATUS.reason();
    }

    /**
     * The shared context, made current on the calling thread (cheap: one driver call).
     *
     * @throws IllegalStateException when no device is available (with the reason)
     */
    public static CudaContext context() {
        Status s = Probe.STATUS;
        if (!s.available()) {
            throw new IllegalStateException("CUDA is not available: " + s.reason());
        }
        s.context().bind();
        return s.context();
    }

    /** A probe that is not cached: used by the holder and by tests of the "not available" path. */
    static Status probe(boolean disabled) {
        if (disabled) {
            return new Status(false, "disabled by -Dmtdtl.cuda.disable=true", null);
        }
        try {
            return new Status(true, null, CudaContext.create(0));
        } catch (LinkageError e) {            // natives missing or libcuda.so.1 absent
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("libcuda.so")) {
                return new Status(false, "no NVIDIA driver on this machine (libcuda.so.1 not found)", null);
            }
            return new Status(false, "the JCuda natives could not be loaded (" + e.getClass().getSimpleName() + ": "
                    + firstLine(msg) + ")", null);
        } catch (RuntimeException e) {        // CudaException: no device, driver too old, ...
            return new Status(false, "CUDA driver error: " + firstLine(String.valueOf(e.getMessage())), null);
        }
    }

    /** JCuda's link errors carry two nested stack traces; a reason is one line. */
    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String l = nl < 0 ? s : s.substring(0, nl);
        return l.length() > 200 ? l.substring(0, 200) + "..." : l;
    }

    private static final class Probe {
        static final Status STATUS = probe(Boolean.getBoolean("mtdtl.cuda.disable"));
    }
}
