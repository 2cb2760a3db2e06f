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
 * <p>A frame that does not parse, uses a reserved code or fails a CRC (damaged data) is skipped, up to the next frame
 * that passes its CRCs, and the samples it held are silence ({@link Blocks#skipDamaged}); the stream says so once
 * ({@link AudioDamage}). Until 2026-12-08 such a frame refused the whole file. Errors name the file and, for a frame,
 * its byte offset: not FLAC, no STREAMINFO, more than one frame in eight damaged, the data ending inside a frame or
 * before STREAMINFO's sample count (truncated), zero samples, a rate, channel count or length outside
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

    /** Stream parameters from STREAMINFO (section 8.2); {@code block}: its largest block size. */
    private record Info(int rate, int channels, int bits, long total, int block) {}

    /**
     * The frames of a FLAC stream pulled one at a time ({@link PcmBlocks}). Byte offsets in messages count from the
     * stream's start ({@code fLaC}).
     */
    static final class Blocks implements PcmBlocks {

        /** A streaming window's first size, and the bytes left in it below which it is refilled. */
        private static final int WINDOW = 1 << 20;
        private static final int REFILL = 1 << 18;
        /** Most samples a channel that one damaged spot may stand for ({@link #silence}): 2^20, 24 s at 44.1 kHz. */
        static final long MAX_GAP = 1 << 20;

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
        private final boolean quiet;    // no damage note (a later pass of a stream)
        private int frames;             // frames decoded
        private int damaged;            // frames skipped as damaged (see skipDamaged)
        private long firstDamaged;      // the first one's byte, and where its samples began (seconds)
        private double firstDamagedAt;
        private boolean resynced;       // the frame at pos follows a damaged spot: silence fills the gap before it
        private boolean unfilled;       // a gap that no silence filled (its length unknown)

        private Blocks(Path file, FileChannel in, long inPos, boolean quiet) {
            this.file = file;
            this.quiet = quiet;
            this.in = in;
            this.inPos = inPos;
        }

        /**
         * Opens the stream {@code skip} bytes into the file and reads its metadata; {@code maxFrames} as
         * {@link Mp3Reader.Blocks}: -1 for a whole decode (the bytes read at once), else a window of them.
         */
        static Blocks open(Path file, long skip, long maxFrames) throws IOException {
            return open(file, skip, maxFrames, false);
        }

        /** {@link #open(Path, long, long)}; {@code quiet}: no note of damaged frames (a later pass of a stream). */
        static Blocks open(Path file, long skip, long maxFrames, boolean quiet) throws IOException {
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
                Blocks bl = new Blocks(file, null, 0, quiet);
                bl.b = all;
                bl.len = all.length;
                bl.eof = true;
                bl.start(maxFrames);
                return bl;
            }
            FileChannel ch = FileChannel.open(file);
            try {
                Blocks bl = new Blocks(file, ch, skip, quiet);
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
                        bits.bits(16);   // min block size
                        int block = bits.bits(16);
                        bits.bits(24);
                        bits.bits(24);   // min and max frame size
                        int rate = bits.bits(20);
                        int ch = bits.bits(3) + 1;
                        int depth = bits.bits(5) + 1;
                        long total = bits.longBits(36);
                        info = new Info(rate, ch, depth, total, block);
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
                // a frame cut by the data's end, or a damaged one whose coding ran on to it: the latter when a whole
                // frame follows
                AudioDecodeException cut = new AudioDecodeException(file, "truncated data: the FLAC stream ends inside "
                        + "the frame at byte " + (off + pos) + " (" + n + " samples decoded" + (info.total > 0 ? " of "
                        + info.total : "") + ")");
                return skipDamaged("it runs past the data's end", cut);
            } catch (FlacFrame.Bad e) {
                if (past) {
                    return finish();
                }
                return skipDamaged(e.getMessage(), null);
            }
            frames++;
            int block = f.blockSize();
            if (resynced) {
                resynced = false;
                n = silence(n);
            }
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
         * A frame that fails its CRCs or does not parse, before STREAMINFO's count: skipped, with whatever follows it up
         * to the next whole frame that passes both CRCs (a damaged frame may hide the next frame's start, or the next
         * may be damaged too), whose coded number then says how many samples the skipped bytes held: {@link #silence}
         * fills them, so the audio after a damaged spot keeps its time. FLAC frames carry CRCs so that a decoder can
         * resynchronise this way (RFC 9639, section 9), and a damaged spot of a preview costs a frame's 93 ms (4,096
         * samples at 44.1 kHz), where refusing the file cost the whole track. More than one frame in eight damaged
         * (past the first eight, {@link AudioDamage#tooMany}) refuses the file, as for MP3.
         */
        private boolean skipDamaged(String why, AudioDecodeException orElse) throws IOException {
            long at = off + pos;
            long n = buf.end();
            int q = resync(pos + 1);   // may move the window: at and n are taken first
            if (q < 0 && orElse != null) {
                throw orElse;
            }
            if (damaged == 0) {
                firstDamaged = at;
                firstDamagedAt = n / (double) info.rate;
            }
            if (AudioDamage.tooMany(++damaged, frames + damaged)) {
                throw new AudioDecodeException(file, String.format(java.util.Locale.ROOT, "corrupt FLAC data: %,d of "
                        + "the first %,d frames are damaged (the last: the frame at byte %,d: %s)", damaged,
                        frames + damaged, at, why));
            }
            if (q < 0) {
                // no whole frame after it: it was the last, or what follows is no audio; its samples, up to STREAMINFO's
                // count, are silence when no more than a block of them is missing (else frames are lost, not one)
                long missing = info.total - n;
                if (info.total > 0 && missing > Math.max(1, info.block)) {
                    throw new AudioDecodeException(file, String.format(java.util.Locale.ROOT, "corrupt FLAC data: the "
                            + "frame at byte %,d is damaged (%s) and no whole frame follows it (%,d of STREAMINFO's %,d "
                            + "samples decoded)", at, why, n, info.total));
                }
                if (missing > 0) {
                    zeros(missing);
                }
                unfilled |= info.total <= 0;
                return finish();
            }
            pos = q;
            resynced = true;
            return true;
        }

        /**
         * The byte from {@code from} on where a whole frame passes its CRCs, reading more of the file as needed, or -1
         * when none does before the file's end. Where a candidate runs past the window's bytes, the window moves to it
         * (grown when it starts there): the same answer as a whole decode's, whose window is the file.
         */
        private int resync(int from) throws IOException {
            while (true) {
                FlacFrame probe = new FlacFrame(b, len, info.rate, info.channels, info.bits);
                int cut = -1;
                for (int p = from; p + 1 < len; p++) {
                    if ((b[p] & 0xFF) == 0xFF && (b[p + 1] & 0xFE) == 0xF8) {
                        try {
                            probe.decode(p);
                            return p;
                        } catch (FlacBits.Truncated t) {
                            if (!eof) {
                                cut = p;
                                break;
                            }
                        } catch (FlacFrame.Bad bad) {
                            // not a frame, or a damaged one: on
                        }
                    }
                }
                if (eof) {
                    return -1;
                }
                // from the candidate that did not fit, else from the last byte (the first of a sync code, perhaps)
                int at = cut >= 0 ? cut : Math.max(from, len - 1);
                slide(at, at == 0);
                from = 0;
            }
        }

        /**
         * After a damaged spot, the samples it held: the frame just decoded begins at sample {@link
         * FlacFrame#firstSample}, {@code n} were decoded before it, and the difference (at most {@link #MAX_GAP}) is
         * silence; the frames it spans past the first count as damaged too. A difference that is negative or larger
         * (numbers that restart, in streams cut and joined) fills nothing. Returns the samples now decoded.
         */
        private long silence(long n) throws IOException {
            long gap = f.firstSample(info.block) - n;
            if (gap > 0 && gap <= MAX_GAP) {
                zeros(gap);
                if (info.block > 0) {
                    damaged += (int) ((gap - 1) / info.block);
                }
                return n + gap;
            }
            unfilled |= gap != 0;
            return n;
        }

        /** {@code count} zero samples on every channel. */
        private void zeros(long count) throws IOException {
            if (buf.end() + count > max) {
                throw AudioLimits.tooLongStream(file, info.rate, info.channels, max);
            }
            for (int c = 0; c < info.channels; c++) {
                int o = buf.reserve(c, (int) count);
                java.util.Arrays.fill(buf.array(), o, o + (int) count, 0f);
                buf.wrote(c, (int) count);
            }
        }

        /**
         * The end of the frames: fewer samples than STREAMINFO's count is truncated data (a last block past the count is
         * kept whole, as jflac did). A stream with damaged frames says so ({@link AudioDamage}), once.
         */
        private boolean finish() throws AudioDecodeException {
            done = true;
            long n = buf.end();
            if (info.total > 0 && n < info.total) {
                throw new AudioDecodeException(file, "truncated data: STREAMINFO announces " + info.total
                        + " samples, " + n + " decoded" + (damaged > 0 ? " (" + damaged + " damaged frame(s) skipped)"
                        : ""));
            }
            if (damaged > 0 && !quiet) {
                AudioDamage.report(new AudioDamage.Note(file, damaged, "damaged FLAC frame", unfilled ? "skipped"
                        : "replaced by silence", String.format(java.util.Locale.ROOT, "frame at byte %,d", firstDamaged),
                        firstDamagedAt));
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
