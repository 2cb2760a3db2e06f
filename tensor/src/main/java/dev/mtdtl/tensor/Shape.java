package dev.mtdtl.tensor;

import java.util.Arrays;

/** Shape arithmetic and the argument checks every op makes (messages name the shapes at fault). */
public final class Shape {

    private Shape() {}

    /** Number of elements; throws if it does not fit an int (a Java array index). */
    public static int numel(int... shape) {
        long n = numelLong(shape);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + str(shape) + " has " + n
                    + " elements, more than a Java array holds");
        }
        return (int) n;
    }

    public static long numelLong(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            }
            n *= d;
        }
        return n;
    }

    /** "(2, 16, 108, 128)". */
    public static String str(int... shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Output size of a convolution or pooling axis: floor((in + 2 pad - k) / stride) + 1. */
    public static int convOut(int in, int k, int stride, int pad) {
        int span = in + 2 * pad - k;
        if (span < 0) {
            throw new IllegalArgumentException("kernel " + k + " does not fit input " + in + " with padding "
                    + pad);
        }
        return span / stride + 1;
    }

    /** Require {@code a.length >= n}, naming the argument. */
    public static void requireLength(String what, float[] a, long n) {
        if (a == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (a.length < n) {
            throw new IllegalArgumentException(what + " has " + a.length + " elements, needs " + n);
        }
    }

    /** Require two shapes to be equal, naming both arguments. */
    public static void requireSame(String whatA, int[] a, String whatB, int[] b) {
        if (!Arrays.equals(a, b)) {
            throw new IllegalArgumentException(whatA + " " + str(a) + " and " + whatB + " " + str(b)
                    + " must have the same shape");
        }
    }

    public static void requirePositive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }
}
