package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * RIFF/WAVE decoder, written by hand rather than through {@code javax.sound.sampled} so that every
 * malformed file gets a precise error (the JDK reader silently returns short streams for truncated
 * data and does not read 64-bit float).
 *
 * <p>Supported: format tag 1 (integer PCM, 8-bit unsigned, 16/24/32-bit signed), tag 3 (IEEE float,
 * 32 and 64 bit), tags 6 and 7 (G.711 A-law and mu-law, 8-bit codes, {@link G711}), and tag 0xFFFE
 * (WAVE_FORMAT_EXTENSIBLE) whose sub-format GUID is one of those;
 * the rates, channel counts and durations of {@link AudioLimits}; chunks in any order with unknown chunks skipped (LIST, fact,
 * cue, ...; odd-sized chunks are followed by a pad byte, as RIFF requires). Scaling: integer PCM is
 * {@code v / 2^(bits-1)} (8-bit: {@code (u - 128) / 128}); this is what soundfile returns and is exact
 * in float32 up to 24 bits. Float samples are returned as they are (values beyond +-1 kept).
 *
 * <p>Errors (all {@link AudioDecodeException} naming the file; nothing is returned on error): empty
 * file, truncated header, not a RIFF/WAVE file, missing fmt or data chunk, unsupported codec (ADPCM,
 * MPEG-in-WAV, odd bit depths), inconsistent block alignment, truncated data (the
 * data chunk declares more bytes than the file holds, or ends inside a sample frame), zero-length
 * audio, NaN or infinite float samples, a rate, channel count or length outside {@link AudioLimits}.
 *
 * <p>A data chunk of size 0xFFFFFFFF is a streaming writer's "size unknown" (ffmpeg writing WAV to a pipe, {@code
 * ffmpeg -i x.mp3 -f wav - > x.wav}, puts it in both the RIFF and the data size): its data runs to the end of the
 * file ({@link #dataBytes}), as libsndfile reads it; such files used to be refused as truncated.
 *
 * <p>Omitted: RF64/BW64 (files over 4 GiB).
 */
public final class WavReader {

    private static final int WAVE_FORMAT_PCM = 0x0001;
    private static final int WAVE_FORMAT_IEEE_FLOAT = 0x0003;
    private static final int WAVE_FORMAT_ALAW = 0x0006;
    private static final int WAVE_FORMAT_MULAW = 0x0007;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

    private WavReader() {}

    /** True if {@code head} (the first bytes of a file) starts like a RIFF/WAVE file. */
    public static boolean sniff(byte[] head) {
        return head.length >= 12 && head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F'
                && head[8] == 'W' && head[9] == 'A' && head[10] == 'V' && head[11] == 'E';
    }

    /** Decode a WAV file. */
    public static Audio read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new AudioDecodeException(file, "file of " + size + " bytes is too large (RF64 is not supported)");
        }
        return decode(Files.readAllBytes(file), file);
    }

    /** Decode the bytes of a WAV file; {@code file} names it in error messages. */
    public static Audio decode(byte[] b, Path file) throws AudioDecodeException {
        if (b.length == 0) {
            throw new AudioDecodeException(file, "empty file (0 bytes)");
        }
        if (b.length < 12) {
            throw new AudioDecodeException(file, "truncated header: " + b.length + " bytes, a RIFF/WAVE header needs 12");
        }
        if (!sniff(b)) {
            throw new AudioDecodeException(file, "not a RIFF/WAVE file");
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        Format fmt = null;
        int pos = 12;
        while (true) {
            if (pos + 8 > b.length) {
                // Chunks ended without a data chunk: either the header is cut or the data chunk is missing.
                String what = fmt == null ? "no fmt chunk" : "no data chunk";
                throw new AudioDecodeException(file, pos == b.length
                        ? what + " (file ends after " + b.length + " bytes)"
                        : "truncated header: chunk header cut at byte " + pos + " of " + b.length);
            }
            String id = new String(b, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            long len = bb.getInt(pos + 4) & 0xFFFFFFFFL;
            int body = pos + 8;
            if (id.equals("fmt ")) {
                if (body + len > b.length || len < 16) {
                    throw new AudioDecodeException(file, "truncated header: fmt chunk of " + len + " bytes, "
                            + Math.max(0, b.length - body) + " present (16 needed)");
                }
                fmt = Format.parse(bb, body, (int) len, file);
            } else if (id.equals("data")) {
                if (fmt == null) {
                    throw new AudioDecodeException(file, "data chunk before fmt chunk");
                }
                long avail = b.length - body;
                len = dataBytes(len, avail, fmt.blockAlign, file);
                if (len % fmt.blockAlign != 0) {
                    throw new AudioDecodeException(file, "truncated data: " + len + " bytes is not a whole number of "
                            + fmt.blockAlign + "-byte sample frames");
                }
                long frames0 = len / fmt.blockAlign;
                AudioLimits.checkFrames(file, frames0, fmt.sampleRate, fmt.channels);
                int frames = (int) frames0;
                if (frames == 0) {
                    throw new AudioDecodeException(file, "zero-length audio (data chunk holds no sample frames)");
                }
                return new Audio(samples(bb, body, frames, fmt, file), fmt.channels, frames, fmt.sampleRate);
            }
            long next = body + len + (len & 1);
            if (next > b.length && !id.equals("fmt ")) {
                throw new AudioDecodeException(file, "truncated header: '" + printable(id) + "' chunk of " + len
                        + " bytes runs past the end of the file, before any data chunk");
            }
            pos = (int) Math.min(next, b.length);
        }
    }

    private static float[] samples(ByteBuffer bb, int off, int frames, Format f, Path file)
            throws AudioDecodeException {
        int ch = f.channels;
        float[] out = new float[ch * frames];
        if (f.blockAlign == f.bits / 8 * ch) {   // packed frames: the common layouts in bulk
            if (!f.isFloat && f.bits == 16) {
                pcm16(bb, off, frames, ch, out);
                return out;
            }
            if (!f.isFloat && f.bits == 24) {
                pcm24(bb, off, frames, ch, out);
                return out;
            }
            if (f.isFloat && f.bits == 32) {
                float32(bb, off, frames, ch, out, file);
                return out;
            }
        }
        int bytes = f.bits / 8;
        for (int i = 0; i < frames; i++) {
            int p = off + i * f.blockAlign;
            for (int c = 0; c < ch; c++, p += bytes) {
                float v;
                if (f.isFloat) {
                    double d = f.bits == 32 ? bb.getFloat(p) : bb.getDouble(p);
                    if (!Double.isFinite(d)) {
                        throw new AudioDecodeException(file, (Double.isNaN(d) ? "NaN" : "infinite")
                                + " sample at frame " + i + ", channel " + c);
                    }
                    v = (float) d;
                } else if (f.g711 != 0) {
                    v = G711.decode(f.g711, bb.get(p) & 0xFF) / 32768f;
                } else {
                    switch (f.bits) {
                        case 8 -> v = ((bb.get(p) & 0xFF) - 128) / 128f;
                        case 16 -> v = bb.getShort(p) / 32768f;
                        case 24 -> v = (((bb.get(p) & 0xFF) | (bb.get(p + 1) & 0xFF) << 8 | bb.get(p + 2) << 16))
                                / 8388608f;
                        default -> v = (float) (bb.getInt(p) / 2147483648.0);
                    }
                }
                out[c * frames + i] = v;
            }
        }
        return out;
    }

    /**
     * Interleaved 16-bit PCM, the common case, into planar out (ch, frames): the same floats as the general loop
     * (s / 32768f), at a fraction of its cost (it asked the format per sample and read each through the buffer's
     * bounds checks: 9 % of an embed run's time, bench/RESULTS.md, session 41). Shorts are bulk-read a block at
     * a time, then spread over the channels. 24-bit PCM and 32-bit float take the same route below.
     */
    private static void pcm16(ByteBuffer bb, int off, int frames, int ch, float[] out) {
        java.nio.ShortBuffer sb = bb.duplicate().position(off).slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        short[] block = new short[Math.min(frames, 8192) * ch];   // (frames of this block, ch) interleaved
        for (int i0 = 0; i0 < frames; i0 += 8192) {
            int n = Math.min(8192, frames - i0);
            sb.get(block, 0, n * ch);
            for (int c = 0; c < ch; c++) {
                int o = c * frames + i0;
                for (int i = 0, k = c; i < n; i++, k += ch) {
                    out[o + i] = block[k] / 32768f;
                }
            }
        }
    }

    /** Interleaved 24-bit PCM into planar out (ch, frames): the general loop's expression, bytes bulk-read. */
    private static void pcm24(ByteBuffer bb, int off, int frames, int ch, float[] out) {
        ByteBuffer src = bb.duplicate().position(off);
        byte[] block = new byte[Math.min(frames, 8192) * ch * 3];   // (frames of this block, ch, 3 bytes)
        for (int i0 = 0; i0 < frames; i0 += 8192) {
            int n = Math.min(8192, frames - i0);
            src.get(block, 0, n * ch * 3);
            for (int c = 0; c < ch; c++) {
                int o = c * frames + i0;
                for (int i = 0, k = 3 * c; i < n; i++, k += 3 * ch) {
                    out[o + i] = ((block[k] & 0xFF) | (block[k + 1] & 0xFF) << 8 | block[k + 2] << 16) / 8388608f;
                }
            }
        }
    }

    /**
     * Interleaved 32-bit float into planar out (ch, frames), bulk-read; a NaN or infinite sample is refused with its
     * frame and channel, as by the general loop.
     */
    private static void float32(ByteBuffer bb, int off, int frames, int ch, float[] out, Path file)
            throws AudioDecodeException {
        java.nio.FloatBuffer fb = bb.duplicate().position(off).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] block = new float[Math.min(frames, 8192) * ch];   // (frames of this block, ch) interleaved
        for (int i0 = 0; i0 < frames; i0 += 8192) {
            int n = Math.min(8192, frames - i0);
            fb.get(block, 0, n * ch);
            for (int k = 0; k < n * ch; k++) {   // in file order: the first bad sample is the one named
                if (!Float.isFinite(block[k])) {
                    throw new AudioDecodeException(file, (Float.isNaN(block[k]) ? "NaN" : "infinite")
                            + " sample at frame " + (i0 + k / ch) + ", channel " + k % ch);
                }
            }
            for (int c = 0; c < ch; c++) {
                int o = c * frames + i0;
                for (int i = 0, k = c; i < n; i++, k += ch) {
                    out[o + i] = block[k];
                }
            }
        }
    }

    private static String printable(String id) {
        StringBuilder sb = new StringBuilder();
        for (char ch : id.toCharArray()) {
            sb.append(ch >= 32 && ch < 127 ? ch : '?');
        }
        return sb.toString();
    }

    /**
     * A WAV file opened for reading sample frames by window, without loading it (for long recordings: a 60-minute
     * stereo float file is 1.3 GB decoded). Samples are decoded exactly as {@link #read} decodes them. Not
     * thread-safe; close it when done.
     */
    public static final class Window implements AudioWindow {
        private final java.nio.channels.FileChannel ch;
        private final Path file;
        private final Format fmt;
        private final long dataOffset;
        private final int frames;

        private Window(java.nio.channels.FileChannel ch, Path file, Format fmt, long dataOffset, int frames) {
            this.ch = ch;
            this.file = file;
            this.fmt = fmt;
            this.dataOffset = dataOffset;
            this.frames = frames;
        }

        @Override
        public int channels() {
            return fmt.channels;
        }

        @Override
        public int sampleRate() {
            return fmt.sampleRate;
        }

        @Override
        public int frames() {
            return frames;
        }

        @Override
        public float[] read(int from, int count) throws IOException {
            if (from < 0 || count < 0 || (long) from + count > frames) {
                throw new IllegalArgumentException(file + ": frames [" + from + ", " + ((long) from + count)
                        + ") outside [0, " + frames + ")");
            }
            ByteBuffer bb = ByteBuffer.allocate(count * fmt.blockAlign).order(ByteOrder.LITTLE_ENDIAN);
            long pos = dataOffset + (long) from * fmt.blockAlign;
            while (bb.hasRemaining()) {
                int r = ch.read(bb, pos + bb.position());
                if (r < 0) {
                    throw new AudioDecodeException(file, "truncated data: the file ended while reading frame " + from);
                }
            }
            return samples(bb, 0, count, fmt, file);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** Open a WAV file for windowed reading; the header is checked as {@link #decode} checks it. */
    public static Window open(Path file) throws IOException {
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file);
        boolean ok = false;
        try {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(12);
            ch.read(head, 0);
            if (size < 12 || !sniff(head.array())) {
                throw new AudioDecodeException(file, size < 12 ? "truncated header: " + size + " bytes" : "not a RIFF/WAVE file");
            }
            Format fmt = null;
            long pos = 12;
            while (true) {
                if (pos + 8 > size) {
                    throw new AudioDecodeException(file, fmt == null ? "no fmt chunk" : "no data chunk");
                }
                ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(h, pos);
                String id = new String(h.array(), 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                long len = h.getInt(4) & 0xFFFFFFFFL;
                long body = pos + 8;
                if (id.equals("fmt ")) {
                    if (body + len > size || len < 16 || len > 1 << 16) {
                        throw new AudioDecodeException(file, "truncated or bad header: fmt chunk of " + len + " bytes");
                    }
                    ByteBuffer f = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
                    ch.read(f, body);
                    fmt = Format.parse(f, 0, (int) len, file);
                } else if (id.equals("data")) {
                    if (fmt == null) {
                        throw new AudioDecodeException(file, "data chunk before fmt chunk");
                    }
                    len = dataBytes(len, size - body, fmt.blockAlign, file);
                    if (len % fmt.blockAlign != 0) {
                        throw new AudioDecodeException(file, "truncated data: " + len + " bytes is not a whole number of "
                                + fmt.blockAlign + "-byte sample frames");
                    }
                    long frames = len / fmt.blockAlign;
                    if (frames == 0 || frames > Integer.MAX_VALUE) {
                        throw new AudioDecodeException(file, "bad data chunk: " + frames + " sample frames");
                    }
                    ok = true;
                    return new Window(ch, file, fmt, body, (int) frames);
                }
                pos = body + len + (len & 1);
            }
        } finally {
            if (!ok) {
                ch.close();
            }
        }
    }

    /**
     * ITU-T G.711 expansion of an 8-bit code to 16-bit linear PCM (the classic Sun g711.c, which libsndfile's tables
     * equal for all 256 codes of both laws, checked): mu-law: complement the code, t = ((mantissa << 3) + 0x84) <<
     * exponent, value = +-(t - 0x84); A-law: the code XOR 0x55, t = (mantissa << 4) + 8 in segment 0, else (mantissa
     * << 4) + 0x108 shifted by segment - 1, value = +-t. Decoded as soundfile returns them: value / 32768.
     */
    static final class G711 {

        private G711() {}

        static int decode(int law, int code) {
            if (law == WAVE_FORMAT_MULAW) {
                int u = ~code & 0xFF;
                int t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
                return (u & 0x80) != 0 ? 0x84 - t : t - 0x84;
            }
            int a = code ^ 0x55;
            int t = (a & 0x0F) << 4;
            int seg = (a & 0x70) >> 4;
            t = seg == 0 ? t + 8 : (t + 0x108) << (seg - 1);
            return (a & 0x80) != 0 ? t : -t;
        }
    }

    /** A data chunk size that means "unknown": the data runs to the end of the file. */
    static final long UNKNOWN_SIZE = 0xFFFFFFFFL;

    /**
     * The bytes of a data chunk that declares {@code declared} with {@code avail} bytes left in the file: the declared
     * size, or for {@link #UNKNOWN_SIZE} the rest of the file, which must then be whole sample frames (a stream cut
     * inside a frame is truncated data like any other).
     */
    static long dataBytes(long declared, long avail, int blockAlign, Path file) throws AudioDecodeException {
        if (declared == UNKNOWN_SIZE) {
            if (avail % blockAlign != 0) {
                throw new AudioDecodeException(file, "truncated data: the data chunk of unknown size (0xFFFFFFFF, a "
                        + "streaming writer's) ends inside a sample frame (" + avail + " bytes, " + blockAlign
                        + "-byte frames)");
            }
            return avail;
        }
        if (declared > avail) {
            throw new AudioDecodeException(file, "truncated data: data chunk declares " + declared + " bytes, the file "
                    + "holds " + avail);
        }
        return declared;
    }

    /**
     * The fmt chunk's fields that decoding needs; {@code g711} is {@link #WAVE_FORMAT_ALAW} or {@link #WAVE_FORMAT_MULAW}
     * for G.711 companded 8-bit samples, else 0.
     */
    private record Format(int channels, int sampleRate, int blockAlign, int bits, boolean isFloat, int g711) {

        static Format parse(ByteBuffer bb, int p, int len, Path file) throws AudioDecodeException {
            int tag = bb.getShort(p) & 0xFFFF;
            int channels = bb.getShort(p + 2) & 0xFFFF;
            long rate = bb.getInt(p + 4) & 0xFFFFFFFFL;
            int blockAlign = bb.getShort(p + 12) & 0xFFFF;
            int bits = bb.getShort(p + 14) & 0xFFFF;
            if (tag == WAVE_FORMAT_EXTENSIBLE) {
                if (len < 40) {
                    throw new AudioDecodeException(file, "truncated header: WAVE_FORMAT_EXTENSIBLE fmt chunk of "
                            + len + " bytes (40 needed)");
                }
                tag = bb.getShort(p + 24) & 0xFFFF;   // first two bytes of the sub-format GUID
            }
            boolean isFloat;
            if (tag == WAVE_FORMAT_PCM) {
                if (bits != 8 && bits != 16 && bits != 24 && bits != 32) {
                    throw new AudioDecodeException(file, "unsupported codec: " + bits + "-bit integer PCM");
                }
                isFloat = false;
            } else if (tag == WAVE_FORMAT_IEEE_FLOAT) {
                if (bits != 32 && bits != 64) {
                    throw new AudioDecodeException(file, "unsupported codec: " + bits + "-bit IEEE float");
                }
                isFloat = true;
            } else if (tag == WAVE_FORMAT_ALAW || tag == WAVE_FORMAT_MULAW) {
                if (bits != 8) {
                    throw new AudioDecodeException(file, "unsupported codec: " + bits + "-bit " + tagName(tag)
                            + " (G.711 codes are 8 bits)");
                }
                isFloat = false;
            } else {
                throw new AudioDecodeException(file, String.format("unsupported codec: WAVE format tag 0x%04X (%s)",
                        tag, tagName(tag)));
            }
            AudioLimits.checkFormat(file, rate, channels);
            if (blockAlign != channels * bits / 8) {
                throw new AudioDecodeException(file, "bad header: block align " + blockAlign + " != channels "
                        + channels + " x " + bits / 8 + " bytes");
            }
            return new Format(channels, (int) rate, blockAlign, bits, isFloat,
                    tag == WAVE_FORMAT_ALAW || tag == WAVE_FORMAT_MULAW ? tag : 0);
        }

        private static String tagName(int tag) {
            return switch (tag) {
                case 0x0002 -> "Microsoft ADPCM";
                case 0x0006 -> "A-law";
                case 0x0007 -> "mu-law";
                case 0x0011 -> "IMA ADPCM";
                case 0x0031 -> "GSM 6.10";
                case 0x0050 -> "MPEG";
                case 0x0055 -> "MPEG layer 3";
                default -> "unknown";
            };
        }
    }
}
