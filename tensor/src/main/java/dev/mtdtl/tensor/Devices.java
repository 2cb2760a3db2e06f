package dev.mtdtl.tensor;

import java.lang.reflect.InvocationTargetException;

/**
 * Opens a {@link Device} from a user's choice: {@code cpu}, {@code cuda} or {@code auto}. The CUDA device
 * lives in the cuda-kernels module and is loaded by name, only when asked for, so a CPU run loads no
 * JCuda class and a build without that module still runs on the CPU.
 */
public final class Devices {

    /** Why a requested device cannot be used (one line, meant for the user). */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /** A device and the line that says which one was chosen and why (for auto). */
    public record Choice(Device device, String why) {}

    static final String CUDA_CLASS = "dev.mtdtl.cuda.CudaDevice";

    private Devices() {}

    /**
     * Open {@code spec}: "cpu"; "cuda" (fails with {@link UnavailableException} and the reason: no driver, no
     * device, natives that do not load, the module missing); "auto" (the GPU when one is usable, else the CPU;
     * {@link Choice#why} says which and why).
     */
    public static Choice open(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
        switch (s) {
            case "cpu":
                return new Choice(Device.cpu(), "device: cpu (asked for)");
            case "cuda":
            case "gpu": {
                Device d = cuda();
                return new Choice(d, "device: " + d.name() + " (asked for)");
            }
            case "auto":
                try {
                    Device d = cuda();
                    return new Choice(d, "device: " + d.name() + " (auto: a usable GPU was found)");
                } catch (UnavailableException e) {
                    return new Choice(Device.cpu(), "device: cpu (auto: no usable GPU: " + e.getMessage() + ")");
                }
            default:
                throw new IllegalArgumentException("unknown device '" + spec + "': use cpu, cuda or auto");
        }
    }

    private static Device cuda() {
        try {
            Class<?> c = Class.forName(CUDA_CLASS);
            return (Device) c.getMethod("open").invoke(null);
        } catch (ClassNotFoundException e) {
            throw new UnavailableException("this build has no CUDA support (module cuda-kernels is not on the class path)");
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            throw new UnavailableException(t instanceof IllegalStateException ? t.getMessage()
                    : t.getClass().getSimpleName() + ": " + t.getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnavailableException("the CUDA device could not be loaded (" + e + ")");
        }
    }
}
