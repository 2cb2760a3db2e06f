package dev.mtdtl.dsp;

import java.io.Closeable;
import java.io.IOException;

/**
 * An audio file's samples read by window, without decoding it whole: {@link WavReader.Window} and
 * {@link AiffReader.Window} (any window, read from the file where it lies) and {@link BlockWindow} (MP3, FLAC and Ogg
 * Vorbis: windows in increasing order, decoded forward).
 * What {@link DbMelStream} reads.
 */
public interface AudioWindow extends Closeable {

    int channels();

    int sampleRate();

    /**
     * Sample frames in the file. A decoded window ({@link BlockWindow}) learns them when a pass reaches the stream's
     * end, and decodes the rest of the file to answer before then.
     */
    int frames() throws IOException;

    /** Whether {@link #frames} is known without decoding further: always for a WAV file. */
    default boolean framesKnown() {
        return true;
    }

    /**
     * Makes frames [from, to) ready for a read that goes forward from {@code from}, as far as the file goes: a decoded
     * window decodes until they are final or its stream ends (and then knows {@link #frames}), and may drop the frames
     * before {@code from}. Returns {@code to}, or the file's length when that is smaller, which a reader may take
     * for the length once {@link #framesKnown} (a reader that goes forward need not know the length in advance).
     */
    default long reach(long from, long to) throws IOException {
        return Math.min(to, frames());
    }

    /** Frames [from, from + count) as planar (channels, count) floats in [-1, 1]. */
    float[] read(int from, int count) throws IOException;

    /**
     * Frames [from, from + count) where they lie: channel c's frame {@code from + i} at
     * {@code array()[offset(c) + i]}, valid until the next call. {@link #read}'s array by default; a window over a
     * decoder's buffer hands that buffer out rather than a copy (a long MP3's 80 s window is 28 MB of floats).
     */
    default Span span(int from, int count) throws IOException {
        float[] a = read(from, count);
        int[] off = new int[channels()];
        for (int c = 0; c < off.length; c++) {
            off[c] = c * count;
        }
        return new Span(a, off);
    }

    /** Samples in an array, channel c's first at {@code offsets[c]}. */
    record Span(float[] array, int[] offsets) {
        public int offset(int c) {
            return offsets[c];
        }
    }
}
