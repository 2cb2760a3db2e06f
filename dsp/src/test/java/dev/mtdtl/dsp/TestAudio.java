package dev.mtdtl.dsp;

import java.util.Random;

/** Test audio for dsp's and other modules' tests (through dsp's test-jar): FLAC files whose damage is known. */
public final class TestAudio {

    private TestAudio() {}

    /** Planar 16-bit integer stereo of n frames, a noise-like walk that is never 0 (silence is told from it). */
    public static int[] signal(int n, long seed) {
        Random r = new Random(seed);
        int[] q = new int[2 * n];
        int walk = 0;
        for (int i = 0; i < q.length; i++) {
            walk = Math.max(-12000, Math.min(12000, walk + r.nextInt(801) - 400));
            q[i] = walk == 0 ? 1 : walk;
        }
        return q;
    }

    /**
     * Byte offsets of the frames of stereo 16-bit FLAC bytes whose metadata is STREAMINFO alone (as {@link FlacBytes}
     * writes them): frame k is [at[k], at[k + 1]).
     */
    public static int[] frameStarts(byte[] f, int frames, int rate) {
        FlacFrame fr = new FlacFrame(f, f.length, rate, 2, 16);
        int[] at = new int[frames + 1];
        at[0] = 4 + 4 + 34;   // fLaC, STREAMINFO's block header and body
        try {
            for (int k = 0; k < frames; k++) {
                at[k + 1] = fr.decode(at[k]);
            }
        } catch (FlacFrame.Bad e) {
            throw new IllegalStateException("a frame FlacFrame refuses", e);
        }
        return at;
    }

    /**
     * A FLAC file of {@code frames} frames of 4,096 stereo 16-bit samples at 22,050 Hz ({@link #signal}) with one bit
     * flipped in the middle of each frame listed in {@code damaged}: {@link AudioDecoder} decodes it with those frames
     * silent and reports them ({@link AudioDamage}).
     */
    public static byte[] damagedFlac(int frames, long seed, int... damaged) {
        byte[] f = FlacBytes.encode(signal(frames * 4096, seed), 2, 22050, 16, 4096);
        int[] at = frameStarts(f, frames, 22050);
        for (int k : damaged) {
            f[(at[k] + at[k + 1]) / 2] ^= 0x10;
        }
        return f;
    }
}
