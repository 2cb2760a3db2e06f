package dev.mtdtl.dsp;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.Obuffer;

/**
 * MP3 (MPEG-1, -2 and 2.5 audio, layers I-III) by jlayer's frame decoder, driven here frame by frame.
 *
 * <p>Why not through mp3spi's {@code javax.sound} stream, as until 2026-12-07: that path decodes each frame into
 * jlayer's float subband output, clips it to 16-bit shorts one {@code append} call at a time, writes them as bytes
 * into a circular buffer, copies those out through an {@code AudioInputStream} and a byte array, and only then were
 * they turned into floats: about a tenth of the decoding time of a 30 s preview, the paper's learning set being
 * 46,490 of them. Here jlayer's synthesis hands each channel's 32 samples to {@link FloatOut}, which applies the same
 * clip and writes the float {@code short / 32768} straight into the channel's array, so the samples are those of the
 * old path bit for bit (checked on LAME files of every MPEG version, mode and bit-rate kind and on 400 damaged ones
 * when this was written; {@code Mp3ReaderTest} keeps comparing the two on real files and 80 damaged copies).
 *
 * <p>What is kept from mp3spi's behaviour: every frame jlayer's {@link Bitstream} finds is decoded (the ID3v2 tag is
 * skipped by the bitstream; the LAME Info/Xing frame decodes to 1,152 zeros; encoder delay and padding are not
 * trimmed: reference digest, decision 2); a frame the decoder rejects ({@link DecoderException}) is dropped and
 * decoding goes on.
 *
 * <p>A damaged frame that jlayer cannot decode at all is dropped too (see {@link Blocks#next}): jlayer signals those
 * with index errors of its tables (side information whose counts pass the 576 lines of a granule, for instance), and
 * until 2026-12-07 such a frame refused the whole file, although its other frames decode as they would without the
 * damage; 1 to 20 random bytes overwritten in a 30 s preview refused 5 of 150 copies that way. Now the samples the
 * frame had written are taken back and the next frame decodes: by the same decoder, whose bit reservoir still holds the
 * bytes that frame's main data may begin in, so the damaged frame is often the only one lost (jlayer skips the next as
 * well when its main data began before where the failed frame's reading stopped), and 1,152 samples later (the IMDCT's
 * overlap and the synthesis filter's history) the samples are those of the undamaged file, one or two frames earlier;
 * after two damaged frames in a row, by a fresh decoder, in case the first left its state inconsistent (the frames
 * whose main data lies in bytes it never received decode to nothing, as after a cut). A damaged Ogg page is skipped the
 * same way ({@link OggReader}). A stream where damaged frames are more than one in eight of the frames (past the
 * first eight: {@link AudioDamage#tooMany}, the rule FLAC shares) is refused instead, naming the file, the frame and
 * the count: that is no longer a file with a damaged spot.
 *
 * <p>Errors name the file: no MPEG audio frame at all, a stream too damaged to decode (above), a damaged or cut
 * stream that jlayer's bitstream cannot read on, a rate or channel count outside {@link AudioLimits}, more audio than
 * the longest accepted length (checked while decoding, so a stream of endless frames is bounded), or no sample at all.
 */
final class Mp3Reader {

    private Mp3Reader() {}

    /** Bytes of a file's start that {@link #chainStart} searches for MPEG audio frames. */
    static final int SEARCH = 1 << 16;

    /** Decode an MP3 file (the caller has sniffed an ID3v2 tag or an MPEG frame sync at its start). */
    static Audio read(Path file) throws IOException {
        return read(file, 0);
    }

    /** Decode an MP3 file from byte {@code start} on (the first frame of {@link #chainStart}'s chain). */
    static Audio read(Path file, long start) throws IOException {
        try (Blocks b = Blocks.open(file, start, -1)) {
            while (b.next()) {
                // every frame
            }
            return b.audio(file);
        }
    }

    /**
     * Where MPEG audio starts in bytes that do not start with it, or -1: the first offset within the first
     * {@code n} bytes where three frame headers follow one another, each at the length the one before declares, all
     * of one MPEG version, layer and sample rate. What this finds: a preview cut inside a frame, or saved behind an
     * HTTP response's headers or other junk (ffmpeg resyncs on such files; jlayer would too, but a file that does
     * not start with a frame sync or an ID3 tag is not taken for MP3 without this evidence). Random bytes hold such a
     * chain with a probability of about 2^-40 per offset; free-format frames (bit-rate index 0) are not chained.
     */
    static int chainStart(byte[] b, int n) {
        for (int i = 0; i + 4 <= n; i++) {
            int len = frameLength(b, i, n);
            if (len <= 0) {
                continue;
            }
            int j = i + len;
            int len2 = j + 4 <= n && same(b, i, j) ? frameLength(b, j, n) : 0;
            int k = j + len2;
            if (len2 > 0 && k + 4 <= n && same(b, i, k) && frameLength(b, k, n) > 0) {
                return i;
            }
        }
        return -1;
    }

