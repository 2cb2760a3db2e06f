package dev.mtdtl.dsp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * FLAC decoder, by hand from the format's specification (RFC 9639): STREAMINFO, then frames of one to eight
 * channels, each a header (CRC-8), one subframe per channel (CONSTANT, VERBATIM, FIXED orders 0-4, LPC orders
 * 1-32, with wasted bits), stereo decorrelation (left/side, side/right, mid/side) and a CRC-16 over the frame.
 * FLAC is lossless, so a correct decoder has one answer: the samples are the encoder's integers, scaled by
 * 2^(bits-1) like {@link WavReader} (8 to 32 bits a sample).
 *
 * <p>Why not jflac-codec, which read FLAC until 2026-12-07: about 108 ms of CPU for a 30 s stereo 44.1 kHz file
 * against about 15 here (bench/RESULTS.md, session 49), 16- and 24-bit streams only, and its frame loop retried
 * forever on some damaged headers (it needed a bounded error callback). The samples are the same bit for bit on every
 * file both read ({@code FlacReaderTest}: ffmpeg's encodings of 16- and 24-bit audio against their WAVs, and
 * jflac's decodes, a test-scope reference now).
 *
 * <p>Errors name the file and, for a frame, its byte offset: not FLAC, no STREAMINFO, a frame header or subframe
 * that does not parse or uses a reserved code, a CRC that does not match (damaged data), the data ending inside a
 * frame or before STREAMINFO's sample count (truncated), zero samples, a rate, channel count or length outside
 * {@link AudioLimits}. Once STREAMINFO's count is reached, bytes that are not a whole valid frame (an ID3v1 tag,
 * padding) end the stream, and valid frames are still decoded (a count written wrong does not cut the audio); without
 * a count, only an ID3v1 tag may follow the last frame. Not done: MD5 verification (as ffmpeg and most players).
 *
 * <p>A whole decode reads the file's bytes at once; {@link BlockWindow} pulls frames one at a time ({@link Blocks}) from
 * a window of the file's bytes (1 MB, refilled as frames are decoded, doubled for a frame that does not fit), so a long
 * file is decoded in bounded memory. Damaged metadata (a block's length that does not lead to a frame) has the whole
 * file read, as a whole decode does, to search for the first frame.
 */
final class FlacReader {

    private FlacReader() {}

    static Audio read(Path file) throws IOException {
        return read(file, 0);
    }

    /**
     * The FLAC stream that starts {@code skip} bytes into the file: after an ID3v2 tag that a tagger put in front of it
     * ({@link AudioDecoder#id3v2Length}).
     */
    static Audio read(Path file, long skip) throws IOException {
        try (Blocks b = Blocks.open(file, skip, -1)) {
            while (b.next()) {
                // every frame
            }
            return b.audio(file);
        }
    }

    /** Stream parameters from STREAMINFO (section 8.2). */
    private record Info(int rate, int channels, int bits, long total) {}

    /**
     * The frames of a FLAC stream pulled one at a time ({@link PcmBlocks}). Byte offsets in messages count from the
     * stream's start ({@code fLaC}).
     */
    static final class Blocks implements PcmBlocks {

        /** A streaming window's first size, and the bytes left in it below which it is refilled. */
        private static final int WINDOW = 1 << 20;
        private static final int REFILL = 1 << 18;

        private final Path file;
        private final FileChannel in;   // null when every byte was read at once
        private long inPos;             // the file position of the next byte to read
        private byte[] b;               // the window: stream bytes [off, off + len)
        private int len;
        private long off;
        private boolean eof;            // the window holds the stream's last byte
        private Info info;
        private FlacFrame f;
        private PcmBuffer buf;
        private long max;
        private int pos;                // the next frame's byte in the window
        private boolean done;
        private float scale;            // 2^-(bits-1)

        private Blocks(Path file, FileChannel in, long inPos) {
            this.file = file;
            this.in = in;
            this.inPos = inPos;
        }

        /**
         * Opens the stream {@code skip} bytes into the file and reads its metadata; {@code maxFrames} as
         * {@link Mp3Reader.Blocks}: -1 for a whole decode (the bytes read at once), else a window of them.
         */
        static Blocks open(Path file, long skip, long maxFrames) throws IOException {
            if (maxFrames < 0) {
                long size = Files.size(file);
                if (size - skip > Integer.MAX_VALUE - 16) {
                    throw new AudioDecodeException(file, "file of " + size + " bytes is too large");
                }
                byte[] all;
                try (InputStream s = Files.newInputStream(file)) {
                    s.skipNBytes(skip);
                    all = s.readAllBytes();
                }
                Blocks bl = new Blocks(file, null, 0);
                bl.b = all;
                bl.len = all.length;
                bl.eof = true;
                bl.start(maxFrames);
                return bl;
            }
            FileChannel ch = FileChannel.open(file);
            try {
                Blocks bl = new Blocks(file, ch, skip);
                bl.b = new byte[WINDOW];
                bl.fill();
                bl.start(maxFrames);
                ch = null;
                return bl;
            } finally {
                if (ch != null) {
                    ch.close();
                }
            }
        }

        /** Reads the file into the window's free end, until it is full or the file ends. */
        private void fill() throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, len, b.length - len);
            while (bb.hasRemaining()) {
                int r = in.read(bb, inPos);
                if (r < 0) {
                    eof = true;
                    break;
                }
                inPos += r;
            }
            len = bb.position();
            eof |= inPos >= in.size();
            if (f != null) {
                f.data(b, len);
            }
        }

        /** Moves the window to start at its byte {@code at} and refills it, {@code grow}n to twice its size. */
        private void slide(int at, boolean grow) throws IOException {
            byte[] to = grow ? new byte[Math.max(WINDOW, 2 * b.length)] : b;
            System.arraycopy(b, at, to, 0, len - at);
            b = to;
            off += at;
            len -= at;
            pos -= at;
            fill();
        }

        /** The metadata, then the decoder and the sample buffer, at the first frame. */
        private void start(long maxFrames) throws IOException {
            while (true) {
                int first;
                try {
                    first = metadata(eof);
                } catch (FlacBits.Truncated | AudioDecodeException e) {
                    if (eof) {
                        throw e;
                    }
                    // metadata past the window (a large picture block) or damaged: with more of the file, or all
                    // of it, as a whole decode has it
                    slide(0, true);
                    continue;
                }
                if (first < 0) {
                    slide(0, true);   // a damaged block's frames are searched for in the whole file
                    continue;
                }
                pos = first;
                break;
            }
            if (info.bits < 4) {
                throw new AudioDecodeException(file, "unsupported codec: " + info.bits + "-bit FLAC (4 to 32 "
                        + "supported)");
            }
            AudioLimits.checkFormat(file, info.rate, info.channels);
            if (info.total > 0) {
                AudioLimits.checkFrames(file, info.total, info.rate, info.channels);
            }
            max = maxFrames < 0 ? AudioLimits.maxFrames(info.rate, info.channels) : maxFrames;
            int cap = 1 << 16;
            if (maxFrames < 0) {
                // Room for STREAMINFO's count, but not past 4x what the bytes hold uncompressed: a damaged count must
                // not allocate a gigabyte up front (the buffer grows when real frames need more, as for silence coded
                // CONSTANT). With a right count the array is exactly the planar result and is returned as it is.
                long raw = (long) (len - pos) * 8 / Math.max(1, info.bits * info.channels);
                long cap0 = Math.max(4608, info.total > 0 ? Math.min(info.total, 4 * raw) : 2 * raw);
                cap = (int) Math.min(max + 65536, cap0);
            }
            buf = new PcmBuffer(info.channels, cap);
            f = new FlacFrame(b, len, info.rate, info.channels, info.bits);
            scale = (float) Math.scalb(1.0, -(info.bits - 1));
        }

        /**
         * Parses the metadata blocks at the window's start into {@link #info}; returns the first frame's byte, or -1
         * when a damaged block hides it and the window does not hold the whole stream ({@code whole} false: the caller
         * reads more). Throws {@link FlacBits.Truncated} when the blocks run past the window's bytes.
         */
        private int metadata(boolean whole) throws AudioDecodeException {
            if (len < 4 || b[0] != 'f' || b[1] != 'L' || b[2] != 'a' || b[3] != 'C') {
                throw new AudioDecodeException(file, "not a FLAC stream (no fLaC marker)");
            }
            FlacBits bits = new FlacBits(b, 4, len);
            info = null;
            int afterInfo = -1;   // the byte after STREAMINFO's block
            try {
                boolean last = false;
                while (!last) {   // metadata blocks: 1 bit last, 7 bits type, 24 bits length (section 8.1)
                    last = bits.bits(1) == 1;
                    int type = bits.bits(7);
                    int blen = bits.bits(24);
                    int body = bits.bytePos();
                    if (info == null && type != 0) {
                        throw new AudioDecodeException(file, "corrupt FLAC header: the first metadata block is of "
                                + "type " + type + ", not STREAMINFO");
                    }
                    if (type == 0 && info == null) {
                        if (blen < 34) {
                            throw new AudioDecodeException(file, "corrupt FLAC header: STREAMINFO of " + blen
                                    + " bytes");
                        }
                        bits.bits(16);
                        bits.bits(16);   // min and max block size
                        bits.bits(24);
                        bits.bits(24);   // min and max frame size
                        int rate = bits.bits(20);
                        int ch = bits.bits(3) + 1;
                        int depth = bits.bits(5) + 1;
                        long total = bits.longBits(36);
                        info = new Info(rate, ch, depth, total);
                        afterInfo = body + blen;
                    } else if (type == 127) {
                        throw new AudioDecodeException(file, "corrupt FLAC header: metadata block type 127");
                    }
                    if ((long) body + blen > len) {
                        throw new FlacBits.Truncated();
                    }
                    bits.seek(body + blen);
                }
            } catch (FlacBits.Truncated | AudioDecodeException e) {
                if (!whole) {
                    throw e;
                }
                // A damaged block after STREAMINFO (a tagger's wrong length, a flipped "last block" bit) hides where
                // the frames start, not the frames: they are found by their sync code and CRCs, as jflac found them.
                int start = info == null ? -1 : firstFrame(afterInfo);
                if (start < 0) {
                    throw e instanceof AudioDecodeException ade ? ade : new AudioDecodeException(file,
                            "truncated header: the FLAC metadata ends early" + (info == null
                                    ? " (no FLAC STREAMINFO block)" : " and no frame follows it"));
                }
                bits.seek(start);
            }
            int start = bits.bytePos();
            if (start + 1 < len && !((b[start] & 0xFF) == 0xFF && (b[start + 1] & 0xFE) == 0xF8)) {
                // the metadata parsed but does not end at a frame sync code (a block's length damaged): as above (a
                // frame that starts there but is damaged is the frame loop's to refuse)
                if (!whole) {
                    return -1;
                }
                int found = firstFrame(afterInfo);
                start = found >= 0 ? found : start;   // none: the frame loop names what is wrong at start
            }
            return start;
        }

        /**
         * The first byte from {@code from} on where a whole frame passes its CRCs, or -1 (a sync code at a byte that is
         * no frame passes the header's CRC-8 by chance once in 256 tries, and then fails the frame's CRC-16).
         */
        private int firstFrame(int from) {
            FlacFrame probe = new FlacFrame(b, len, info.rate, info.channels, info.bits);
            for (int p = Math.max(4, from); p + 1 < len; p++) {
                if ((b[p] & 0xFF) == 0xFF && (b[p + 1] & 0xFE) == 0xF8) {
                    try {
                        probe.decode(p);
                        return p;
                    } catch (FlacBits.Truncated | FlacFrame.Bad e) {
                        // not a frame: go on
                    }
                }
            }
            return -1;
        }

        @Override
        public int channels() {
            return info.channels;
        }

        @Override
        public int sampleRate() {
            return info.rate;
        }

        @Override
        public PcmBuffer buffer() {
            return buf;
        }

        @Override
        public boolean next() throws IOException {
            if (done) {
                return false;
            }
            if (!eof && len - pos < REFILL) {
                slide(pos, false);
            }
            if (pos >= len || eof && len - pos == 128 && b[pos] == 'T' && b[pos + 1] == 'A' && b[pos + 2] == 'G') {
                return finish();   // the data's end, or an ID3v1 tag at the end
            }
            // Past STREAMINFO's count, what follows is audio only if it is a whole frame that passes its CRCs (a
            // count written wrong, or damaged, must not cut the stream short); else it is a tag or padding.
            long n = buf.end();
            boolean past = info.total > 0 && n >= info.total;
            try {
                pos = f.decode(pos);
            } catch (FlacBits.Truncated e) {
                if (!eof) {
                    slide(pos, true);   // a frame larger than what the window held: decoded again, whole
                    return true;
                }
                if (past) {
                    return finish();
                }
                throw new AudioDecodeException(file, "truncated data: the FLAC stream ends inside the frame at byte "
                        + (off + pos) + " (" + n + " samples decoded" + (info.total > 0 ? " of " + info.total : "")
                        + ")");
            } catch (FlacFrame.Bad e) {
                if (past) {
                    return finish();
                }
                throw new AudioDecodeException(file, "corrupt FLAC data: the frame at byte " + (off + pos) + ": "
                        + e.getMessage());
            }
            int block = f.blockSize();
            if (n + block > max) {
                throw AudioLimits.tooLongStream(file, info.rate, info.channels, max);
            }
            for (int c = 0; c < info.channels; c++) {
                int[] q = f.channel(c);
                int o = buf.reserve(c, block);
                float[] out = buf.array();
                for (int i = 0; i < block; i++) {
                    out[o + i] = q[i] * scale;   // v / 2^(bits-1), exact up to 24 bits
                }
                buf.wrote(c, block);
            }
            return true;
        }

        /**
         * The end of the frames: fewer samples than STREAMINFO's count is truncated data (a last block past the count is
         * kept whole, as jflac did).
         */
        private boolean finish() throws AudioDecodeException {
            done = true;
            long n = buf.end();
            if (info.total > 0 && n < info.total) {
                throw new AudioDecodeException(file, "truncated data: STREAMINFO announces " + info.total
                        + " samples, " + n + " decoded");
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }
}
