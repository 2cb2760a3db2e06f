package dev.mtdtl.dsp;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Real forward FFT of L frames at once, vectorised across frames: vector lane j holds frame j, so an
 * ordinary iterative FFT runs with broadcast twiddles and no shuffles. Every lane does the same sequence of
 * IEEE float operations, so a frame's result does not depend on which lane or group it is computed in (nor
 * on L, nor on the thread count). Letters: N = nFft (a power of two, at least 8) real samples, h = N/2
 * complex points, K = h + 1 bins, L lanes.
 *
 * <p>Layout: a group is two float arrays re, im of shape (h, L), point q of lane j at {@code q L + j}. L is the
 * lane count of the engine's one float vector shape (16 on AVX-512), not a shape of its own: a 256-bit FFT
 * beside the 512-bit kernels of the network made C2 see two FloatVector classes at the Vector API's shared
 * call sites, and after dB-mel had run, a JVM's conv kernels fell back to boxed vectors (30x slower, the
 * training step 4x; bench/RESULTS.md, "One vector shape per JVM"). At 16 lanes and N = 1024 a group is 64 KB,
 * more than L1, so {@link #transform} runs the narrow passes block by block.
 *
 * <p>Algorithm: the N real samples are packed as h complex ones, z[n] = x[2n] + i x[2n+1], and written in
 * bit-reversed order by the caller ({@link #bitReversed}); a decimation-in-time complex FFT of size h runs in
 * place (one radix-2 pass first when log2 h is odd, then radix-4 passes: 5 passes over the data for h = 512
 * instead of 9); {@link #power} then splits Z into the spectrum of x. Radix-4 butterfly for span m, point
 * k of a block of 4m (two radix-2 stages fused; w = exp(-2 pi i k / 4m)):
 * A0 = a0, A1 = w^2 a1, A2 = w a2, A3 = w^3 a3; out0 = (A0+A1) + (A2+A3), out2 = (A0+A1) - (A2+A3),
 * out1 = (A0-A1) - i (A2-A3), out3 = (A0-A1) + i (A2-A3) (3 complex multiplies per 4 points).
 * Real split, for k in [0, h] with Z[h] = Z[0], c + i s = exp(2 pi i k / N):
 * E = (Z[k] + conj Z[h-k]) / 2, D = (Z[k] - conj Z[h-k]) / 2, X[k] = E - i e^{-2 pi i k/N} D, i.e.
 * Re X = Er + c Di - s Dr, Im X = Ei - c Dr - s Di.
 *
 * <p>Cost per frame: about 2.5 N log2 N flops (25 k at N = 1024), reading and writing the 4N-byte group
 * slice once per pass. Twiddles are computed in double and rounded once. Instances are immutable and
 * thread-safe; callers own the group arrays.
 */
public final class LaneFft {

    /** The preferred shape, as everywhere in the engine (see the class comment). */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Frames per group. */
    public static final int L = S.length();
    /** Points per cache block of {@link #transform} (a power of two): 128 x 16 lanes x 8 bytes = 16 KB. */
    static final int BLOCK = 128;

    private final int nFft;
    private final int h;
    private final int[] brev;          // (h) bit reversal of log2 h bits
    private final boolean radix2First;
    private final float[][] tw;        // per radix-4 pass: (m, 6) w, w^2, w^3 as (re, im) pairs
    private final int[] span;          // per radix-4 pass: m
    private final float[] post;        // (h + 1, 2): cos, sin of 2 pi k / N

    public LaneFft(int nFft) {
        if (!supports(nFft)) {
            throw new IllegalArgumentException("LaneFft needs a power of two >= 8, got " + nFft);
        }
        this.nFft = nFft;
        this.h = nFft / 2;
        int bits = Integer.numberOfTrailingZeros(h);
        brev = new int[h];
        for (int q = 0; q < h; q++) {
            brev[q] = Integer.reverse(q) >>> (32 - bits);
        }
        radix2First = (bits & 1) == 1;
        int passes = bits / 2;
        tw = new float[passes][];
        span = new int[passes];
        int m = radix2First ? 2 : 1;
        for (int p = 0; p < passes; p++, m *= 4) {
            span[p] = m;
            float[] t = new float[6 * m];
            for (int k = 0; k < m; k++) {
                for (int r = 1; r <= 3; r++) {
                    double a = -2 * Math.PI * r * k / (4.0 * m);
                    t[6 * k + 2 * (r - 1)] = (float) StrictMath.cos(a);
                    t[6 * k + 2 * (r - 1) + 1] = (float) StrictMath.sin(a);
                }
            }
            tw[p] = t;
        }
        post = new float[2 * (h + 1)];
        for (int k = 0; k <= h; k++) {
            double a = 2 * Math.PI * k / nFft;
            post[2 * k] = (float) StrictMath.cos(a);
            post[2 * k + 1] = (float) StrictMath.sin(a);
        }
    }

    /** Whether this transform handles nFft (a power of two, at least 8). */
    public static boolean supports(int nFft) {
        return nFft >= 8 && Integer.bitCount(nFft) == 1;
    }

    public int nFft() {
        return nFft;
    }

    /** Where complex point n (samples 2n, 2n+1) of a frame goes in the group: row {@code bitReversed(n)}. */
    public int bitReversed(int n) {
        return brev[n];
    }

    /**
     * In-place complex FFT of size h of every lane; re, im: (h, L), input in bit-reversed order.
     *
     * <p>Cache blocking: a pass of span m only mixes points within blocks of 4m, so every pass with
     * 4m <= {@link #BLOCK} runs block by block: one block of BLOCK points (16 KB of re and im at 16 lanes)
     * goes through all those passes while it sits in L1, and only the wider passes sweep the whole group
     * (64 KB at 16 lanes and N = 1024, more than the L1 data cache). Each butterfly sees the same inputs
     * and twiddles in either order, so the bits are those of pass-by-pass.
     */
    public void transform(float[] re, float[] im) {
        passes(re, im, false);
    }

    /**
     * {@link #transform} lane by lane in scalar code ({@link dev.mtdtl.tensor.ColdStart}): each lane's float
     * operations are those of the vector form, in the same order (Java float arithmetic is IEEE and never fused), so
     * the same bits.
     */
    public void transformScalar(float[] re, float[] im) {
        passes(re, im, true);
    }

    /** The passes of {@link #transform}, by the vector butterflies or their scalar twins. */
    private void passes(float[] re, float[] im, boolean scalar) {
        int blk = Math.min(h, BLOCK);
        int p = 0;
        for (int from = 0; from < h; from += blk) {
            if (radix2First) {
                radix2(re, im, from, from + blk, scalar);
            }
            for (p = 0; p < span.length && 4 * span[p] <= blk; p++) {
                radix4(re, im, span[p], tw[p], from, from + blk, scalar);
            }
        }
        for (; p < span.length; p++) {
            radix4(re, im, span[p], tw[p], 0, h, scalar);
        }
    }

    private void radix2(float[] re, float[] im, int from, int to, boolean scalar) {
        if (scalar) {
            radix2Scalar(re, im, from, to);
        } else {
            radix2(re, im, from, to);
        }
    }

    private void radix4(float[] re, float[] im, int m, float[] t, int from, int to, boolean scalar) {
        if (scalar) {
            radix4Scalar(re, im, m, t, from, to);
        } else {
            radix4(re, im, m, t, from, to);
        }
    }

    /** The first radix-2 pass (log2 h odd) on points [from, to). */
    private void radix2(float[] re, float[] im, int from, int to) {
        final int l = L;
        for (int q = from; q < to; q += 2) {
            int a = q * l;
            int b = a + l;
            FloatVector ar = FloatVector.fromArray(S, re, a);
            FloatVector ai = FloatVector.fromArray(S, im, a);
            FloatVector br = FloatVector.fromArray(S, re, b);
            FloatVector bi = FloatVector.fromArray(S, im, b);
            ar.add(br).intoArray(re, a);
            ai.add(bi).intoArray(im, a);
            ar.sub(br).intoArray(re, b);
            ai.sub(bi).intoArray(im, b);
        }
    }

    /** One radix-4 pass of span m over the blocks of 4m points in [from, to) (both multiples of 4m). */
    private void radix4(float[] re, float[] im, int m, float[] t, int from, int to) {
        final int l = L;
        int stride = m * l;   // distance between the butterfly's 4 points in the arrays
        for (int k = 0; k < m; k++) {   // k = 0 multiplies by 1: exact, and one loop keeps C2 from boxing
            FloatVector w1r = FloatVector.broadcast(S, t[6 * k]);
            FloatVector w1i = FloatVector.broadcast(S, t[6 * k + 1]);
            FloatVector w2r = FloatVector.broadcast(S, t[6 * k + 2]);
            FloatVector w2i = FloatVector.broadcast(S, t[6 * k + 3]);
            FloatVector w3r = FloatVector.broadcast(S, t[6 * k + 4]);
            FloatVector w3i = FloatVector.broadcast(S, t[6 * k + 5]);
            for (int b = from; b < to; b += 4 * m) {
                int i0 = (b + k) * l;
                int i1 = i0 + stride;
                int i2 = i1 + stride;
                int i3 = i2 + stride;
                FloatVector a0r = FloatVector.fromArray(S, re, i0);
                FloatVector a0i = FloatVector.fromArray(S, im, i0);
                FloatVector xr = FloatVector.fromArray(S, re, i1);
                FloatVector xi = FloatVector.fromArray(S, im, i1);
                // A1 = w^2 a1
                FloatVector a1r = xr.mul(w2r).sub(xi.mul(w2i));
                FloatVector a1i = xr.mul(w2i).add(xi.mul(w2r));
                xr = FloatVector.fromArray(S, re, i2);
                xi = FloatVector.fromArray(S, im, i2);
                // A2 = w a2
                FloatVector a2r = xr.mul(w1r).sub(xi.mul(w1i));
                FloatVector a2i = xr.mul(w1i).add(xi.mul(w1r));
                xr = FloatVector.fromArray(S, re, i3);
                xi = FloatVector.fromArray(S, im, i3);
                // A3 = w^3 a3
                FloatVector a3r = xr.mul(w3r).sub(xi.mul(w3i));
                FloatVector a3i = xr.mul(w3i).add(xi.mul(w3r));
                // radix-4 sums (class comment); (dr + i di) - i (ur + i ui) = (dr + ui) + i (di - ur)
                FloatVector sr = a0r.add(a1r);
                FloatVector si = a0i.add(a1i);
                FloatVector dr = a0r.sub(a1r);
                FloatVector di = a0i.sub(a1i);
                FloatVector tr = a2r.add(a3r);
                FloatVector ti = a2i.add(a3i);
                FloatVector ur = a2r.sub(a3r);
                FloatVector ui = a2i.sub(a3i);
                sr.add(tr).intoArray(re, i0);
                si.add(ti).intoArray(im, i0);
                sr.sub(tr).intoArray(re, i2);
                si.sub(ti).intoArray(im, i2);
                dr.add(ui).intoArray(re, i1);
                di.sub(ur).intoArray(im, i1);
                dr.sub(ui).intoArray(re, i3);
                di.add(ur).intoArray(im, i3);
            }
        }
    }

    /** {@link #radix2} lane by lane. */
    private static void radix2Scalar(float[] re, float[] im, int from, int to) {
        final int l = L;
        for (int q = from; q < to; q += 2) {
            int a = q * l;
            int b = a + l;
            for (int j = 0; j < l; j++) {
                float ar = re[a + j];
                float ai = im[a + j];
                float br = re[b + j];
                float bi = im[b + j];
                re[a + j] = ar + br;
                im[a + j] = ai + bi;
                re[b + j] = ar - br;
                im[b + j] = ai - bi;
            }
        }
    }

    /** {@link #radix4} lane by lane: the same products, sums and differences of each lane in the same order. */
    private static void radix4Scalar(float[] re, float[] im, int m, float[] t, int from, int to) {
        final int l = L;
        int stride = m * l;
        for (int k = 0; k < m; k++) {
            float w1r = t[6 * k];
            float w1i = t[6 * k + 1];
            float w2r = t[6 * k + 2];
            float w2i = t[6 * k + 3];
            float w3r = t[6 * k + 4];
            float w3i = t[6 * k + 5];
            for (int b = from; b < to; b += 4 * m) {
                int i0 = (b + k) * l;
                for (int j = i0; j < i0 + l; j++) {
                    int j1 = j + stride;
                    int j2 = j1 + stride;
                    int j3 = j2 + stride;
                    float a0r = re[j];
                    float a0i = im[j];
                    float xr = re[j1];
                    float xi = im[j1];
                    float a1r = xr * w2r - xi * w2i;
                    float a1i = xr * w2i + xi * w2r;
                    xr = re[j2];
                    xi = im[j2];
                    float a2r = xr * w1r - xi * w1i;
                    float a2i = xr * w1i + xi * w1r;
                    xr = re[j3];
                    xi = im[j3];
                    float a3r = xr * w3r - xi * w3i;
                    float a3i = xr * w3i + xi * w3r;
                    float sr = a0r + a1r;
                    float si = a0i + a1i;
                    float dr = a0r - a1r;
                    float di = a0i - a1i;
                    float tr = a2r + a3r;
                    float ti = a2i + a3i;
                    float ur = a2r - a3r;
                    float ui = a2i - a3i;
                    re[j] = sr + tr;
                    im[j] = si + ti;
                    re[j2] = sr - tr;
                    im[j2] = si - ti;
                    re[j1] = dr + ui;
                    im[j1] = di - ur;
                    re[j3] = dr - ui;
                    im[j3] = di + ur;
                }
            }
        }
    }

    /**
     * |X_k|^power for k in [0, K) of every lane from the transformed group (class comment: the real split).
     * pw: written, (K, L). re, im: read, (h, L) in natural order after {@link #transform}. power: 1 or 2.
     */
    public void power(float[] pw, float[] re, float[] im, int power) {
        final int l = L;
        for (int k = 0; k <= h; k++) {
            int a = (k == h ? 0 : k) * l;
            int b = (k == 0 ? 0 : h - k) * l;
            FloatVector zr = FloatVector.fromArray(S, re, a);
            FloatVector zi = FloatVector.fromArray(S, im, a);
            FloatVector yr = FloatVector.fromArray(S, re, b);
            FloatVector yi = FloatVector.fromArray(S, im, b);
            FloatVector er = zr.add(yr).mul(0.5f);
            FloatVector ei = zi.sub(yi).mul(0.5f);
            FloatVector dr = zr.sub(yr).mul(0.5f);
            FloatVector di = zi.add(yi).mul(0.5f);
            float c = post[2 * k];
            float s = post[2 * k + 1];
            FloatVector xr = er.add(di.mul(c)).sub(dr.mul(s));
            FloatVector xi = ei.sub(dr.mul(c)).sub(di.mul(s));
            FloatVector p = xr.mul(xr).add(xi.mul(xi));
            if (power == 1) {
                p = p.sqrt();
            }
            p.intoArray(pw, k * l);
        }
    }

    /**
     * {@link #power} lane by lane (the square root of a float in double, rounded once to float, is the correctly
     * rounded float square root that the vector form computes).
     */
    public void powerScalar(float[] pw, float[] re, float[] im, int power) {
        final int l = L;
        for (int k = 0; k <= h; k++) {
            int a = (k == h ? 0 : k) * l;
            int b = (k == 0 ? 0 : h - k) * l;
            float c = post[2 * k];
            float s = post[2 * k + 1];
            for (int j = 0; j < l; j++) {
                float zr = re[a + j];
                float zi = im[a + j];
                float yr = re[b + j];
                float yi = im[b + j];
                float er = (zr + yr) * 0.5f;
                float ei = (zi - yi) * 0.5f;
                float dr = (zr - yr) * 0.5f;
                float di = (zi + yi) * 0.5f;
                float xr = er + di * c - dr * s;
                float xi = ei - dr * c - di * s;
                float p = xr * xr + xi * xi;
                pw[k * l + j] = power == 1 ? (float) Math.sqrt(p) : p;
            }
        }
    }

    /**
     * Convenience for tests and benches: |X|^power of L frames given row by row.
     * frames: read, (L, N). out: written, (L, K).
     */
    public void powerSpectra(float[] frames, float[] out, int power) {
        float[] re = new float[h * L];
        float[] im = new float[h * L];
        float[] pw = new float[(h + 1) * L];
        for (int j = 0; j < L; j++) {
            for (int n = 0; n < h; n++) {
                int q = brev[n] * L + j;
                re[q] = frames[j * nFft + 2 * n];
                im[q] = frames[j * nFft + 2 * n + 1];
            }
        }
        transform(re, im);
        power(pw, re, im, power);
        for (int j = 0; j < L; j++) {
            for (int k = 0; k <= h; k++) {
                out[j * (h + 1) + k] = pw[k * L + j];
            }
        }
    }
}
