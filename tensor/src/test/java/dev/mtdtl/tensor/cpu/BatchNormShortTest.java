package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.test.Threads;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lane path of the training batch norm on planes shorter than a vector ({@link BatchNormShort}: L channels in
 * vector lanes) against the channel-by-channel code it stands in for ({@link BatchNormCpu#forwardChannels}, {@link
 * BatchNormCpu#backwardChannels}), bit for bit, every output: y, the saved mean and inverse deviation, both running
 * statistics, dx, and dgamma and dbeta accumulated onto non-zero values. Shapes: the base CNN's (32 x 256 x 12 after
 * conv61 and conv62, 32 x 256 x 1 in the head), planes of 1 to 15 values (whole groups of four, a remainder, nothing
 * but a remainder), channel counts with a partial last block (the rest taken by the scalar code), batches of 2 and 3;
 * at 1 and 3 threads. Inputs: Gaussian channels, channels of 10^4 and the next float up in a third of their values
 * (the float shift rounds to 10^4 and misses the mean by more than half a deviation: the statistics' second pass, in
 * some lanes only), a constant channel (variance 0), -0.0 values, channels (and dy) whose values span 120 binades,
 * and channels (and dy) where +-2^60 (in every third value, {@link #big}, or in every fourth, the first chain's)
 * cancel each other while the small values in between are lost or kept depending on where they fall, or where chains
 * 0 and 1 end at +-2^60 ({@link #ends}): there a change in the order of the additions, or of the chains' totals,
 * shows; and one channel with a NaN and one with an infinity (which must stay in their lanes).
 */
class BatchNormShortTest {

    private static final float EPS = 1e-5f;
    private static final float MOMENTUM = 0.1f;

    @ParameterizedTest
    @CsvSource({"32, 256, 12, 1", "32, 256, 12, 3", "32, 256, 1, 2", "2, 16, 12, 1", "3, 37, 5, 3", "4, 48, 4, 2",
            "3, 20, 15, 1", "5, 33, 1, 3", "2, 17, 3, 2", "7, 64, 8, 3"})
    void lanesGiveTheChannelByChannelBits(int n, int c, int s, int threads) {
        Assumptions.assumeTrue(Gemm.VL == 16 && FloatVector.SPECIES_PREFERRED.length() == 16,
                "the lane path needs 512-bit vectors");
        assertTrue(BatchNormShort.applies(s), "S = " + s + " does not take the lane path");
        SplittableRandom r = new SplittableRandom(n * 10_000L + c * 100 + s);
        int len = n * c * s;
        float[] x = new float[len];
        float[] dy = new float[len];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    double z = r.nextGaussian();
                    x[at] = switch (ch % 7) {
                        case 1 -> at % 3 == 0 ? Math.nextUp(1e4f) : 1e4f;   // mean >> std: the second pass
                        case 3 -> 2.5f;                               // variance 0
                        case 5 -> at % 3 == 0 ? -0f : (float) z;      // -0.0
                        case 0 -> ends(i, k, (float) z);  // chains 0 and 1 end at +-2^60: the totals' order shows
                        case 2 -> big(i, k, (float) z);   // +-2^60 among small values: order shows
                        case 4 -> k % 4 == 0 ? ((i + k / 4) % 2 == 0 ? 0x1p60f : -0x1p60f) : (float) z;   // the same
                        case 6 -> (float) Math.scalb(z, r.nextInt(-60, 61));   // 120 binades: inexact double sums
                        default -> (float) (0.3 + 2 * z);
                    };
                    double g = r.nextGaussian();
                    dy[at] = at % 5 == 0 ? -0f : ch % 4 == 2 ? (float) Math.scalb(g, r.nextInt(-60, 61))
                            : ch % 4 == 0 ? ends(i, k, (float) g) : ch % 4 == 1 ? big(i, k, (float) g)
                            : ch % 4 == 3 && k % 4 == 0 ? ((i + k / 4) % 2 == 0 ? 0x1p60f : -0x1p60f) : (float) g;
                }
            }
        }
        if (c > 9) {
            x[(9 % n * c + 9) * s] = Float.NaN;            // channel 9 only
        }
        if (c > 12) {
            x[(12 * s) + s - 1] = Float.POSITIVE_INFINITY;   // channel 12 only
        }
        float[] gamma = new float[c];
        float[] beta = new float[c];
        float[] rm0 = new float[c];
        float[] rv0 = new float[c];
        float[] dg0 = new float[c];
        float[] db0 = new float[c];
        for (int ch = 0; ch < c; ch++) {
            gamma[ch] = (float) (0.5 + r.nextDouble());
            beta[ch] = (float) r.nextGaussian();
            rm0[ch] = (float) r.nextGaussian();
            rv0[ch] = (float) (0.5 + r.nextDouble());
            dg0[ch] = (float) r.nextGaussian();
            db0[ch] = (float) r.nextGaussian();
        }
        Threads.with(threads, () -> {
            float[] y1 = new float[len], m1 = new float[c], v1 = new float[c], rm1 = rm0.clone(), rv1 = rv0.clone();
            float[] y2 = new float[len], m2 = new float[c], v2 = new float[c], rm2 = rm0.clone(), rv2 = rv0.clone();
            BatchNormCpu.forwardTrain(y1, m1, v1, x, gamma, beta, rm1, rv1, n, c, s, MOMENTUM, EPS);
            BatchNormCpu.forwardChannels(0, c, y2, m2, v2, x, gamma, beta, rm2, rv2, n, c, s, MOMENTUM, EPS);
            same("y", y2, y1);
            same("saveMean", m2, m1);
            same("saveInvstd", v2, v1);
            same("runningMean", rm2, rm1);
            same("runningVar", rv2, rv1);

            float[] dx1 = new float[len], dgamma1 = dg0.clone(), dbeta1 = db0.clone();
            float[] dx2 = new float[len], dgamma2 = dg0.clone(), dbeta2 = db0.clone();
            BatchNormCpu.backwardTrain(dx1, dgamma1, dbeta1, dy, x, m1, v1, gamma, n, c, s);
            BatchNormCpu.backwardChannels(0, c, dx2, dgamma2, dbeta2, dy, x, m1, v1, gamma, n, c, s);
            same("dx", dx2, dx1);
            same("dgamma", dgamma2, dgamma1);
            same("dbeta", dbeta2, dbeta1);
        });
    }

    /**
     * Every third value (by plane and position) +2^60 or -2^60 in turn, else the small one: each of the sums' four
     * chains meets big values of both signs with small ones in between, which a chain's double sum keeps or loses
     * depending on where they fall between the big ones.
     */
    private static float big(int i, int k, float small) {
        return (i + k) % 3 != 0 ? small : (i + k) / 3 % 2 == 0 ? 0x1p60f : -0x1p60f;
    }

    /**
     * +2^60 first in chain 0 and -2^60 first in chain 1 (values 0 and 1 of plane 0), small values after them: the
     * chains' totals are +-2^60 with the small values lost, and only the totals' order, 0 + t0 + t1 + t2 + t3, keeps
     * chains 2 and 3.
     */
    private static float ends(int i, int k, float small) {
        return i != 0 || k > 1 ? small : k == 0 ? 0x1p60f : -0x1p60f;
    }

    /** Bit for bit (NaNs compared as NaNs). */
    private static void same(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            int w = Float.floatToIntBits(want[i]);
            int g = Float.floatToIntBits(got[i]);
            if (w != g) {
                String at = what + "[" + i + "]: lanes " + got[i] + ", channel by channel " + want[i];
                assertEquals(want[i], got[i], at);
                assertEquals(w, g, at + " (bits)");
            }
        }
    }
}
