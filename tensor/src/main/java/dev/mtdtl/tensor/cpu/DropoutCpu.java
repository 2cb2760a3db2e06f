package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;

/**
 * Inverted dropout (Srivastava et al., 2014) on a flat array: keep each element with probability
 * 1 - p and scale the kept ones by 1/(1 - p), so the expectation is unchanged and eval mode is the
 * identity (the base CNN applies it after fc-feature, p = 0.5).
 *
 * <p>Randomness is counter-based: element i is kept iff {@code u_i >= p}, where u_i is the top 24 bits
 * of the i-th output of SplitMix64 (Steele, Lea, Flood 2014) started from state {@code mix(seed)}, i.e.
 * {@code u_i = mix(mix(seed) + (i + 1) * 0x9E3779B97F4A7C15) >>> 40} scaled to [0, 1). The mask thus
 * depends only on (seed, i): not on thread count, chunking or call history, and a GPU kernel can
 * produce the same mask. The caller draws a fresh seed per step from its seeded RNG.
 *
 * <p>Why SplitMix64's finaliser: it passes BigCrush as a stream, is two multiplies per element, and
 * consecutive counters give decorrelated outputs (which plain LCG steps do not).
 *
 * <p>Omitted: vectorised hashing (64-bit lane multiplies are not fast on every CPU; the op runs on
 * 32*256 values per step, about 2 ns each), feature-map (2-D) dropout.
 */
public final class DropoutCpu {

    private static final int GRAIN = 1 << 15;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private DropoutCpu() {}

    /**
     * @param y    (len) written: x * mask; may be x
     * @param mask (len) written: 0 or 1/(1 - p), kept for {@link #backward}
     * @param x    (len) read
     * @param p    drop probability in [0, 1); p == 0 copies x and sets mask to 1
     * @param seed the whole randomness of this call
     */
    public static void forward(float[] y, float[] mask, float[] x, int len, float p, long seed) {
        Args.nonNegative("len", len);
        Args.len("y", y, len, "len");
        Args.len("mask", mask, len, "len");
        Args.len("x", x, len, "len");
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout p must be in [0, 1), got " + p);
        }
        if (p == 0f) {
            if (y != x) {
                System.arraycopy(x, 0, y, 0, len);
            }
            Arrays.fill(mask, 0, len, 1f);
            return;
        }
        final float scale = (float) (1.0 / (1.0 - p));
        // keep iff u_i >= p  <=>  bits24_i >= ceil(p * 2^24) (bits24 is an integer); exact, as p*2^24 is.
        final long threshold = (long) Math.ceil(p * 0x1p24);
        final long state0 = mix(seed);
        Parallel.forChunks(len, GRAIN, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                // Branch-free: a 50% random branch mispredicts half the time (10 ns/element versus 2).
                long keep = 1 - ((bits24(state0, i) - threshold) >>> 63);   // 1 if bits24 >= threshold, else 0
                float m = scale * keep;
                mask[i] = m;
                y[i] = x[i] * m;
            }
        });
    }

    /**
     * dx = dy * mask.  dx (len): written, may be dy; dy, mask (len): read. A plain loop, which C2 vectorises itself:
     * with Vector API calls, the base CNN's one call a step (8,192 values, one chunk) ran as C1 code for its first
     * ~100 steps, the vectors boxed (144 KB a call, 70 us instead of a few; `mtdtl profile`'s alloc KB column,
     * bench/RESULTS.md, session 33). A product rounds the same either way.
     */
    public static void backward(float[] dx, float[] dy, float[] mask, int len) {
        Args.nonNegative("len", len);
        Args.len("dx", dx, len, "len");
        Args.len("dy", dy, len, "len");
        Args.len("mask", mask, len, "len");
        Parallel.forChunks(len, GRAIN, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                dx[i] = dy[i] * mask[i];
            }
        });
    }

    /** The top 24 bits of the i-th SplitMix64 output from state state0; u_i = bits24 * 2^-24 in [0, 1). */
    static long bits24(long state0, long i) {
        return mix(state0 + (i + 1) * GOLDEN_GAMMA) >>> 40;
    }

    /** SplitMix64 finaliser (a bijection on 64-bit values with full avalanche). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
