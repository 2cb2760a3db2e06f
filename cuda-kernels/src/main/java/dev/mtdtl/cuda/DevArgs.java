package dev.mtdtl.cuda;

/** Argument contracts of the launchers (EJML style): sizes are checked before anything is enqueued. */
final class DevArgs {

    private DevArgs() {}

    /** Buffer {@code name} must hold at least {@code elements} 4-byte elements. */
    static void need(String name, DeviceBuffer b, long elements, String shape) {
        if (b == null) {
            throw new NullPointerException(name + " is null");
        }
        if (b.elements() < elements) {
            throw new IllegalArgumentException(name + " holds " + b.elements() + " elements, needs " + elements + " for " + shape);
        }
    }

    static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    static void nonNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        }
    }

    static String shape(long... dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return sb.append(')').toString();
    }
}
