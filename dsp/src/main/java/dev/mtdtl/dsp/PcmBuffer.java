package dev.mtdtl.dsp;

/**
 * Decoded samples as a decoder writes them, planar in one array: channel c's frame {@code base + i} at
 * {@code c * cap + i}. A whole-file decode keeps every frame from 0 and, when the capacity it was given is the exact
 * length (FLAC's STREAMINFO count), returns the array itself as {@link Audio}'s samples; a streaming reader
 * ({@link BlockWindow}) drops the frames it has read ({@link #discard}), so the array stays the size of one window.
 *
 * <p>Channels fill in turn within a block (an MP3 frame's synthesis writes each channel's 32 samples at a time), so
 * each channel has its own count and {@link #end} is the least of them.
 */
final class PcmBuffer {

    private final int channels;
    private float[] data;   // (C, cap)
    private int cap;
    private final int[] held;   // frames held per channel, from base
    private long base;          // absolute index of the first frame held

    PcmBuffer(int channels, int capacity) {
        this.channels = channels;
        this.cap = Math.max(1, capacity);
        this.data = new float[channels * cap];
        this.held = new int[channels];
    }

    int channels() {
        return channels;
    }

    /** Absolute index of the first frame held. */
    long base() {
        return base;
    }

    /** Absolute index after the last frame every channel holds. */
    long end() {
        int f = held[0];
        for (int c = 1; c < channels; c++) {
            f = Math.min(f, held[c]);
        }
        return base + f;
    }

    /**
     * Makes room for {@code count} more frames of channel {@code c} and returns the index in {@link #array()} where
     * they go (call {@link #wrote} after writing). The array grows by half again (at least to what is asked) and may be
     * replaced: fetch it after this call.
     */
    int reserve(int c, int count) {
        int need = held[c] + count;
        if (need > cap) {
            resize(Math.max(need, cap + (cap >> 1) + 32));
        }
        return c * cap + held[c];
    }

    /** Room for {@code frames} frames a channel from {@link #base} on, in one allocation rather than growing to it. */
    void ensure(int frames) {
        if (frames > cap) {
            resize(frames + (frames >> 4));   // a little over: a window's reads differ by a few frames
        }
    }

    void wrote(int c, int count) {
        held[c] += count;
    }

    float[] array() {
        return data;
    }

    /** Forgets the frames from absolute index {@code end} on (a decoder's overhang past a stream's last sample). */
    void truncate(long end) {
        int keep = (int) Math.max(0, end - base);
        for (int c = 0; c < channels; c++) {
            held[c] = Math.min(held[c], keep);
        }
    }

    /** Drops the frames before absolute index {@code before} (at most {@link #end}), moving the rest to the front. */
    void discard(long before) {
        int drop = (int) Math.min(before - base, end() - base);
        if (drop <= 0) {
            return;
        }
        for (int c = 0; c < channels; c++) {
            System.arraycopy(data, c * cap + drop, data, c * cap, held[c] - drop);
            held[c] -= drop;
        }
        base += drop;
    }

    /**
     * Frames [from, from + count) (within [base, end)) of the first {@code outChannels} channels into {@code dst},
     * planar (outChannels, count).
     */
    void copy(long from, int count, int outChannels, float[] dst) {
        if (from < base || from + count > end()) {
            throw new IllegalArgumentException("frames [" + from + ", " + (from + count) + ") outside the held ["
                    + base + ", " + end() + ")");
        }
        int at = (int) (from - base);
        for (int c = 0; c < outChannels; c++) {
            System.arraycopy(data, c * cap + at, dst, c * count, count);
        }
    }

    /** Where frame {@code at} (within [base, end)) of channel {@code c} lies in {@link #array()}. */
    int offset(int c, long at) {
        return c * cap + (int) (at - base);
    }

    /**
     * Every frame, planar (C, frames), frames = {@link #end} (the buffer must hold them from 0): the array itself when
     * it is exactly that long, else a copy.
     */
    float[] planar() {
        if (base != 0) {
            throw new IllegalStateException("frames before " + base + " were discarded");
        }
        int frames = (int) end();
        if (frames == cap) {
            return data;
        }
        float[] out = new float[channels * frames];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(data, c * cap, out, c * frames, frames);
        }
        return out;
    }

    private void resize(int to) {
        int most = 0;
        for (int h : held) {
            most = Math.max(most, h);
        }
        float[] old = data;
        int from = cap;
        if (most <= cap >> 2) {
            // few frames held (a window's overlap with the one before): set them aside and let the old array go
            // before the new one is allocated, so that the two are never live together
            old = new float[channels * most];
            for (int c = 0; c < channels; c++) {
                System.arraycopy(data, c * cap, old, c * most, held[c]);
            }
            from = most;
            data = null;
        }
        float[] b = new float[channels * to];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(old, c * from, b, c * to, held[c]);
        }
        data = b;
        cap = to;
    }
}
