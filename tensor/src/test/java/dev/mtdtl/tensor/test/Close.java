package dev.mtdtl.tensor.test;

import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of float32 results with double references; failures print the worst entries. */
public final class Close {

    private Close() {}

    /** ||out - ref||_2 / ||ref||_2 (the fixtures' default criterion); 0 when both are zero. */
    public static double relL2(double[] ref, float[] out) {
        return relL2(ref, Fixtures.toDouble(out));
    }

    public static double relL2(double[] ref, double[] out) {
        check(ref.length, out.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = out[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** Assert the relative L2 error is at most {@code tol}. */
    public static void assertRelL2(double[] ref, float[] out, double tol, String what) {
        double e = relL2(ref, out);
        if (!(e <= tol)) {
            fail(what + ": relative L2 error " + e + " > " + tol + firstMisses(ref, out));
        }
    }

    public static void assertRelL2(double[] ref, double[] out, double tol, String what) {
        double e = relL2(ref, out);
        if (!(e <= tol)) {
            float[] f = new float[out.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) out[i];
            }
            fail(what + ": relative L2 error " + e + " > " + tol + firstMisses(ref, f));
        }
    }

    /**
     * Assert bit-exact equality of two float arrays, except that every NaN equals every NaN: the NaN's sign and
     * payload are not defined by Java or CUDA (x86's vector max returns its default NaN 0xFFC00000 where
     * Math.max and our CUDA ReLU pass the input's 0x7FC00000 through; seen on an H200 run). Signed zeros still
     * differ (-0 and +0 have other bits).
     */
    public static void assertExact(float[] expected, float[] actual, String what) {
        check(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": differs at flat index " + i + ": expected " + expected[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + "), got " + actual[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

    private static String firstMisses(double[] ref, float[] out) {
        StringBuilder sb = new StringBuilder();
        double maxAbs = 0;
        int worst = -1;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(out[i] - ref[i]);
            if (d > maxAbs || worst < 0) {
                maxAbs = d;
                worst = i;
            }
        }
        sb.append("; max abs diff ").append(maxAbs).append(" at ").append(worst);
        if (worst >= 0) {
            sb.append(" (ref ").append(ref[worst]).append(", got ").append(out[worst]).append(")");
        }
        return sb.toString();
    }

    private static void check(int a, int b) {
        if (a != b) {
            fail("length mismatch: reference " + a + ", result " + b);
        }
    }
}