    // kbit/s by bit-rate index 1-14: MPEG-1 layers I, II, III; MPEG-2 and 2.5 layer I; layers II and III
    private static final int[][] KBPS = {
        {32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
        {32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
        {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
        {32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
        {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}};
    // Hz by sample-rate index 0-2: MPEG-1, MPEG-2, MPEG-2.5
    private static final int[][] RATES = {{44100, 48000, 32000}, {22050, 24000, 16000}, {11025, 12000, 8000}};

    /**
     * Bytes of the frame whose 4-byte header is at {@code b[i]}, or 0 when it is not a frame header (ISO/IEC 11172-3
     * 2.4.2.3, 13818-3 2.4.2.3): 11 sync bits; version (00 MPEG-2.5, 10 MPEG-2, 11 MPEG-1; 01 reserved); layer (01
     * III, 10 II, 11 I; 00 reserved); bit-rate index 1-14; sample-rate index 0-2; the padding bit. A frame holds 384
     * samples in layer I, 1,152 in layer II and in MPEG-1's layer III, 576 in MPEG-2's, so its bytes are the
     * bits per sample of the frame's bit rate: 12 b / r slots of 4 bytes (layer I), 144 b / r or 72 b / r bytes,
     * plus one slot of padding.
     */
    static int frameLength(byte[] b, int i, int n) {
        if (i + 4 > n || (b[i] & 0xFF) != 0xFF || (b[i + 1] & 0xE0) != 0xE0) {
            return 0;
        }
        int version = b[i + 1] >> 3 & 3;
        int layer = b[i + 1] >> 1 & 3;
        int bri = (b[i + 2] & 0xFF) >> 4;
        int sri = b[i + 2] >> 2 & 3;
        if (version == 1 || layer == 0 || bri == 0 || bri == 15 || sri == 3) {
            return 0;
        }
        boolean mpeg1 = version == 3;
        int pad = b[i + 2] >> 1 & 1;
        int rate = RATES[mpeg1 ? 0 : version == 2 ? 1 : 2][sri];
        int kbps = KBPS[mpeg1 ? 3 - layer : layer == 3 ? 3 : 4][bri - 1];
        if (layer == 3) {
            return (12 * kbps * 1000 / rate + pad) * 4;
        }
        return (layer == 1 && !mpeg1 ? 72 : 144) * kbps * 1000 / rate + pad;
    }

    /** Whether the headers at i and j have one version, layer and sample rate. */
    private static boolean same(byte[] b, int i, int j) {
        return (b[i + 1] & 0x1E) == (b[j + 1] & 0x1E) && (b[i + 2] & 0x0C) == (b[j + 2] & 0x0C);
    }

    /**
     * The frames of an MP3 file pulled one at a time ({@link PcmBlocks}): {@link #read} runs them all, {@link BlockWindow}
     * as far as its reads need.
     */
    static final class Blocks implements PcmBlocks {

        private final Path file;
        private final InputStream in;
        private final Bitstream bits;
        private Decoder decoder;
        private final PcmBuffer buf;
        private final int channels;
        private final int rate;
        private final long max;
        private Header h;   // the next frame's header, null at the end
        private int k = 1;  // its number, from 1
        private int damaged;  // frames dropped because jlayer could not decode them
        private int lastDamaged = -1;  // the last one's number
        private int firstDamaged;  // the first one's number, and where it began (seconds)
        private double firstDamagedAt;
        private boolean said;  // whether dropped() was reported (or is not to be: a later pass of a stream)

        private Blocks(Path file, InputStream in, Bitstream bits, Header first, long maxFrames, boolean quiet)
                throws IOException {
            this.file = file;
            this.said = quiet;
            this.in = in;
            this.bits = bits;
            this.h = first;
            channels = first.mode() == Header.SINGLE_CHANNEL ? 1 : 2;
            rate = first.frequency();
            AudioLimits.checkFormat(file, rate, channels);
            max = maxFrames < 0 ? AudioLimits.maxFrames(rate, channels) : maxFrames;
            int cap = 1 << 14;   // a stream: a few frames (its reader makes room for its windows, drops what it read)
            if (maxFrames < 0) {
                // a whole decode: room for the file's length at the first frame's bit rate, grown when a VBR file
                // needs more
                double seconds = Files.size(file) * 8.0 / Math.max(8000, first.bitrate());
                cap = (int) Math.min(1 << 24, Math.max(cap, seconds * first.frequency() + 4608));
            }
            buf = new PcmBuffer(channels, cap);
            decoder = decoder(buf);
        }

        /** A decoder in its initial state, writing into buf. */
        private static Decoder decoder(PcmBuffer buf) {
            Decoder d = new Decoder();
            d.setOutputBuffer(new FloatOut(buf));
            return d;
        }

        /**
         * Opens the file from byte {@code start} (the first frame of {@link #chainStart}'s chain, or 0) and reads the
         * first frame's header; {@code maxFrames} bounds the decoded length (-1: {@link AudioLimits#maxFrames}, a whole
         * decode, its buffer sized for the file), else a stream read by window.
         */
        static Blocks open(Path file, long start, long maxFrames) throws IOException {
            return open(file, start, maxFrames, false);
        }

        /** {@link #open(Path, long, long)}; {@code quiet}: no line for dropped frames (a later pass of a stream). */
        static Blocks open(Path file, long start, long maxFrames, boolean quiet) throws IOException {
            InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            try {
                in.skipNBytes(start);
                Bitstream bits = new Bitstream(in);
                Header first = bits.readFrame();
                if (first == null) {
                    throw new AudioDecodeException(file, "unsupported codec or corrupt MP3 file: no MPEG audio frame "
                            + "found");
                }
                Blocks b = new Blocks(file, in, bits, first, maxFrames, quiet);
                in = null;
                return b;
            } catch (BitstreamException | RuntimeException e) {
                throw corrupt(file, e);
            } finally {
                if (in != null) {
                    in.close();
                }
            }
        }

        @Override
        public int channels() {
            return channels;
        }

        @Override
        public int sampleRate() {
            return rate;
        }

        @Override
        public PcmBuffer buffer() {
            return buf;
        }

        @Override
        public boolean next() throws IOException {
            if (h == null) {
                if (damaged > 0 && !said) {   // once, at the stream's end
                    AudioDamage.report(dropped());
                    said = true;
                }
                return false;
            }
            long at = buf.end();
            try {
                decoder.decodeFrame(h, bits);
            } catch (DecoderException e) {
                // mp3spi dropped such a frame and went on; so does this reader (its samples are not appended)
            } catch (RuntimeException e) {
                // jlayer signals some damaged frames with index errors of its tables, not with its own exceptions:
                // the frame is dropped (its first granule or channel may have been written); a second one in a row
                // starts a fresh decoder
                buf.truncate(at);
                if (lastDamaged == k - 1) {
                    decoder = decoder(buf);
                }
                lastDamaged = k;
                if (damaged == 0) {
                    firstDamaged = k;
                    firstDamagedAt = at / (double) rate;
                }
                if (AudioDamage.tooMany(++damaged, k)) {
                    throw new AudioDecodeException(file, String.format(java.util.Locale.ROOT,
                            "corrupt MP3 data: %,d of the first %,d frames could not be decoded (the last: frame %,d, "
                                    + "about %.1f s in: %s)", damaged, k, k, at / (double) rate, e), e);
                }
            }
            try {
                bits.closeFrame();
                if (buf.end() > max) {
                    throw AudioLimits.tooLongStream(file, rate, channels, max);
                }
                h = bits.readFrame();
                k++;
                return true;
            } catch (BitstreamException | RuntimeException e) {
                throw corrupt(file, e);
            }
        }

        /** Frames dropped so far because jlayer could not decode them (see the class comment). */
        int damaged() {
            return damaged;
        }

        /**
         * What a stream with dropped frames reports at its end ({@link AudioDamage}): the file, how many frames, the
         * first one and where it began. The audio is still returned: a damaged spot of a preview costs 26 ms of it,
         * refusing the file cost the whole track.
         */
        AudioDamage.Note dropped() {
            return new AudioDamage.Note(file, damaged, "damaged MP3 frame", "dropped", String.format(
                    java.util.Locale.ROOT, "frame %,d", firstDamaged), firstDamagedAt);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private static AudioDecodeException corrupt(Path file, Exception e) {
            // jlayer signals some damaged frames with index errors of its tables, not with its own exceptions
            return e instanceof AudioDecodeException a ? a : new AudioDecodeException(file,
                    "corrupt or truncated MP3 data: " + (e instanceof BitstreamException ? e.getMessage() : e), e);
        }
    }

    /**
     * jlayer's output buffer, planar floats: each call of {@link #appendSamples} brings one channel's next 32 samples
     * of the synthesis filter (scaled to the 16-bit range), clipped and scaled exactly as mp3spi's buffer and the old
     * byte conversion did: above 32767 is 32767, below -32768 is -32768, else the value truncated towards zero to an
     * integer (NaN to 0), then divided by 32768. A frame's channels advance together, so the channels hold equally many
     * frames between frames.
     */
    static final class FloatOut extends Obuffer {

        private final PcmBuffer buf;

        FloatOut(PcmBuffer buf) {
            this.buf = buf;
        }

        @Override
        public void appendSamples(int channel, float[] f) {
            int k = buf.reserve(channel, 32);
            float[] b = buf.array();
            for (int i = 0; i < 32; i++) {
                float s = f[i];
                int q = s > 32767f ? 32767 : s < -32768f ? -32768 : (short) (int) s;
                b[k + i] = q / 32768f;
            }
            buf.wrote(channel, 32);
        }

        @Override
        public void append(int channel, short value) {
            int k = buf.reserve(channel, 1);
            buf.array()[k] = value / 32768f;
            buf.wrote(channel, 1);
        }

        @Override
        public void write_buffer(int val) {}

        @Override
        public void close() {}

        @Override
        public void clear_buffer() {}

        @Override
        public void set_stop_flag() {}
    }
}
