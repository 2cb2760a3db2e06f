package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

/** Mel filterbanks against librosa.filters.mel (fixtures dsp_mel_filters, tol 1e-5 relative L2). */
class MelFilterbankTest {

    @Test
    void slaneyMatchesLibrosa() {
        MelFilterbank fb = MelFilterbank.paper();
        double[] ref = Fixtures.f64("dsp_mel_filters/mel_fb_slaney_f64.npy");
        Close.assertRelL2(ref, fb.dense(), 1e-5, "mel_fb_slaney (double)");
        assertTrue(Close.relL2(ref, fb.dense()) < 1e-12, "double construction should agree to rounding");
        float[] asUsed = new float[ref.length];   // the float weights the hot path multiplies with
        float[] e = new float[513];
        float[] col = new float[128];
        for (int k = 0; k < 513; k++) {
            e[k] = 1f;
            fb.apply(col, 0, e, 0);
            for (int m = 0; m < 128; m++) {
                asUsed[m * 513 + k] = col[m];
            }
            e[k] = 0f;
        }
        Close.assertRelL2(ref, asUsed, 1e-5, "mel_fb_slaney (float, via apply)");
        assertTrue(fb.nonZeros() < 1100, "sparse bank: " + fb.nonZeros() + " weights");
    }

    @Test
    void htkMatchesLibrosa() {
        MelFilterbank fb = new MelFilterbank(22050, 1024, 128, 0, 11025, MelFilterbank.Scale.HTK, true);
        Close.assertRelL2(Fixtures.f64("dsp_mel_filters/mel_fb_htk_f64.npy"), fb.dense(), 1e-5, "mel_fb_htk");
    }

    @Test
    void melScalesRoundTrip() {
        for (MelFilterbank.Scale s : MelFilterbank.Scale.values()) {
            for (double hz : new double[] {0, 440, 999.9, 1000, 5000, 11025}) {
                assertEquals(hz, MelFilterbank.melToHz(MelFilterbank.hzToMel(hz, s), s), 1e-9);
            }
        }
        assertEquals(15.0, MelFilterbank.hzToMel(1000, MelFilterbank.Scale.SLANEY), 1e-12);
    }
}
