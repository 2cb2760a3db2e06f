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
}
