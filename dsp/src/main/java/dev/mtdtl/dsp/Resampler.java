package dev.mtdtl.dsp;

import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

/**
 * Band-limited resampling by a Kaiser-windowed sinc, polyphase: any integer rate pair (e.g. 44100 or
 * 48000 to 22050). Letters: N input samples, L/M = outRate/inRate in lowest terms, K taps per output.
 *
 * <p>Output sample n sits at input time tau = n M / L (sample 0 on sample 0, no delay, as soxr and
 * librosa). With i0 = floor(tau) and phase frac = tau - i0 it is
 * {@code y[n] = sum_{j<K} h(j - K/2 + 1 - frac) x[i0 - K/2 + 1 + j]}, x = 0 outside the signal, where
 * {@code h(t) = 2 fc sinc(2 fc t) kaiser(t / (K/2))} in input samples. The L phases are tabulated once
 * (at most 1024: for a larger L the table has 1024 phases and the taps are linearly interpolated
 * between neighbours, an error of order (1/1024)^2 of the tap curvature) and each phase is scaled to sum 1
 * (exact DC gain). Output length ceil(N L / M) (librosa fix=True).
 *
 * <p>Design (Kaiser's formulas): with Nyq = min(inRate, outRate)/2, passband edge fp = passband Nyq,
 * stopband edge Nyq, cutoff fc = (fp + Nyq)/2, transition df = Nyq - fp; beta = 0.1102 (A - 8.7);
 * K = ceil((A - 7.95) / (2.285 * 2 pi df / inRate)) + 1 rounded up to even. Because the stopband begins
 * at the output Nyquist, every alias lands at least A dB down, and the band [fp, Nyq] is attenuated
 * (not aliased). Default {@link Quality#HQ}: fp = 0.9 Nyq (9922 Hz at 22050), A = 100 dB,
 * 258 taps for 44.1 kHz to 22.05 kHz, i.e. 258 multiply-adds per output sample and channel.
 *
 * <p>The dot products use the Vector API; the result depends on the vector width of the machine but
 * not on the thread count (outputs are split in fixed chunks, each written by one thread).
 *
 * <p>Instances are immutable and thread-safe: build one per rate pair and reuse it.
 *
 * <p>Omitted: streaming across calls (a whole signal per call), non-integer rates.
 */
public final class Resampler {

    /** Filter presets: passband edge as a fraction of the lower Nyquist, and stopband attenuation (dB). */
    public enum Quality {
        FAST(0.80, 80), HQ(0.90, 100), VHQ(0.95, 120);

        final double passband;
        final double attenuationDb;

        Quality(double passband, double attenuationDb) {
            this.passband = passband;
            this.attenuationDb = attenuationDb;
        }
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    private static final int MAX_PHASES = 1024;
    private static final int GRAIN = 8192;   // outputs per parallel chunk
    private static final java.util.concurrent.ConcurrentHashMap<Long, Resampler> HQ_CACHE =
            new java.util.concurrent.ConcurrentHashMap<>();   // see toRate

    private final int inRate;
    private final int outRate;
    private final long up;       // L
    private final long down;     // M
    private final int taps;      // K, a multiple of the vector length (zero taps appended)
    private final int half;      // K/2 before padding: the taps start at i0 - half + 1
    private final int phases;    // P rows in the table (+1 for frac = 1 when interpolating)
    private final boolean exact; // P == L: no interpolation
    private final float[] table; // (P + 1, K)
    private final double passbandHz;
    private final double stopbandHz;
    private final double attenuationDb;

    public Resampler(int inRate, int outRate) {
        this(inRate, outRate, Quality.HQ);
    }

    public Resampler(int inRate, int outRate, Quality q) {
        this(inRate, outRate, q.passband, q.attenuationDb);
    }

