package dev.mtdtl.dsp;

import dev.mtdtl.tensor.Parallel;
import org.jtransforms.fft.FloatFFT_1D;

/**
 * Short-time Fourier transform as librosa computes it with {@code center=True}: frame t is centred on
 * sample {@code t * hop}, i.e. covers samples {@code [t*hop - nFft/2, t*hop + nFft/2)} of the signal
 * padded by nFft/2 on both sides; T = 1 + floor(N / hop) frames; periodic Hann window
 * {@code w[m] = 0.5 - 0.5 cos(2 pi m / nFft)}; no normalisation. Letters: N samples, T frames,
 * K = nFft/2 + 1 frequency bins.
 *
 * <p>Padding: {@link PadMode#REFLECT} mirrors without repeating the edge sample (numpy 'reflect',
 * librosa &lt; 0.10 and the paper's code, decision 1 of the digest); {@link PadMode#CONSTANT} pads
 * with zeros (librosa 0.10+ default). Signals shorter than nFft/2 + 1 are reflected repeatedly, as
 * numpy does (period 2(N-1)).
 *
 * <p>FFT: JTransforms' real forward transform in place (packed output: a[0] = Re X0, a[1] = Re X_{n/2},
 * a[2k], a[2k+1] = Re, Im X_k). Its twiddle tables are read-only after construction and below 8192
 * points it runs on the calling thread, so one instance serves all threads.
 *
 * <p>Instances are immutable and thread-safe (callers own the frame buffers).
 *
 * <p>Omitted: complex output, win_length &lt; n_fft, other windows, the inverse transform.
 */
public final class Stft {

    /** How the signal is extended beyond its ends for centred frames. */
    public enum PadMode { REFLECT, CONSTANT }

    private final int nFft;
    private final int hop;
    private final PadMode pad;
    private final float[] window;   // (nFft)
    private final FloatFFT_1D fft;

    public Stft(int nFft, int hop, PadMode pad) {
        if (nFft < 2 || (nFft & 1) != 0 || hop < 1) {
            throw new IllegalArgumentException("nFft must be even and >= 2, hop >= 1: " + nFft + ", " + hop);
        }
        this.nFft = nFft;
        this.hop = hop;
        this.pad = pad;
        this.window = new float[nFft];
        for (int m = 0; m < nFft; m++) {
            window[m] = (float) (0.5 - 0.5 * StrictMath.cos(2 * Math.PI * m / nFft));
        }
        this.fft = new FloatFFT_1D(nFft);
    }

    public int nFft() {
        return nFft;
    }

    public int hop() {
        return hop;
    }

    public PadMode padMode() {
        return pad;
    }

    /** Number of frequency bins K = nFft/2 + 1. */
    public int bins() {
        return nFft / 2 + 1;
    }

    /** Number of frames for N samples: 1 + floor(N / hop). */
    public int frames(int n) {
        return 1 + n / hop;
    }

    /**
     * Windowed frame t of {@code x[off .. off+n)} transformed in place into {@code buf} (length nFft,
     * JTransforms' packed layout). buf: written, caller-owned scratch.
     */
    public void transformFrame(float[] buf, float[] x, int off, int n, int t) {
        int start = t * hop - nFft / 2;   // signal index of buf[0]
        if (start >= 0 && start + nFft <= n) {
            for (int m = 0; m < nFft; m++) {
                buf[m] = window[m] * x[off + start + m];
            }
        } else {
            for (int m = 0; m < nFft; m++) {
                int j = start + m;
                float v;
                if (j >= 0 && j < n) {
                    v = x[off + j];
                } else if (pad == PadMode.CONSTANT) {
                    v = 0f;
                } else {
                    v = x[off + reflect(j, n)];
                }
                buf[m] = window[m] * v;
            }
        }
        fft.realForward(buf);
    }

    /** |X_k|^2 for k in [0, K) from a packed transform. out: written at outOff. */
    public static void power(float[] out, int outOff, float[] buf, int nFft) {
        int half = nFft / 2;
        out[outOff] = buf[0] * buf[0];
        out[outOff + half] = buf[1] * buf[1];
        for (int k = 1; k < half; k++) {
            float re = buf[2 * k];
            float im = buf[2 * k + 1];
            out[outOff + k] = re * re + im * im;
        }
    }

    /**
     * Magnitude |X| (power 1) or power |X|^2 (power 2) of one channel, layout (T, K).
     * out: written, length >= frames(n) * bins(). x: read, samples {@code [off, off + n)}.
     */
    public void spectrogram(float[] out, float[] x, int off, int n, int power) {
        if (power != 1 && power != 2) {
            throw new IllegalArgumentException("power must be 1 or 2, got " + power);
        }
        int frames = frames(n);
        int k = bins();
        Parallel.forChunks(frames, 32, (chunk, from, to) -> {
            float[] buf = new float[nFft];
            for (int t = from; t < to; t++) {
                transformFrame(buf, x, off, n, t);
                power(out, t * k, buf, nFft);
                if (power == 1) {
                    for (int i = t * k; i < (t + 1) * k; i++) {
                        out[i] = (float) Math.sqrt(out[i]);
                    }
                }
            }
        });
    }

    /** numpy 'reflect' index for j outside [0, n): mirror about 0 and n-1, edges not repeated. */
    static int reflect(int j, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int r = Math.floorMod(j, period);
        return r < n ? r : period - r;
    }
}
