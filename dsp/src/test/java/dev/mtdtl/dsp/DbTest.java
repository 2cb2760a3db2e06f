package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast log10 against Math.log10, and the dB conversions' edge cases. */
class DbTest {

    @Test
    void fastLog10IsWithinTenToTheMinusTen() {
        SplittableRandom r = new SplittableRandom(11);
        double worst = 0;
        for (int i = 0; i < 2_000_000; i++) {
            float x = (float) Math.pow(10, -12 + 24 * r.nextDouble());
            worst = Math.max(worst, Math.abs(Db.log10(x) - Math.log10(x)));
        }
        for (float x : new float[] {1f, 2f, 0.5f, (float) Math.sqrt(2), Math.nextUp((float) Math.sqrt(2)), 10f,
                1e-10f, Float.MIN_NORMAL, Float.MAX_VALUE}) {
            worst = Math.max(worst, Math.abs(Db.log10(x) - Math.log10(x)));
        }
        System.out.println("fast log10: max abs error " + worst);
        assertTrue(worst < 1e-10, "max abs error " + worst);
        assertEquals(0.0, Db.log10(1f), 0.0);
        assertEquals(Math.log10(Float.MIN_VALUE), Db.log10(Float.MIN_VALUE), 0.0);   // subnormal: fallback
        assertTrue(Double.isNaN(Db.log10(-1f)));
        assertEquals(Double.NEGATIVE_INFINITY, Db.log10(0f), 0.0);
    }

    @Test
    void vectorisedDbIsWithinAFewFloatUlps() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 100_003;   // not a multiple of any vector length: the scalar tail runs too
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 1000 == 0 ? 0f : (float) Math.pow(10, -14 + 18 * r.nextDouble());
        }
        float[] y = x.clone();
        Db.toDbInPlace(y, 0, n, 10f, 1e-10f);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double ref = 10 * Math.log10(Math.max(x[i], 1e-10f));
            worst = Math.max(worst, Math.abs(y[i] - ref) / Math.max(1.0, Math.abs(ref)));
        }
        System.out.println("vectorised dB: max error " + worst + " (relative, or absolute below 1 dB)");
        assertTrue(worst < 3e-7, "max error " + worst);
    }

    @Test
    void toDbAndTopDb() {
        float[] x = {1f, 1e-3f, 0f, 100f};
        Db.toDb(x, 0, 4, 10, 1e-10);
        assertEquals(0f, x[0], 1e-6f);
        assertEquals(-30f, x[1], 1e-5f);
        assertEquals(-100f, x[2], 1e-4f);
        assertEquals(20f, x[3], 1e-5f);
        Db.clipTopDb(x, 0, 4, 80);
        assertEquals(-60f, x[2], 1e-4f);
        assertEquals(-30f, x[1], 1e-5f);
    }

    @Test
    void laneDbGivesEachValueTheVectorBitsWhereverItFalls() {
        SplittableRandom r = new SplittableRandom(13);
        int l = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        int t = l - 1;
        int n = 5 * l + t;   // a tail of l - 1 values: padded into one more vector
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 9 == 0 ? 0f : (float) Math.pow(10, -14 + 18 * r.nextDouble());
        }
        float[] lanes = x.clone();
        Db.toDbLanes(lanes, 0, n, 20f, 1e-5f);
        // toDbInPlace's vector path on whole vectors: the first 5 l values, then the last t in lanes of their own
        float[] head = java.util.Arrays.copyOf(x, 5 * l);
        Db.toDbInPlace(head, 0, 5 * l, 20f, 1e-5f);
        float[] tail = new float[l];
        java.util.Arrays.fill(tail, 3f);
        System.arraycopy(x, 5 * l, tail, 0, t);
        Db.toDbInPlace(tail, 0, l, 20f, 1e-5f);
        for (int i = 0; i < n; i++) {
            float want = i < 5 * l ? head[i] : tail[i - 5 * l];
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(lanes[i]), "value " + i + " of " + n);
        }
    }
}
