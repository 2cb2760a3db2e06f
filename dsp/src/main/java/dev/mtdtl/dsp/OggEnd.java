package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Where an Ogg Vorbis stream ends: the granule position of its last page (the Vorbis I specification, section A.2:
 * the granule position of the page that ends the stream is the number of the last PCM sample to output, counted per
 * channel from 0 at the stream's start). jorbis decodes the last page's block whole and returns the samples past it
 * too (158 in a 0.5 s libvorbis file: the overlap of the block that finishes the stream), where libvorbis's own
 * {@code vorbisfile} stops at the granule; {@link AudioDecoder} cuts there.
 */
final class OggEnd {

    /** Bytes at the file's end searched for the last page header (a page is at most 65,307 bytes). */
    static final int TAIL = 1 << 17;

    /** Samples past the end a decoder may return: at most a long Vorbis block (8,192). */
    static final int MAX_OVERHANG = 8192;

    private OggEnd() {}

    /**
     * The granule position of the file's last page when that page ends the stream (header type flag 0x04) and holds a
     * valid one (>= 0), else -1.
     */
    static long finalGranule(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            int n = (int) Math.min(size, TAIL);
            ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, size - n + b.position()) > 0) {
                // read the tail whole
            }
            byte[] a = b.array();
            for (int i = n - 27; i >= 0; i--) {   // the last "OggS" with a version-0 page header after it
                if (a[i] == 'O' && a[i + 1] == 'g' && a[i + 2] == 'g' && a[i + 3] == 'S' && a[i + 4] == 0) {
                    boolean ends = (a[i + 5] & 0x04) != 0;
                    long granule = b.getLong(i + 6);
                    return ends && granule >= 0 ? granule : -1;
                }
            }
            return -1;
        }
    }

    /**
     * The frames to keep of {@code decoded}: the final granule position when the decoder returned a little more (at
     * most {@link #MAX_OVERHANG}), else all of them (no end page, a chained or offset stream: nothing is guessed).
     */
    static int keep(int decoded, long granule) {
        return granule > 0 && granule < decoded && decoded - granule <= MAX_OVERHANG ? (int) granule : decoded;
    }
}
