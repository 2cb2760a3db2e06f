package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The lane-parallel real FFT against a double-precision DFT, and the mel path's bits across thread counts. */
class LaneFftTest {

    /**
     * |X_k|^2 of L random frames against sum_n x[n] e^{-2 pi i k n / N} in double. Sizes cover both pass plans
     * (log2(N/2) even: 8, 32, 2048; odd: 16, 64, 1024 = the paper's). Float FFT error grows ~ eps log2 N
     * relative to the spectrum's scale, so the bound is 1e-5 of the largest power per frame.
     */
    @ParameterizedTest
    @ValueSource(ints = {8, 16, 32, 64, 1024, 2048})
    void powerMatchesNaiveDft(int nFft) {
        int l = LaneFft.L;
        int k = nFft / 2 + 1;
        SplittableRandom r = new SplittableRandom(nFft);
        float[] x = new float[l * nFft];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] got = new float[l * k];
        new LaneFft(nFft).powerSpectra(x, got, 2);
        float[] mag = new float[l * k];
        new LaneFft(nFft).powerSpectra(x, mag, 1);
        for (int j = 0; j < l; j++) {
            double[] ref = new double[k];
            double max = 0;
            for (int b = 0; b < k; b++) {
                double re = 0;
                double im = 0;
                for (int n = 0; n < nFft; n++) {
                    double a = -2 * Math.PI * ((long) b * n % nFft) / nFft;
                    re += x[j * nFft + n] * Math.cos(a);
                    im += x[j * nFft + n] * Math.sin(a);
                }
                ref[b] = re * re + im * im;
                max = Math.max(max, ref[b]);
            }
            for (int b = 0; b < k; b++) {
                double err = Math.abs(got[j * k + b] - ref[b]);
                assertTrue(err <= 1e-5 * max, "N=" + nFft + " frame " + j + " bin " + b + ": " + got[j * k + b]
                        + " vs " + ref[b]);
                double em = Math.abs(mag[j * k + b] - Math.sqrt(ref[b]));
                assertTrue(em <= 1e-5 * Math.sqrt(max), "N=" + nFft + " magnitude bin " + b);
            }
        }
    }

    @Test
    void rejectsSizesItCannotDo() {
        for (int n : new int[] {4, 6, 1000}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new LaneFft(n));
        }
    }

    /** dB-mel of a stereo signal whose frame count is not a multiple of L: same bits at 1 and 2 threads. */
    @Test
    void dbMelBitsDoNotDependOnThreads() {
        int n = 22050 * 3 + 77;
        float[] audio = new float[2 * n];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (float) (0.3 * Math.sin(i * 0.01 * (1 + i / n)) + 0.05 * (r.nextDouble() - 0.5));
        }
        MelSpectrogram ms = new MelSpectrogram(MelConfig.paper());
        assertTrue(ms.frames(n) % LaneFft.L != 0, "test needs a partial last group");
        float[] one = new float[2 * ms.frames(n) * 128];
        float[] two = new float[one.length];
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            ms.dbMel(one, audio, 2, n);
            Parallel.setThreads(2);
            ms.dbMel(two, audio, 2, n);
        } finally {
            Parallel.setThreads(before);
        }
        assertArrayEquals(one, two);
    }
}
