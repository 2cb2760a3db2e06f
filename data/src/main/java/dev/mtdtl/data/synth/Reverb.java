package dev.mtdtl.data.synth;

/**
 * A small Schroeder reverb (four parallel feedback combs, two series all-passes per channel; Freeverb's
 * delay lengths scaled to the sample rate, the right channel offset by 23 samples for decorrelation),
 * mixed in place. Gervill's own reverb is switched off because its state survives between notes and
 * clips; this one starts from silence on every track, so rendering stays deterministic.
 *
 * <p>Reference: J. O. Smith, "Physical Audio Signal Processing", Schroeder reverberators.
 * Omitted: damping filters in the combs, early reflections, modulation.
 */
final class Reverb {

    private static final int[] COMBS = {1116, 1188, 1277, 1356};   // Freeverb, at 44.1 kHz
    private static final int[] ALLPASS = {556, 441};

    private Reverb() {}

    /** x: planar stereo (2, n), read and written; mix in [0, 1] is the wet share. */
    static void apply(float[] x, int n, int rate, double mix) {
        double scale = rate / 44100.0;
        float[] wet = new float[n];
        for (int c = 0; c < 2; c++) {
            java.util.Arrays.fill(wet, 0f);
            int off = c * n;
            for (int d0 : COMBS) {
                int d = (int) Math.round(d0 * scale) + 23 * c;
                float[] buf = new float[d];
                int p = 0;
                for (int i = 0; i < n; i++) {
                    float y = buf[p];
                    buf[p] = x[off + i] * 0.25f + 0.84f * y;
                    wet[i] += y;
                    p = p + 1 == d ? 0 : p + 1;
                }
            }
            for (int d0 : ALLPASS) {
                int d = (int) Math.round(d0 * scale) + 23 * c;
                float[] buf = new float[d];
                int p = 0;
                for (int i = 0; i < n; i++) {
                    float b = buf[p];
                    float in = wet[i];
                    buf[p] = in + 0.5f * b;
                    wet[i] = b - in;
                    p = p + 1 == d ? 0 : p + 1;
                }
            }
            float dry = (float) (1 - mix);
            float w = (float) mix;
            for (int i = 0; i < n; i++) {
                x[off + i] = dry * x[off + i] + w * wet[i];
            }
        }
    }
}
