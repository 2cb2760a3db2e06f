package dev.mtdtl.dsp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A decoder pulled a block at a time (an MP3 frame, an Ogg page, a FLAC frame) into its {@link PcmBuffer}: what a
 * whole-file decode runs to the end and {@link BlockWindow} runs only as far as its reads need, so both see the same
 * samples, bit for bit. Errors are the whole-file reader's, naming the file.
 */
interface PcmBlocks extends Closeable {

    int channels();

    int sampleRate();

    /** Where the decoded samples go; the reader of the blocks may discard the frames it no longer needs. */
    PcmBuffer buffer();

    /** Decodes the next block (it may add no frame); false once the stream has ended, and from then on. */
    boolean next() throws IOException;

    /**
     * Absolute index below which the buffer's frames are final: {@link PcmBuffer#end} for most decoders, less for one
     * that may still cut what it has returned (a Vorbis stream ends at its last page's granule position).
     */
    default long stable() {
        return buffer().end();
    }

    /** Every frame decoded, from the first (after {@link #next} returned false): the stream's audio. */
    default Audio audio(Path file) throws AudioDecodeException {
        long n = requireFrames(file, buffer().end());
        return new Audio(buffer().planar(), buffer().channels(), (int) n, sampleRate());
    }

    /** {@code frames}, when there is at least one: a stream that decodes to nothing is refused, naming the file. */
    static long requireFrames(Path file, long frames) throws AudioDecodeException {
        if (frames == 0) {
            throw new AudioDecodeException(file, "zero-length audio (no sample frames decoded)");
        }
        return frames;
    }
}
