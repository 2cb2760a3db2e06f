package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

/** Mel and dB-mel against librosa (fixtures dsp_melspec, constant padding, tol 1e-5 relative L2). */
class MelSpectrogramTest {

    private static final int M = 128;

    private static double[] ref(String name) {
        return DspFixtureData.fromLibrosa(Fixtures.f64("dsp_melspec/" + name + "_f64.npy"), 2, M, DspFixtureData.T);
    }

    private static float[] compute(MelConfig cfg, boolean db) {
        MelSpectrogram ms = new MelSpectrogram(cfg);
        float[] out = new float[2 * DspFixtureData.T * M];
        if (db) {
            ms.dbMel(out, DspFixtureData.audio(), 2, DspFixtureData.N);
        } else {
            ms.mel(out, DspFixtureData.audio(), 2, DspFixtureData.N);
        }
        return out;
    }

    /** The fixtures' settings: librosa 0.11 defaults, i.e. constant padding, no top_db. */
    private static MelConfig fixtureConfig(int power) {
        return MelConfig.paper().withPadMode(Stft.PadMode.CONSTANT).withPower(power)
                .withTopDb(Double.POSITIVE_INFINITY);
    }

    @Test
    void powerMelMatchesLibrosa() {
        Close.assertRelL2(ref("mel_power2"), compute(fixtureConfig(2), false), 1e-5, "mel_power2");
    }

    @Test
    void magnitudeMelMatchesLibrosa() {
        Close.assertRelL2(ref("mel_power1"), compute(fixtureConfig(1), false), 1e-5, "mel_power1");
    }

    @Test
    void powerDbMatchesLibrosa() {
        Close.assertRelL2(ref("mel_power2_db"), compute(fixtureConfig(2), true), 1e-5, "mel_power2_db");
    }

    @Test
    void amplitudeDbMatchesLibrosa() {
        Close.assertRelL2(ref("mel_power1_db"), compute(fixtureConfig(1), true), 1e-5, "mel_power1_db");
    }

    @Test
    void topDbClipsOverTheWholeStereoFile() {
        // Reference: librosa's power_to_db(top_db=80) applied to the (2, M, T) stack at once.
        double[] r = ref("mel_power2_db");
        double mx = Double.NEGATIVE_INFINITY;
        for (double v : r) {
            mx = Math.max(mx, v);
        }
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.max(r[i], mx - 80.0);
        }
        float[] got = compute(fixtureConfig(2).withTopDb(80.0), true);
        Close.assertRelL2(r, got, 1e-5, "mel_power2_db, top_db 80 over both channels");
        float gmax = Float.NEGATIVE_INFINITY;
        float gmin = Float.POSITIVE_INFINITY;
        for (float v : got) {
            gmax = Math.max(gmax, v);
            gmin = Math.min(gmin, v);
        }
        assertEquals(80.0, gmax - gmin, 1e-3);
    }

    @Test
    void paperFrontEndIsDeterministicAcrossThreads() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = compute(MelConfig.paper(), true);
            Parallel.setThreads(4);
            float[] four = compute(MelConfig.paper(), true);
            Close.assertExact(one, four, "dB-mel 1 vs 4 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void shortSignalsAreReflectedLikeNumpy() {
        // n < nFft/2 + 1: numpy 'reflect' mirrors repeatedly; the frame must equal an explicit padding.
        for (int n : new int[] {1, 2, 100, 512, 513}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) Math.sin(0.3 * i + 0.1);
            }
            MelSpectrogram ms = new MelSpectrogram(MelConfig.paper());
            float[] out = new float[2 * ms.frames(n) * M];
            float[] stereo = new float[2 * n];
            System.arraycopy(x, 0, stereo, 0, n);
            System.arraycopy(x, 0, stereo, n, n);
            ms.dbMel(out, stereo, 2, n);
            assertEquals(1 + n / 256, ms.frames(n));
            for (float v : out) {
                assertEquals(false, Float.isNaN(v) || Float.isInfinite(v), "finite dB for n=" + n);
            }
            // Frame 0 by hand: padded[j] = x[reflect(j - 512)], windowed, |DFT|^2 at bin 3.
            double re = 0;
            double im = 0;
            for (int m = 0; m < 1024; m++) {
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * m / 1024);
                double v = w * x[Stft.reflect(m - 512, n)];
                re += v * Math.cos(2 * Math.PI * 3 * m / 1024);
                im -= v * Math.sin(2 * Math.PI * 3 * m / 1024);
            }
            Stft st = new Stft(1024, 256, Stft.PadMode.REFLECT);
            float[] buf = new float[1024];
            st.transformFrame(buf, x, 0, n, 0);
            float[] p = new float[513];
            Stft.power(p, 0, buf, 1024);
            assertEquals(re * re + im * im, p[3], 1e-4 * Math.max(1, re * re + im * im), "n=" + n);
        }
    }

    @Test
    void paperFrontEndWithReflectPaddingMatchesLibrosaReferences() {
        // Reflect padding only changes frames 0, 1, 257, 258. Interior frames must equal the constant-pad
        // fixture; the edge frames are rebuilt from the fixture's reflect STFT magnitudes and filterbank.
        float[] got = compute(MelConfig.paper().withTopDb(Double.POSITIVE_INFINITY), true);   // (2, T, M)
        double[] constant = ref("mel_power2_db");
        double[] fb = Fixtures.f64("dsp_mel_filters/mel_fb_slaney_f64.npy");                   // (M, K)
        double[] mag = Fixtures.f64("dsp_stft/stft_mag_reflect_edges_f64.npy");                // (2, K, 6)
        int[] idx = Fixtures.npy("dsp_stft/reflect_frame_index.npy").toInt();
        int t = DspFixtureData.T;
        double[] want = new double[2 * t * M];
        float[] have = new float[want.length];
        for (int c = 0; c < 2; c++) {
            for (int f = 0; f < t; f++) {
                int j = java.util.Arrays.binarySearch(idx, f);
                for (int m = 0; m < M; m++) {
                    int o = (c * t + f) * M + m;
                    have[o] = got[o];
                    if (f >= 2 && f <= t - 3) {
                        want[o] = constant[o];
                    } else {
                        double s = 0;
                        for (int k = 0; k < 513; k++) {
                            double x = mag[(c * 513 + k) * idx.length + j];
                            s += fb[m * 513 + k] * x * x;
                        }
                        want[o] = 10 * Math.log10(Math.max(s, 1e-10));
                    }
                }
            }
        }
        Close.assertRelL2(want, have, 1e-5, "paper dB-mel (reflect) vs librosa references");
    }
}
