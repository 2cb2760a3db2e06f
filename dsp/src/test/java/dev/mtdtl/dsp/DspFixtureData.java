package dev.mtdtl.dsp;

import dev.mtdtl.tensor.test.Fixtures;

/** Shared access to the dsp_* fixtures and the layout change between librosa and the CNN. */
final class DspFixtureData {

    static final int N = 66150;
    static final int T = 259;

    private DspFixtureData() {}

    /** The decoded test audio, planar (2, 66150), float32 = int16 / 32768. */
    static float[] audio() {
        return Fixtures.f32("dsp_audio/audio.npy");
    }

    /** (C, T, F) from librosa's (C, F, T). */
    static double[] fromLibrosa(double[] ref, int c, int f, int t) {
        double[] out = new double[ref.length];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < f; i++) {
                for (int j = 0; j < t; j++) {
                    out[(ch * t + j) * f + i] = ref[(ch * f + i) * t + j];
                }
            }
        }
        return out;
    }
}
