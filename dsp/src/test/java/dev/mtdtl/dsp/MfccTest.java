package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

/** MFCC, deltas and the 120-d aggregate against librosa/scipy (fixture dsp_mfcc, per-channel). */
class MfccTest {

    private static final int T = DspFixtureData.T;
    private static final int M = 128;
    private static final int D = 20;

    /** The fixture's input dB-mel, per channel in the CNN layout (T, M), as float32. */
    private static float[] dbMel() {
        double[] r = DspFixtureData.fromLibrosa(Fixtures.f64("dsp_melspec/mel_power2_db_f64.npy"), 2, M, T);
        float[] f = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            f[i] = (float) r[i];
        }
        return f;
    }

    private static double[] ref(String name) {
        return DspFixtureData.fromLibrosa(Fixtures.f64("dsp_mfcc/" + name + "_f64.npy"), 2, D, T);
    }

    @Test
    void mfccAndDeltasMatchLibrosa() {
        float[] db = dbMel();
        Mfcc mfcc = Mfcc.paper();
        float[] x = new float[2 * T * D];
        float[] d1 = new float[2 * T * D];
        float[] d2 = new float[2 * T * D];
        for (int c = 0; c < 2; c++) {
            float[] xc = new float[T * D];
            mfcc.apply(xc, 0, db, c * T * M, T);
            float[] a = new float[T * D];
            float[] b = new float[T * D];
            Deltas.savgol(a, xc, T, D, 9, 1);
            Deltas.savgol(b, xc, T, D, 9, 2);
            System.arraycopy(xc, 0, x, c * T * D, T * D);
            System.arraycopy(a, 0, d1, c * T * D, T * D);
            System.arraycopy(b, 0, d2, c * T * D, T * D);
        }
        Close.assertRelL2(ref("mfcc"), x, 1e-5, "mfcc");
        Close.assertRelL2(ref("delta1"), d1, 1e-5, "delta1");
        Close.assertRelL2(ref("delta2"), d2, 2e-5, "delta2");
    }

    @Test
    void aggregateMatchesLibrosa() {
        float[] db = dbMel();
        float[] got = new float[2 * 120];
        for (int c = 0; c < 2; c++) {
            MfccBaseline.aggregate(got, c * 120, db, c * T * M, T, Mfcc.paper(), MfccBaseline.DeltaKind.SAVGOL9,
                    MfccBaseline.Order.MEANS_THEN_STDS);
        }
        Close.assertRelL2(Fixtures.f64("dsp_mfcc/aggregate120_f64.npy"), got, 1e-5, "aggregate120");
    }

    @Test
    void savgolCoefficientsAreTheClosedForms() {
        float[] c1 = Deltas.coefficients(9, 1);
        float[] c2 = Deltas.coefficients(9, 2);
        for (int j = -4; j <= 4; j++) {
            assertEquals(j / 60.0, c1[j + 4], 1e-7);
            assertEquals((j * j - 20.0 / 3) * 2 / 308, c2[j + 4], 1e-7);
        }
    }

    @Test
    void paperBaselineUsesPlainDifferencesOfTheChannelMean() {
        // Two channels whose mean is a known (T=4, M=128) ramp in time: mfcc_k(t) = a_k + t b_k.
        int t = 4;
        float[] db = new float[2 * t * M];
        for (int i = 0; i < t; i++) {
            for (int m = 0; m < M; m++) {
                float v = -40f + i * 2f + (m % 7);
                db[i * M + m] = v + 3f;           // channel 0
                db[(t + i) * M + m] = v - 3f;     // channel 1: mean is v
            }
        }
        float[] f = MfccBaseline.paper(db, 2, t, M);
        assertEquals(120, f.length);
        float[] mean = new float[t * M];
        for (int i = 0; i < t * M; i++) {
            mean[i] = (db[i] + db[t * M + i]) / 2;
        }
        float[] x = new float[t * D];
        Mfcc.paper().apply(x, 0, mean, 0, t);
        for (int k = 0; k < D; k++) {
            double slope = x[D + k] - x[k];
            assertEquals(slope, f[2 * D + k], 1e-4, "mean Delta = slope");
            assertEquals(0.0, f[3 * D + k], 1e-4, "std Delta of a ramp");
            assertEquals(0.0, f[4 * D + k], 1e-4, "mean Delta-Delta of a ramp");
        }
    }
}
