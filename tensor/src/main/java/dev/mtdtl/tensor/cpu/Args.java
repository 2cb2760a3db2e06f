package dev.mtdtl.tensor.cpu;

/**
 * Argument contracts shared by the CPU ops: every check throws {@link IllegalArgumentException} with a
 * message that names the argument, the shape it was checked against and the offending value, so a
 * caller sees "x: length 100 < 3*8*5*7 = 840" rather than an ArrayIndexOutOfBoundsException deep in a
 * worker thread.
 *
 * <p>Arrays may be LONGER than the shape needs (callers reuse preallocated buffers across batch
 * sizes); only the first {@code need} elements are read or written.
 */
final class Args {

    private Args() {}

    /** {@code n >= 1}, {@code c >= 1}, {@code s >= 1}, and {@code n*c*s} fits in an int. Returns n*c*s. */
    static int ncs(int n, int c, int s) {
        if (n < 1 || c < 1 || s < 1) {
            throw new IllegalArgumentException("dims must be >= 1, got (N, C, S) = (" + n + ", " + c + ", " + s + ")");
        }
        long len = (long) n * c * s;
        if (len > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("N*C*S = " + n + "*" + c + "*" + s + " = " + len + " exceeds int range");
        }
        return (int) len;
    }

    /** {@code a != null && a.length >= need}; {@code shape} describes how {@code need} came about. */
    static void len(String name, float[] a, long need, String shape) {
        if (a == null) {
            throw new IllegalArgumentException(name + ": null, expected " + shape + " = " + need + " floats");
        }
        if (a.length < need) {
            throw new IllegalArgumentException(name + ": length " + a.length + " < " + shape + " = " + need);
        }
    }

    /** {@link #len} for several arrays of one required length; {@code names} separated by spaces. */
    static void lens(long need, String shape, String names, float[]... arrays) {
        String[] ns = names.split(" ");
        if (ns.length != arrays.length) {
            throw new AssertionError("names/arrays mismatch: " + names);
        }
        for (int i = 0; i < arrays.length; i++) {
            len(ns[i], arrays[i], need, shape);
        }
    }

    static void len(String name, int[] a, long need, String shape) {
        if (a == null) {
            throw new IllegalArgumentException(name + ": null, expected " + shape + " = " + need + " ints");
        }
        if (a.length < need) {
            throw new IllegalArgumentException(name + ": length " + a.length + " < " + shape + " = " + need);
        }
    }

    static void nonNegative(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        }
    }

    static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    static String shape(int... dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(dims[i]);
        }
        return sb.append(')').toString();
    }
}
