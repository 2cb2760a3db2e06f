package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

/** STFT magnitude against librosa (fixtures dsp_stft, manifest tol 1e-5 relative L2). */
class StftTest {

    private static final int K = 513;

    private static float[] magnitude(Stft.PadMode pad, float[] audio, int c) {
        Stft s = new Stft(1024, 256, pad);
        float[] out = new float[s.frames(DspFixtureData.N) * K];
        s.spectrogram(out, audio, c * DspFixtureData.N, DspFixtureData.N, 1);
        return out;
    }

    @Test
    void constantPadMatchesLibrosa() {
        float[] audio = DspFixtureData.audio();
        double[] ref = DspFixtureData.fromLibrosa(Fixtures.f64("dsp_stft/stft_mag_constant_f64.npy"), 2, K,
                DspFixtureData.T);
        float[] got = new float[2 * DspFixtureData.T * K];
        for (int c = 0; c < 2; c++) {
            System.arraycopy(magnitude(Stft.PadMode.CONSTANT, audio, c), 0, got, c * DspFixtureData.T * K,
                    DspFixtureData.T * K);
        }
        assertEquals(259, new Stft(1024, 256, Stft.PadMode.CONSTANT).frames(DspFixtureData.N));
        Close.assertRelL2(ref, got, 1e-5, "stft_mag_constant");
    }

    @Test
    void reflectPadEdgeFramesMatchLibrosa() {
        float[] audio = DspFixtureData.audio();
        int[] idx = Fixtures.npy("dsp_stft/reflect_frame_index.npy").toInt();
        assertArrayEquals(new int[] {0, 1, 2, 256, 257, 258}, idx);
        double[] ref = DspFixtureData.fromLibrosa(Fixtures.f64("dsp_stft/stft_mag_reflect_edges_f64.npy"), 2, K,
                idx.length);
        float[] got = new float[2 * idx.length * K];
        for (int c = 0; c < 2; c++) {
            float[] full = magnitude(Stft.PadMode.REFLECT, audio, c);
            for (int j = 0; j < idx.length; j++) {
                System.arraycopy(full, idx[j] * K, got, (c * idx.length + j) * K, K);
            }
        }
        Close.assertRelL2(ref, got, 1e-5, "stft_mag_reflect_edges");
    }

    @Test
    void reflectIndexIsNumpyReflect() {
        // np.pad(np.arange(4), 7, mode="reflect") = [1 0 1 2 3 2 1 | 0 1 2 3 | 2 1 0 1 2 3 2]
        int[] expect = {1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2};
        for (int j = -7; j < 11; j++) {
            assertEquals(expect[j + 7], Stft.reflect(j, 4), "j=" + j);
        }
        assertEquals(0, Stft.reflect(-5, 1));
    }

    @Test
    void resultIndependentOfThreadCount() {
        float[] audio = DspFixtureData.audio();
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = magnitude(Stft.PadMode.REFLECT, audio, 1);
            Parallel.setThreads(3);
            float[] three = magnitude(Stft.PadMode.REFLECT, audio, 1);
            Close.assertExact(one, three, "1 vs 3 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }
}
