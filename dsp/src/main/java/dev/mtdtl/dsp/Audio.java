package dev.mtdtl.dsp;

/**
 * Decoded audio: float32 samples in planar layout {@code samples[c * frames + i]} (channel c, sample
 * i), which is librosa's {@code [channel, sample]} layout. Full scale is [-1, 1): integer PCM is
 * divided by 2^(bits-1), as soundfile does, so 16-bit audio is exactly {@code int16 / 32768}.
 *
 * <p>Channel rule for the engine (decision 3 of the reference digest: keep stereo, duplicate mono):
 * {@link #toStereo()} duplicates a mono channel and, for more than two channels, keeps the first
 * two. In WAVE, FLAC and Vorbis channel order the first two are front-left and front-right, so a
 * 5.1 or quad file becomes its front pair (centre, surround and LFE are dropped, not mixed in:
 * a downmix would need per-layout coefficients and would change the level of the front pair).
 *
 * <p>Omitted: interleaved layouts, tags and other metadata, sample rates that are not integers.
 */
public record Audio(float[] samples, int channels, int frames, int sampleRate) {

    public Audio {
        if (channels < 1 || frames < 0 || sampleRate <= 0) {
            throw new IllegalArgumentException("channels " + channels + ", frames " + frames + ", rate " + sampleRate);
        }
        if ((long) channels * frames != samples.length) {
            throw new IllegalArgumentException("samples.length " + samples.length + " != channels * frames "
                    + (long) channels * frames);
        }
    }

    /** Duration in seconds. */
    public double seconds() {
        return frames / (double) sampleRate;
    }

    /** Offset of channel {@code c} in {@link #samples()}. */
    public int offset(int c) {
        return c * frames;
    }

    /**
     * One channel, the mean of all channels (the "mono only" flag of decision 3; not the paper's
     * default). Mono input is returned as is.
     */
    public Audio toMono() {
        if (channels == 1) {
            return this;
        }
        float[] s = new float[frames];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < frames; i++) {
                s[i] += samples[c * frames + i];
            }
        }
        float inv = 1f / channels;
        for (int i = 0; i < frames; i++) {
            s[i] *= inv;
        }
        return new Audio(s, 1, frames, sampleRate);
    }

    /** Two channels: mono duplicated, stereo as is (same object), more than two: the first two. */
    public Audio toStereo() {
        if (channels == 2) {
            return this;
        }
        float[] s = new float[2 * frames];
        if (channels == 1) {
            System.arraycopy(samples, 0, s, 0, frames);
            System.arraycopy(samples, 0, s, frames, frames);
        } else {
            System.arraycopy(samples, 0, s, 0, 2 * frames);
        }
        return new Audio(s, 2, frames, sampleRate);
    }
}
