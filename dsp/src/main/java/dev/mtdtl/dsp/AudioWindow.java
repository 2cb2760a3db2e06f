package dev.mtdtl.dsp;

import java.io.Closeable;
import java.io.IOException;

/**
 * An audio file's samples read by window, without decoding it whole: {@link WavReader.Window} (any window, read from
 * the file where it lies) and {@link BlockWindow} (MP3 and Ogg Vorbis: windows in increasing order, decoded forward).
 * What {@link DbMelStream} reads.
 */
public interface AudioWindow extends Closeable {

    int channels();

    int sampleRate();

    /** Sample frames in the file. */
    int frames();

    /** Frames [from, from + count) as planar (channels, count) floats in [-1, 1]. */
    float[] read(int from, int count) throws IOException;
}