    /**
     * @param passband      passband edge as a fraction of min(inRate, outRate)/2, in (0, 1).
     * @param attenuationDb stopband attenuation in dB (> 21).
     */
    public Resampler(int inRate, int outRate, double passband, double attenuationDb) {
        if (inRate <= 0 || outRate <= 0 || !(passband > 0 && passband < 1) || !(attenuationDb > 21)) {
            throw new IllegalArgumentException("bad resampler: " + inRate + " -> " + outRate + ", passband "
                    + passband + ", attenuation " + attenuationDb);
        }
        this.inRate = inRate;
        this.outRate = outRate;
        long g = gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;
        double nyq = Math.min(inRate, outRate) / 2.0;
        this.passbandHz = passband * nyq;
        this.stopbandHz = nyq;
        this.attenuationDb = attenuationDb;
        double fc = (passbandHz + nyq) / 2 / inRate;            // cycles per input sample
        double dw = 2 * Math.PI * (nyq - passbandHz) / inRate;  // transition, radians per input sample
        double beta = attenuationDb > 50 ? 0.1102 * (attenuationDb - 8.7)
                : 0.5842 * StrictMath.pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21);
        int k = (int) Math.ceil((attenuationDb - 7.95) / (2.285 * dw)) + 1;
        k += k & 1;
        this.half = k / 2;
        this.taps = (k + S.length() - 1) / S.length() * S.length();
        this.exact = up <= MAX_PHASES;
        this.phases = exact ? (int) up : MAX_PHASES;
        this.table = new float[(phases + 1) * taps];
        double i0b = besselI0(beta);
        for (int p = 0; p <= phases; p++) {
            double frac = (double) p / phases;
            double[] row = new double[k];
            double sum = 0;
            for (int j = 0; j < k; j++) {
                double t = j - half + 1 - frac;   // distance (input samples) from tau to the tap's sample
                double u = t / half;
                double win = Math.abs(u) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - u * u)) / i0b;
                double x = 2 * fc * t;
                double sinc = x == 0 ? 1 : StrictMath.sin(Math.PI * x) / (Math.PI * x);
                row[j] = 2 * fc * sinc * win;
                sum += row[j];
            }
            for (int j = 0; j < k; j++) {
                table[p * taps + j] = (float) (row[j] / sum);
            }
        }
    }

    /** Output length for N input samples: ceil(N L / M). */
    public int outputLength(int n) {
        return (int) ((n * up + down - 1) / down);
    }

    /** Multiply-adds per output sample and channel (the filter length K, vector padding included). */
    public int taps() {
        return taps;
    }

    public double passbandHz() {
        return passbandHz;
    }

    public double stopbandHz() {
        return stopbandHz;
    }

    public double attenuationDb() {
        return attenuationDb;
    }

    /**
     * Resample one channel. out: written, outputLength(n) values at outOff. in: read, n values at inOff.
     */
    public void process(float[] out, int outOff, float[] in, int inOff, int n) {
        // The signal is read in place; only an output whose window reaches past either end gets a copy of that
        // window with zeros outside the signal (win): the values a zero-padded copy of the whole signal gave it, which
        // a 30 s stereo 44.1 kHz clip paid 10.6 MB and a pass for.
        int outLen = outputLength(n);
        // Output i's window starts at floor(i M / L) - half + 1: inside the signal for all of four outputs from i when
        // i M >= (half - 1) L and floor((i + 3) M / L) + taps - half + 1 <= n, i.e. (i + 3) M < (n - taps + half) L
        // (no divisions in the test)
        long lowest = (long) (half - 1) * up;
        long beyond = (long) (n - taps + half) * up;
        Parallel.forChunks(outLen, GRAIN, (c, from, to) -> {
            float[] interp = exact ? null : new float[taps];
            float[] win = new float[taps];
            float[] lanes = COLD.scalar(to - from) ? new float[VL] : null;   // the scalar twin's lanes (ColdStart)
            int i = from;
            while (i < to) {
                if (exact && lanes == null && i + 4 <= to) {   // four outputs at a time (dot4): dot's arithmetic
                    long num = i * down;
                    if (num >= lowest && num + 3 * down < beyond) {   // all four windows inside the signal
                        dot4(out, outOff + i, in, inOff - half + 1, num);
                        i += 4;
                        continue;
                    }
                }
                long num = i * down;                 // tau = num / L
                int i0 = (int) (num / up);
                long rem = num - i0 * up;            // frac = rem / L
                int start = i0 - half + 1;           // the window's first signal index
                float[] h;
                int hOff;
                if (exact) {
                    h = table;
                    hOff = (int) rem * taps;
                } else {
                    double pos = (double) rem * phases / up;
                    int p = (int) pos;
                    float w = (float) (pos - p);
                    for (int j = 0; j < taps; j++) {
                        interp[j] = table[p * taps + j] + w * (table[(p + 1) * taps + j] - table[p * taps + j]);
                    }
                    h = interp;
                    hOff = 0;
                }
                if (start >= 0 && start + taps <= n) {
                    out[outOff + i] = dot(h, hOff, in, inOff + start, taps, lanes);
                } else {
                    for (int j = 0; j < taps; j++) {
                        int k = start + j;
                        win[j] = k >= 0 && k < n ? in[inOff + k] : 0f;
                    }
                    out[outOff + i] = dot(h, hOff, win, 0, taps, lanes);
                }
                i++;
            }
        });
    }

    /** The shortest input whose {@link #outputLength} is at least {@code outputs}: ceil(NL/M) >= o iff NL > (o-1) M. */
    public long inputLength(long outputs) {
        return outputs <= 0 ? 0 : (outputs - 1) * down / up + 1;
    }

    /** First input sample that outputs from {@code o0} on read (may be negative: zeros before the signal). */
    public long inputFrom(long o0) {
        return o0 * down / up - half + 1;
    }

    /** One past the last input sample that outputs before {@code o1} read (may pass the signal's end). */
    public long inputTo(long o1) {
        return (o1 - 1) * down / up - half + 1 + taps;
    }

    /**
     * Outputs [o0, o1) of {@link #process} on a signal of {@code n} samples, of which only the window
     * {@code seg[segOff ..]} = signal[lo, hi) is given, lo = max(0, inputFrom(o0)), hi = min(n, inputTo(o1)): the
     * same taps over the same values in the same order, so the same bits as the whole-signal call (streaming a
     * long file window by window). out: written, o1 - o0 values at outOff.
     */
    public void processRange(float[] out, int outOff, float[] seg, int segOff, long n, long o0, long o1) {
        long base = inputFrom(o0);
        long lo = Math.max(0, base);
        long hi = Math.min(n, inputTo(o1));
        float[] x = new float[(int) (inputTo(o1) - base)];   // signal[base, inputTo(o1)), zeros outside [0, n)
        if (hi > lo) {
            System.arraycopy(seg, segOff, x, (int) (lo - base), (int) (hi - lo));
        }
        Parallel.forChunks((int) (o1 - o0), GRAIN, (c, from, to) -> {
            float[] interp = exact ? null : new float[taps];
            float[] lanes = COLD.scalar(to - from) ? new float[VL] : null;   // the scalar twin's lanes (ColdStart)
            int k = from;
            if (exact && lanes == null) {   // four outputs at a time, as process
                for (; k + 4 <= to; k += 4) {
                    dot4(out, outOff + k, x, -half + 1 - base, (o0 + k) * down);
                }
            }
            for (; k < to; k++) {
                long i = o0 + k;
                long num = i * down;
                long i0 = num / up;
                long rem = num - i0 * up;
                int start = (int) (i0 - half + 1 - base);
                float[] h;
                int hOff;
                if (exact) {
                    h = table;
                    hOff = (int) rem * taps;
                } else {
                    double pos = (double) rem * phases / up;
                    int p = (int) pos;
                    float w = (float) (pos - p);
                    for (int j = 0; j < taps; j++) {
                        interp[j] = table[p * taps + j] + w * (table[(p + 1) * taps + j] - table[p * taps + j]);
                    }
                    h = interp;
                    hOff = 0;
                }
                out[outOff + k] = dot(h, hOff, x, start, taps, lanes);
            }
        });
    }

    /** The HQ resampler for a rate pair (cached, as {@link #toRate} uses). */
    public static Resampler hq(int inRate, int outRate) {
        long key = (long) inRate << 32 | outRate;
        Resampler r = HQ_CACHE.get(key);
        if (r == null) {
            r = new Resampler(inRate, outRate);
            if (HQ_CACHE.size() < 64) {
                HQ_CACHE.putIfAbsent(key, r);
            }
        }
        return r;
    }

    /** Resample every channel of {@code a} (a itself if the rates already agree). */
    public Audio resample(Audio a) {
        if (a.sampleRate() != inRate) {
            throw new IllegalArgumentException("audio at " + a.sampleRate() + " Hz, resampler built for " + inRate);
        }
        if (inRate == outRate) {
            return a;
        }
        int n = a.frames();
        int m = outputLength(n);
        float[] out = new float[a.channels() * m];
        for (int c = 0; c < a.channels(); c++) {
            process(out, c * m, a.samples(), c * n, n);
        }
        return new Audio(out, a.channels(), m, outRate);
    }

    /**
     * Decoded audio at {@code rate}: unchanged if it is already there, else resampled with HQ settings.
     * The HQ resamplers are cached per rate pair (they are immutable; building the table of a pair with
     * many phases, e.g. 44056 to 22050 Hz, costs tens of milliseconds, which a batch would pay per file).
     */
    public static Audio toRate(Audio a, int rate) {
        if (a.sampleRate() == rate) {
            return a;
        }
        long key = (long) a.sampleRate() << 32 | rate;
        Resampler r = HQ_CACHE.get(key);
        if (r == null) {
            r = new Resampler(a.sampleRate(), rate);
            if (HQ_CACHE.size() < 64) {
                HQ_CACHE.putIfAbsent(key, r);
            }
        }
        return r.resample(a);
    }


    /**
     * Outputs o .. o+3 of the exact (tabulated-phase) path, the first at tau = num / L: output q's phase and window
     * start i_q come from num + q M, its window is x[shift + i_q ..], and it is dot(table, phase_q K, x, shift + i_q,
     * K), computed in four independent chains. One output's 16-lane accumulator is a chain of K/L dependent FMAs;
     * side by side, four outputs' chains overlap (0.80x the time of one output after the other, hot; each FMA still
     * needs two loads, one unaligned, which bounds the loop; bench/RESULTS.md, session 41). Each output sees the same
     * FMAs on the same values in the same order and the same lane reduction as {@link #dot}, so the same bits.
     */
    private void dot4(float[] out, int o, float[] x, long shift, long num) {
        int k = taps;
        long i0 = num / up, i1 = (num + down) / up, i2 = (num + 2 * down) / up, i3 = (num + 3 * down) / up;
        int h0 = (int) (num - i0 * up) * k, h1 = (int) (num + down - i1 * up) * k;
        int h2 = (int) (num + 2 * down - i2 * up) * k, h3 = (int) (num + 3 * down - i3 * up) * k;
        int x0 = (int) (shift + i0), x1 = (int) (shift + i1), x2 = (int) (shift + i2), x3 = (int) (shift + i3);
        if (h0 == h1 && h1 == h2 && h2 == h3) {   // one phase for all four (an integer ratio: 44.1 to 22.05 kHz)
            dot4OnePhase(out, o, x, k, h0, x0, x1, x2, x3);
            return;
        }
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        for (int j = 0; j < k; j += S.length()) {
            a0 = FloatVector.fromArray(S, table, h0 + j).fma(FloatVector.fromArray(S, x, x0 + j), a0);
            a1 = FloatVector.fromArray(S, table, h1 + j).fma(FloatVector.fromArray(S, x, x1 + j), a1);
            a2 = FloatVector.fromArray(S, table, h2 + j).fma(FloatVector.fromArray(S, x, x2 + j), a2);
            a3 = FloatVector.fromArray(S, table, h3 + j).fma(FloatVector.fromArray(S, x, x3 + j), a3);
        }
        sumLanes(out, o, a0, a1, a2, a3);
    }

    /**
     * {@link #dot4} when the four outputs share their taps: each tap vector is loaded once for the four chains (five
     * loads per four FMAs instead of eight, the loop's bound). The same values in the same order: the same bits.
     */
    private void dot4OnePhase(float[] out, int o, float[] x, int k, int h, int x0, int x1, int x2, int x3) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        for (int j = 0; j < k; j += S.length()) {
            FloatVector t = FloatVector.fromArray(S, table, h + j);
            a0 = t.fma(FloatVector.fromArray(S, x, x0 + j), a0);
            a1 = t.fma(FloatVector.fromArray(S, x, x1 + j), a1);
            a2 = t.fma(FloatVector.fromArray(S, x, x2 + j), a2);
            a3 = t.fma(FloatVector.fromArray(S, x, x3 + j), a3);
        }
        sumLanes(out, o, a0, a1, a2, a3);
    }

    /**
     * Output samples a JVM computes with {@link #dotScalar} first ({@link ColdStart}): 1,441,792, about 32 s of
     * stereo audio at 22,050 Hz (a 30 s preview is 1,323,000; counted per parallel chunk of {@link #GRAIN} outputs).
     */
    private static final ColdStart COLD = new ColdStart(176 * GRAIN);

    /** {@link #dot}, or {@link #dotScalar} in {@code lanes} (a scratch of VL floats) when that is not null. */
    private static float dot(float[] h, int hOff, float[] x, int xOff, int k, float[] lanes) {
        return lanes == null ? dot(h, hOff, x, xOff, k) : dotScalar(h, hOff, x, xOff, k, lanes);
    }

    /**
     * {@link #dot} in scalar code: lane l's chain of FMAs over taps j + l in the same order, then the lanes summed in
     * {@link #sumLanes}' tree (lane l meets lane l ^ d for d = VL/2 .. 1; float addition commutes, so both lanes of a
     * pair take the same sum and the pairs can be updated in place), so the same bits. lanes: scratch of as many
     * floats as the vectors have lanes. At 16 and 8 lanes the lanes are local variables ({@link #dotScalar16},
     * {@link #dotScalar8}): C2 keeps them in registers, where the array's lanes are a load and a store around every
     * FMA; 2.3-3x faster compiled (1.32 M outputs of 272 taps, a 30 s stereo clip: 133-142 against 323-437 ms), and
     * the resampler's twin was the largest share of a one-file run's CPU (bench/RESULTS.md, session 53).
     */
    static float dotScalar(float[] h, int hOff, float[] x, int xOff, int k, float[] lanes) {
        if (lanes.length == 16) {
            return dotScalar16(h, hOff, x, xOff, k);
        }
        if (lanes.length == 8) {
            return dotScalar8(h, hOff, x, xOff, k);
        }
        int vl = lanes.length;
        java.util.Arrays.fill(lanes, 0f);
        for (int j = 0; j < k; j += vl) {
            for (int l = 0; l < vl; l++) {
                lanes[l] = Math.fma(h[hOff + j + l], x[xOff + j + l], lanes[l]);
            }
        }
        for (int d = vl / 2; d >= 1; d /= 2) {
            for (int l = 0; l < vl; l++) {
                if ((l & d) == 0) {
                    float t = lanes[l] + lanes[l | d];
                    lanes[l] = t;
                    lanes[l | d] = t;
                }
            }
        }
        return lanes[0];
    }

    /** {@link #dotScalar} at 16 lanes: lane l in a_l, the tree ((a0 + a8) + (a4 + a12)) + ((a2 + a10) + ...) ... */
    private static float dotScalar16(float[] h, int o, float[] x, int p, int k) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        float a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0;
        for (int j = 0; j < k; j += 16) {
            int q = o + j, r = p + j;
            a0 = Math.fma(h[q], x[r], a0);
            a1 = Math.fma(h[q + 1], x[r + 1], a1);
            a2 = Math.fma(h[q + 2], x[r + 2], a2);
            a3 = Math.fma(h[q + 3], x[r + 3], a3);
            a4 = Math.fma(h[q + 4], x[r + 4], a4);
            a5 = Math.fma(h[q + 5], x[r + 5], a5);
            a6 = Math.fma(h[q + 6], x[r + 6], a6);
            a7 = Math.fma(h[q + 7], x[r + 7], a7);
            a8 = Math.fma(h[q + 8], x[r + 8], a8);
            a9 = Math.fma(h[q + 9], x[r + 9], a9);
            a10 = Math.fma(h[q + 10], x[r + 10], a10);
            a11 = Math.fma(h[q + 11], x[r + 11], a11);
            a12 = Math.fma(h[q + 12], x[r + 12], a12);
            a13 = Math.fma(h[q + 13], x[r + 13], a13);
            a14 = Math.fma(h[q + 14], x[r + 14], a14);
            a15 = Math.fma(h[q + 15], x[r + 15], a15);
        }
        return (((a0 + a8) + (a4 + a12)) + ((a2 + a10) + (a6 + a14)))
                + (((a1 + a9) + (a5 + a13)) + ((a3 + a11) + (a7 + a15)));
    }

    /** {@link #dotScalar} at 8 lanes (AVX2): lane l in a_l, the tree ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + ...). */
    private static float dotScalar8(float[] h, int o, float[] x, int p, int k) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        for (int j = 0; j < k; j += 8) {
            int q = o + j, r = p + j;
            a0 = Math.fma(h[q], x[r], a0);
            a1 = Math.fma(h[q + 1], x[r + 1], a1);
            a2 = Math.fma(h[q + 2], x[r + 2], a2);
            a3 = Math.fma(h[q + 3], x[r + 3], a3);
            a4 = Math.fma(h[q + 4], x[r + 4], a4);
            a5 = Math.fma(h[q + 5], x[r + 5], a5);
            a6 = Math.fma(h[q + 6], x[r + 6], a6);
            a7 = Math.fma(h[q + 7], x[r + 7], a7);
        }
        return ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7));
    }

    private static float dot(float[] h, int hOff, float[] x, int xOff, int k) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < k; j += S.length()) {
            acc = FloatVector.fromArray(S, h, hOff + j).fma(FloatVector.fromArray(S, x, xOff + j), acc);
        }
        return sumLanes(acc);
    }

    /**
     * out[o + q] = the lanes of a_q summed in a fixed tree, for q = 0..3: a + a.rearrange(l -> l ^ VL/2), then the same
     * with VL/4, ..., 1, and lane 0 (at 16 lanes ((a[0] + a[8]) + (a[4] + a[12])) + ...). Lane-wise adds and a
     * permutation are exactly specified, so the order, and the bits, are the same on every JDK and CPU. Why not
     * {@code reduceLanes(ADD)}: its order is unspecified, and it does change: JDK 25's C2 sums the lanes in another
     * order than JDK 17's on the same x86 machine, so the same audio resampled to other last bits
     * (docs/portability.md). Why a tree: Java's own order (0 + a[0] + a[1] + ...), written out, took 1.2-1.3x the
     * resampler's time through memory and 2-2.7x with an extract per lane (bench/RESULTS.md, session 42).
     */
    private static void sumLanes(float[] out, int o, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        out[o] = sumLanes(a0);
        out[o + 1] = sumLanes(a1);
        out[o + 2] = sumLanes(a2);
        out[o + 3] = sumLanes(a3);
    }

    /** {@link #sumLanes}' tree for one vector; the steps' conditions are constants, which C2 folds. */
    private static float sumLanes(FloatVector a) {
        if (VL > 16) {          // wider SVE vectors: the steps above 16 lanes first
            for (VectorShuffle<Float> h : WIDE) {
                a = a.add(a.rearrange(h));
            }
        }
        if (VL >= 16) {
            a = a.add(a.rearrange(H8));
        }
        if (VL >= 8) {
            a = a.add(a.rearrange(H4));
        }
        if (VL >= 4) {
            a = a.add(a.rearrange(H2));
        }
        if (VL >= 2) {
            a = a.add(a.rearrange(H1));
        }
        return a.lane(0);
    }

    /** The tree's steps: lane l meets lane l ^ d (defined where d < VL). */
    private static final VectorShuffle<Float> H8 = halving(8), H4 = halving(4), H2 = halving(2), H1 = halving(1);
    /** The steps d = VL/2 .. 16 of vectors wider than 16 lanes (none otherwise). */
    private static final List<VectorShuffle<Float>> WIDE = wide();

    private static List<VectorShuffle<Float>> wide() {
        List<VectorShuffle<Float>> w = new ArrayList<>();
        for (int d = VL / 2; d >= 16; d /= 2) {
            w.add(halving(d));
        }
        return List.copyOf(w);
    }

    private static VectorShuffle<Float> halving(int d) {
        return VectorShuffle.fromOp(S, l -> (l ^ d) % VL);
    }

    /** Modified Bessel function of the first kind, order 0 (power series; converges for all x used). */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
