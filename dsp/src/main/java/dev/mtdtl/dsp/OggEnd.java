package dev.mtdtl.dsp;

/**
 * Where an Ogg Vorbis stream ends: the granule position of its end-of-stream page (the Vorbis I specification, section
 * A.2: the granule position of the page that ends the stream is the number of the last PCM sample to output, counted
 * per channel from 0 at the stream's start). jorbis decodes the last page's block whole and returns the samples past
 * it too (158 in a 0.5 s libvorbis file: the overlap of the block that finishes the stream), where libvorbis's own
 * {@code vorbisfile} stops at the granule; {@link OggReader} cuts each stream there.
 */
final class OggEnd {

    /** Samples past the end a decoder may return: at most a long Vorbis block (8,192). */
    static final int MAX_OVERHANG = 8192;

    private OggEnd() {}

    /**
     * The frames to keep of a stream's {@code decoded}: its final granule position when the decoder returned a little
     * more (at most {@link #MAX_OVERHANG}), else all of them (no end page, a stream whose granule positions do not
     * start at 0: nothing is guessed).
     */
    static int keep(int decoded, long granule) {
        return granule > 0 && granule < decoded && decoded - granule <= MAX_OVERHANG ? (int) granule : decoded;
    }
}
