package dev.mtdtl.dsp;

import java.util.Random;

/** Test audio for other modules' tests (through dsp's test-jar): files whose damage is known. */
public final class TestAudio {

    private TestAudio() {}

    /**
     * A FLAC file of {@code frames} frames of 4,096 stereo 16-bit samples at 22,050 Hz (a noise-like walk, never 0) with
     * one bit flipped in the middle of each frame listed in {@code damaged}: {@link AudioDecoder} decodes it with those
     * frames silent and reports them ({@link AudioDamage}).
     */
    public static byte[] damagedFlac(int frames, long seed, int... damaged) {
        int n = frames * 4096;
        Random r = new Random(seed);
        int[] q = new int[2 * n];
        int walk = 0;
        for (int i = 0; i < q.length; i++) {
            walk = Math.max(-12000, Math.min(12000, walk + r.nextInt(801) - 400));
            q[i] = walk == 0 ? 1 : walk;
        }
        byte[] f = FlacBytes.encode(q, 2, 22050, 16, 4096);
        FlacFrame fr = new FlacFrame(f, f.length, 22050, 2, 16);
        int[] at = new int[frames + 1];
        at[0] = 4 + 4 + 34;   // fLaC, STREAMINFO's block header and body
        try {
            for (int k = 0; k < frames; k++) {
                at[k + 1] = fr.decode(at[k]);
            }
        } catch (FlacFrame.Bad e) {
            throw new IllegalStateException("FlacBytes wrote a frame FlacFrame refuses", e);
        }
        for (int k : damaged) {
            f[(at[k] + at[k + 1]) / 2] ^= 0x10;
        }
        return f;
    }
}
