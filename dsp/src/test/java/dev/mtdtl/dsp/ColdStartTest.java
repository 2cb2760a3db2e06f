package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.ColdStart;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The front end's scalar twins ({@link ColdStart}) give the bits of its Vector API kernels: the FFT and |X|^power
 * ({@link LaneFft}), the whole dB-mel ({@link MelSpectrogram}, which also covers the scalar gather and mel bank of
 * {@link LaneMel} and the dB of {@link Db}), the dB of single values, and the resampler on every path it has (one
 * phase, several phases, interpolated phases, windows at the signal's ends, the streamed range). Each is computed
 * with every unit forced scalar and with every unit forced vector, and compared bit for bit.
 */
class ColdStartTest {

    @AfterEach
    void follow() {
        ColdStart.force(null);
    }

    /** The value computed scalar and vector ({@code f} must compute afresh on every call). */
    private static <T> T[] both(Supplier<T> f, T[] into) {
        ColdStart.force(true);
        into[0] = f.get();
        ColdStart.force(false);
        into[1] = f.get();
        ColdStart.force(null);
        return into;
    }

    private static void assertSameBits(String what, float[] scalar, float[] vector) {
        assertEquals(vector.length, scalar.length, what + ": lengths");
        for (int i = 0; i < vector.length; i++) {
            if (Float.floatToRawIntBits(scalar[i]) != Float.floatToRawIntBits(vector[i])) {
                throw new AssertionError(what + ": element " + i + " scalar " + scalar[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(scalar[i])) + ") vector " + vector[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(vector[i])) + ")");
            }
        }
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (scale * r.nextGaussian());
        }
        return x;
    }

    @Test
    void fftAndPowerGiveTheVectorBits() {
        Random r = new Random(11);
        for (int nFft = 8; nFft <= 4096; nFft *= 2) {   // log2(N/2) odd and even: with and without the radix-2 pass
            LaneFft f = new LaneFft(nFft);
            int h = nFft / 2;
            for (int power = 1; power <= 2; power++) {
                float[] re = gaussian(r, h * LaneFft.L, 1.0);
                float[] im = gaussian(r, h * LaneFft.L, 1.0);
                re[0] = 0f;
                im[1] = 1e30f;     // a lane far from the others, one of tiny values
                re[2] = 1e-30f;
                float[] re2 = re.clone();
                float[] im2 = im.clone();
                float[] pw = new float[(h + 1) * LaneFft.L];
                float[] pw2 = new float[pw.length];
                f.transform(re, im);
                f.power(pw, re, im, power);
                f.transformScalar(re2, im2);
                f.powerScalar(pw2, re2, im2, power);
                assertSameBits("FFT re, N = " + nFft, re2, re);
                assertSameBits("FFT im, N = " + nFft, im2, im);
                assertSameBits("|X|^" + power + ", N = " + nFft, pw2, pw);
            }
        }
    }

    @Test
    void dbMelGivesTheVectorBits() {
        Random r = new Random(12);
        MelConfig paper = MelConfig.paper();
        MelConfig[] configs = {paper, paper.withPadMode(Stft.PadMode.CONSTANT),
                new MelConfig(16000, 512, 160, 40, 0.0, 8000.0, Stft.PadMode.REFLECT, MelFilterbank.Scale.HTK, false,
                        1, 1e-5, Double.POSITIVE_INFINITY)};
        // lengths: shorter than a frame, one group of frames and a partial one, a few seconds
        int[] lengths = {700, 1500, 16 * 256 + 1024, 5 * 256 + 77, 3 * 22050 + 13};
        for (MelConfig cfg : configs) {
            MelSpectrogram ms = new MelSpectrogram(cfg);
            for (int n : lengths) {
                for (int ch = 1; ch <= 2; ch++) {
                    int channels = ch;
                    float[] audio = gaussian(r, channels * n, 0.1);
                    audio[n / 2] = 0.99f;
                    float[][] out = both(() -> {
                        float[] o = new float[channels * ms.frames(n) * cfg.nMels()];
                        ms.dbMel(o, audio, channels, n);
                        return o;
                    }, new float[2][]);
                    assertSameBits("dB-mel " + cfg + ", n = " + n + ", " + channels + " ch", out[0], out[1]);
                    float[][] lin = both(() -> {
                        float[] o = new float[channels * ms.frames(n) * cfg.nMels()];
                        ms.mel(o, audio, channels, n);
                        return o;
                    }, new float[2][]);
                    assertSameBits("mel " + cfg + ", n = " + n, lin[0], lin[1]);
                }
            }
        }
        float[] silence = new float[4096];   // every mel value at amin
        MelSpectrogram ms = new MelSpectrogram(paper);
        float[][] out = both(() -> {
            float[] o = new float[ms.frames(silence.length) * paper.nMels()];
            ms.dbMel(o, silence, 1, silence.length);
            return o;
        }, new float[2][]);
        assertSameBits("dB-mel of silence", out[0], out[1]);
    }

    @Test
    void dbOfOneValueGivesTheLaneBits() {
        Random r = new Random(13);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 8) {
                case 0 -> Float.intBitsToFloat(r.nextInt() & 0x7FFFFFFF);   // any positive bit pattern, NaN aside
                case 1 -> (float) Math.abs(r.nextGaussian()) * 1e-10f;
                case 2 -> (float) Math.exp(40 * r.nextGaussian());
                case 3 -> 1.41421f + 1e-6f * i;   // around sqrt 2, where the mantissa is halved
                case 4 -> -r.nextFloat();
                case 5 -> i % 16 == 5 ? 0f : Float.MIN_VALUE;
                case 6 -> i % 16 == 6 ? Float.POSITIVE_INFINITY : Float.MAX_VALUE;
                default -> r.nextFloat();
            };
        }
        for (float factor : new float[] {10f, 20f}) {
            for (float amin : new float[] {1e-10f, 1e-5f}) {
                float[][] out = both(() -> {
                    float[] y = x.clone();
                    Db.toDbLanes(y, 0, y.length - 3, factor, amin);   // a tail shorter than a vector too
                    return y;
                }, new float[2][]);
                assertSameBits("dB, factor " + factor + ", amin " + amin, out[0], out[1]);
            }
        }
    }

    @Test
    void resamplerGivesTheVectorBitsOnEveryPath() {
        Random r = new Random(14);
        // 44.1 -> 22.05 kHz: one phase for four outputs (dot4OnePhase); 48 -> 22.05: several phases (dot4);
        // 44056 -> 22050: more than 1024 phases, interpolated; 8 -> 22.05: upsampling
        int[][] pairs = {{44100, 22050}, {48000, 22050}, {44056, 22050}, {8000, 22050}};
        for (int[] p : pairs) {
            Resampler rs = new Resampler(p[0], p[1]);
            for (int n : new int[] {1, 37, rs.taps() + 5, 3 * rs.taps() + 11, 20000, 70001}) {
                float[] in = gaussian(r, n + 9, 0.3);
                int m = rs.outputLength(n);
                float[][] out = both(() -> {
                    float[] o = new float[m + 3];
                    rs.process(o, 2, in, 9, n);
                    return o;
                }, new float[2][]);
                assertSameBits(p[0] + " -> " + p[1] + ", n = " + n, out[0], out[1]);
                if (m > 40) {   // a streamed range in the middle, from a window of the signal
                    long o0 = m / 3, o1 = m - 7;
                    long lo = Math.max(0, rs.inputFrom(o0));
                    float[][] part = both(() -> {
                        float[] o = new float[(int) (o1 - o0)];
                        rs.processRange(o, 0, in, 9 + (int) lo, n, o0, o1);
                        return o;
                    }, new float[2][]);
                    assertSameBits(p[0] + " -> " + p[1] + ", range of n = " + n, part[0], part[1]);
                    float[] whole = out[1];
                    for (long k = o0; k < o1; k++) {   // and the range is the whole call's outputs
                        assertEquals(Float.floatToRawIntBits(whole[(int) (2 + k)]),
                                Float.floatToRawIntBits(part[0][(int) (k - o0)]), "range output " + k);
                    }
                }
            }
        }
    }

    /** At every lane count (the scratch's length picks the form: locals at 16 and 8, the array otherwise). */
    @Test
    void dotInScalarSumsTheLanesInTheVectorTree() {
        Random r = new Random(15);
        for (int vl : new int[]{LaneFft.L, 2, 4, 8, 16, 32}) {
            dotInScalarSumsTheLanesInTheVectorTree(r, vl);
        }
    }

    private static void dotInScalarSumsTheLanesInTheVectorTree(Random r, int vl) {
        float[] lanes = new float[vl];
        for (int k = vl; k <= 16 * vl; k += vl) {
            float[] h = gaussian(r, k, 1.0);
            float[] x = gaussian(r, k, 1e3);
            // the vector tree written out: every lane's sum with the lane at distance vl/2, then vl/4, ..., 1; lane 0
            float[] acc = new float[vl];
            for (int j = 0; j < k; j += vl) {
                for (int l = 0; l < vl; l++) {
                    acc[l] = Math.fma(h[j + l], x[j + l], acc[l]);
                }
            }
            for (int d = vl / 2; d >= 1; d /= 2) {
                float[] next = new float[vl];
                for (int l = 0; l < vl; l++) {
                    next[l] = acc[l] + acc[l ^ d];
                }
                acc = next;
            }
            assertEquals(Float.floatToRawIntBits(acc[0]),
                    Float.floatToRawIntBits(Resampler.dotScalar(h, 0, x, 0, k, lanes)), vl + " lanes, k = " + k);
        }
    }
}
