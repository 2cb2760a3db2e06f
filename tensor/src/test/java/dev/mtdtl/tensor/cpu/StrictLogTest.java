package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import dev.mtdtl.tensor.test.Allocation;
import org.junit.jupiter.api.Test;

/**
 * {@link StrictLog} against {@code StrictMath.log}, bit for bit, scalar and in vector lanes: random bit patterns over
 * every binade, each branch's boundaries (the |f| < 2^-20 series, the hfsq form's mantissa range, the sqrt(2) split),
 * powers of two, subnormals and the special values.
 */
class StrictLogTest {

    /** Arguments: the special values, then the branch boundaries with random low bits, then random patterns. */
    private static double[] arguments(int random) {
        SplittableRandom r = new SplittableRandom(20261206);
        List<Double> a = new ArrayList<>();
        double[] special = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
            Math.nextDown(Double.MIN_NORMAL), Math.nextUp(Double.MIN_NORMAL), Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Math.nextUp(1.0), Math.nextDown(1.0),
            Math.sqrt(2), Math.sqrt(0.5), Math.E, 10.0, 1e-300, 1e300};
        for (double v : special) {
            a.add(v);
        }
        for (int e = -1074; e <= 1023; e++) {
            double p = StrictMath.scalb(1.0, e);
            a.add(p);
            a.add(Math.nextUp(p));
            a.add(Math.nextDown(p));
        }
        // Mantissa top-20-bit values where a branch changes: 0xffffd..0x00003 (the series for |f| < 2^-20),
        // 0x6147a and 0x6b851 (the hfsq form), 0x6a09e (sqrt(2): 1 + f moves to [sqrt(2)/2, 1)).
        int[] tops = {0xffffc, 0xffffd, 0xffffe, 0xfffff, 0x00000, 0x00001, 0x00002, 0x00003, 0x61479, 0x6147a,
            0x6147b, 0x6b850, 0x6b851, 0x6b852, 0x6a09d, 0x6a09e, 0x6a09f};
        for (int top : tops) {
            for (int t = 0; t < 4000; t++) {
                long exp = 1 + r.nextInt(2046);                       // normal exponents
                long low = t < 2 ? (t == 0 ? 0 : 0xffff_ffffL) : r.nextLong() & 0xffff_ffffL;
                a.add(Double.longBitsToDouble((exp << 52) | ((long) top << 32) | low));
                if (t < 200) {                                        // the same mantissas as subnormals
                    a.add(Double.longBitsToDouble(((long) (top & 0x7ffff) << 32) | low));
                }
            }
        }
        for (int t = 0; t < random; t++) {
            long bits = r.nextLong();
            switch (t % 4) {
                case 0 -> a.add(Double.longBitsToDouble(bits));                          // anything, NaNs included
                case 1 -> a.add(Double.longBitsToDouble(bits & Long.MAX_VALUE));          // positive
                case 2 -> a.add(r.nextDouble() * 10);                                     // typical magnitudes
                default -> a.add(1 + (r.nextDouble() - 0.5) * 1e-5);                      // near 1
            }
        }
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i);
        }
        return out;
    }

    private static void check(double x, double got) {
        double want = StrictMath.log(x);
        if (Double.isNaN(want) && Double.isNaN(got)) {
            return;
        }
        if (Double.doubleToRawLongBits(want) != Double.doubleToRawLongBits(got)) {
            fail("log(" + x + " = 0x" + Long.toHexString(Double.doubleToRawLongBits(x)) + "): StrictMath "
                + want + ", StrictLog " + got);
        }
    }

    @Test
    void scalarMatchesStrictMath() {
        for (double x : arguments(4_000_000)) {
            check(x, StrictLog.log(x));
        }
    }

    /**
     * The array method, whose vector lanes run the formulas lane-wise (the same bits at any width: run this test
     * with {@code -XX:MaxVectorSize=16} or {@code 32} for 2 or 4 lanes): positive normal values alone (every
     * vector on the vector path), then mixed with the rest (vectors with a special lane take the scalar
     * code), at offsets that leave a tail.
     */
    @Test
    void arraysMatchStrictMath() {
        double[] x = arguments(1_000_000);
        double[] normal = Arrays.stream(x).filter(v -> v >= Double.MIN_NORMAL && v <= Double.MAX_VALUE).toArray();
        for (double[] in : List.of(normal, x)) {
            for (int off : new int[] {0, 3}) {
                int n = in.length - off - 5;
                double[] out = new double[n + 7];
                StrictLog.log(in, off, out, 7, n);
                for (int j = 0; j < n; j++) {
                    check(in[off + j], out[7 + j]);
                }
            }
        }
    }

    /**
     * Once compiled, the array method allocates nothing (a boxed one allocates ~2 KB a vector): called as pLSA
     * calls it, a document's 20 or so entries at a time. Its selections are bitwise because JDK 17's C2 boxed
     * the VectorMask version at 2 lanes (1.4 MB a call here; the build runs this class at 128 bits too).
     */
    @Test
    void arraysStayUnboxed() {
        double[] x = new double[4000];
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 1e-3;
        }
        double[] y = new double[x.length];
        Allocation.assertSettles("StrictLog.log on rows of 20", 64 << 10, 30_000_000_000L, () -> {
            for (int i = 0; i + 20 <= x.length; i += 20) {
                StrictLog.log(x, i, y, i, 20);
            }
        });
    }
}
