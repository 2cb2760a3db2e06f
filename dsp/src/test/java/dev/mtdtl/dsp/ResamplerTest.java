package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Windowed-sinc resampler: soxr reference (independent-resampler tolerance), passband and stopband. */
class ResamplerTest {

    @Test
    void matchesSoxrWithinTheIndependentResamplerTolerance() throws IOException {
        Audio in = AudioDecoder.decode(Fixtures.dir().resolve("dsp_resample/audio44k.wav"));
        assertEquals(44100, in.sampleRate());
        Audio out = new Resampler(44100, 22050).resample(in);
        assertEquals(66150, out.frames());
        double[] ref = Fixtures.f64("dsp_resample/resampled_f64.npy");
        int n = 66150;
        int lo = 64;
        int hi = n - 64;
        double[] r = new double[2 * (hi - lo)];
        float[] g = new float[2 * (hi - lo)];
        for (int c = 0; c < 2; c++) {
            for (int i = lo; i < hi; i++) {
                r[c * (hi - lo) + i - lo] = ref[c * n + i];
                g[c * (hi - lo) + i - lo] = out.samples()[c * n + i];
            }
        }
        double e = Close.relL2(r, g);
        System.out.printf("resample 44.1k->22.05k vs soxr_hq: rel L2 interior %.3g (whole %.3g)%n", e,
                Close.relL2(ref, out.samples()));
        Close.assertRelL2(r, g, 0.01, "resampled [:, 64:-64] vs soxr_hq (tol_independent)");
    }

    private static float[] sine(int rate, int n, double hz, double amp) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate + 0.3));
        }
        return x;
    }

    /** RMS over the interior (edges, where the zero padding enters the filter, are dropped). */
    private static double rms(float[] y, int edge) {
        double s = 0;
        for (int i = edge; i < y.length - edge; i++) {
            s += (double) y[i] * y[i];
        }
        return Math.sqrt(s / (y.length - 2 * edge));
    }

    /** Least-squares amplitude of a sine of known frequency (sin and cos fitted, so any phase, any length). */
    private static double amplitude(float[] y, int edge, double hz, int rate) {
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
        for (int i = edge; i < y.length - edge; i++) {
            double s = Math.sin(2 * Math.PI * hz * i / rate);
            double c = Math.cos(2 * Math.PI * hz * i / rate);
            ss += s * s;
            cc += c * c;
            sc += s * c;
            ys += y[i] * s;
            yc += y[i] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det;
        double b = (yc * ss - ys * sc) / det;
        return Math.hypot(a, b);
    }

    /** Passband gain (fitted amplitude) or, above the output Nyquist, the level of whatever comes out. */
    private static double gainDb(int inRate, int outRate, double hz) {
        Resampler r = new Resampler(inRate, outRate);
        int n = inRate / 2;   // 0.5 s
        float[] x = sine(inRate, n, hz, 0.5);
        float[] y = new float[r.outputLength(n)];
        r.process(y, 0, x, 0, n);
        int edge = 2 * r.taps();
        double level = hz < outRate / 2.0 ? amplitude(y, edge, hz, outRate) / 0.5
                : rms(y, edge) / (0.5 / Math.sqrt(2));
        return 20 * Math.log10(level);
    }

    @Test
    void sinesBelowTenKilohertzKeepTheirAmplitude() {
        int[][] pairs = {{44100, 22050}, {48000, 22050}, {44056, 22050}, {22050, 44100}, {16000, 22050}};
        for (int[] p : pairs) {
            double top = Math.min(9900, 0.9 * Math.min(p[0], p[1]) / 2);
            for (double hz : new double[] {100, 1000, 5000, top}) {
                double g = gainDb(p[0], p[1], hz);
                assertEquals(0.0, g, 0.001, p[0] + " -> " + p[1] + " at " + hz + " Hz: " + g + " dB");
            }
        }
    }

    @Test
    void tonesAboveTheOutputNyquistAreSuppressed() {
        for (int in : new int[] {44100, 48000, 44056}) {
            for (double hz : new double[] {11025, 11500, 13000, 15000, 20000}) {
                double g = gainDb(in, 22050, hz);
                assertTrue(g < -90, in + " Hz input, tone " + hz + " Hz: " + g + " dB (want < -90)");
            }
        }
        Resampler r = new Resampler(44100, 22050);
        System.out.printf("HQ 44.1k->22.05k: passband %.0f Hz, stopband from %.0f Hz at %.0f dB, %d taps; "
                        + "gain at 9922 Hz %.4f dB, 11500 Hz %.1f dB%n", r.passbandHz(), r.stopbandHz(),
                r.attenuationDb(), r.taps(), gainDb(44100, 22050, 9922), gainDb(44100, 22050, 11500));
    }

    @Test
    void lengthsDcAndIdentity() {
        Resampler r = new Resampler(44100, 22050);
        assertEquals(66150, r.outputLength(132300));
        assertEquals(2, r.outputLength(3));   // ceil(3 / 2)
        assertEquals(147, new Resampler(48000, 22050).outputLength(320));
        float[] ones = new float[4000];
        Arrays.fill(ones, 1f);
        float[] y = new float[r.outputLength(4000)];
        r.process(y, 0, ones, 0, 4000);
        for (int i = r.taps(); i < y.length - r.taps(); i++) {
            assertEquals(1f, y[i], 2e-6f, "DC gain at " + i);
        }
        Audio a = new Audio(new float[] {1, 2, 3, 4}, 2, 2, 22050);
        assertTrue(Resampler.toRate(a, 22050) == a);
    }
}
