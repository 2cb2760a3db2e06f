package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * AIFF and AIFF-C decoder, by hand like {@link WavReader}. Why not the JDK's reader, which the decoder used before
 * 2026-12-07: it reads plain AIFF only, so the AIFF-C files macOS tools write ({@code sowt}: little-endian PCM,
 * {@code fl32}: float) failed with "no decoder accepts it", and its errors name no cause.
 *
 * <p>Layout (Apple, "Audio Interchange File Format" 1.3 and its AIFF-C draft): a big-endian IFF {@code FORM} of type
 * {@code AIFF} or {@code AIFC} holding chunks in any order, each padded to an even length; {@code COMM}: channels
 * (int16), sample frames (uint32), sample size in bits (int16), sample rate (80-bit IEEE 754 extended), and in AIFF-C
 * a compression type (4 characters) and its name; {@code SSND}: offset and block size (uint32 each), then the
 * interleaved frames from {@code 8 + offset}.
 *
 * <p>Supported: AIFF and AIFF-C {@code NONE}/{@code twos} (big-endian signed PCM of 8, 16, 24 or 32 bits), {@code sowt}
 * (little-endian signed PCM of 16, 24 or 32 bits), {@code fl32}/{@code FL32} and {@code fl64}/{@code FL64} (big-endian
 * float). Scaling as {@link WavReader}: {@code v / 2^(bits-1)} (AIFF's 8-bit samples are signed), floats as they are
 * (NaN and infinities refused). Sample sizes that are not whole bytes (12, 20 bits) are stored left-justified in whole
 * bytes and read as the next whole size, which gives the same values. Errors name the file: not AIFF, truncated
 * header or data, no COMM or SSND chunk, an unsupported compression (named: {@code ulaw}, {@code alaw}, {@code ima4},
 * ...) or sample size, a rate, channel count or length outside {@link AudioLimits}, zero frames.
 */
final class AiffReader {

    private AiffReader() {}

    /** Decode an AIFF or AIFF-C file. */
    static Audio read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new AudioDecodeException(file, "file of " + size + " bytes is too large");
        }
        return decode(Files.readAllBytes(file), file);
    }

    /** The fields of the COMM chunk that decoding needs. */
    private record Comm(int channels, long frames, int bits, int rate, String compression) {

        int bytes() {
            return (bits + 7) / 8;
        }

        int frameBytes() {
            return bytes() * channels;
        }
    }

    /** Where a file's sample frames lie: its COMM fields and the byte offset of frame 0. */
    private record Layout(Comm comm, long start) {}

    /** Up to {@code n} bytes of a file from byte {@code pos} (the whole file in memory, or read from its channel). */
    @FunctionalInterface
    private interface Bytes {
        ByteBuffer read(long pos, int n) throws IOException;
    }

    static Audio decode(byte[] b, Path file) throws AudioDecodeException {
        Layout l;
        try {
            l = layout((pos, n) -> ByteBuffer.wrap(b, (int) pos, n).slice(), b.length, file, true);
        } catch (AudioDecodeException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e);   // an array is not read
        }
        int frames = (int) l.comm().frames();
        float[] out = new float[l.comm().channels() * frames];
        convert(ByteBuffer.wrap(b, (int) l.start(), frames * l.comm().frameBytes()).slice(), frames, 0, l.comm(), out,
                file);
        return new Audio(out, l.comm().channels(), frames, l.comm().rate());
    }

    /**
     * The header's chunks, walked as a whole decode walks them (chunks in any order, the last COMM and SSND taken, a
     * chunk running past the file's {@code size} ends the walk), and the checks on them. {@code limitLength}: the
     * whole decode's 30-minute bound ({@link AudioLimits#checkFrames}); a window reads any length an int counts.
     */
    private static Layout layout(Bytes src, long size, Path file, boolean limitLength) throws IOException {
        if (size < 12) {
            throw new AudioDecodeException(file, "truncated header: " + size + " bytes, an AIFF header needs 12");
        }
        ByteBuffer head = src.read(0, 12);
        String form = ascii(head, 0);
        String type = ascii(head, 8);
        if (!form.equals("FORM") || !(type.equals("AIFF") || type.equals("AIFC"))) {
            throw new AudioDecodeException(file, "not an AIFF or AIFF-C file");
        }
        boolean aifc = type.equals("AIFC");
        Comm comm = null;
        long ssnd = -1;
        long ssndLen = 0;
        long pos = 12;
        while (pos + 8 <= size) {
            ByteBuffer h = src.read(pos, 8).order(ByteOrder.BIG_ENDIAN);
            String id = ascii(h, 0);
            long len = h.getInt(4) & 0xFFFFFFFFL;
            long body = pos + 8;
            if (id.equals("COMM")) {
                if (len < 18 || body + len > size || (aifc && len < 22)) {
                    throw new AudioDecodeException(file, "truncated header: COMM chunk of " + len + " bytes, "
                            + Math.max(0, size - body) + " present (" + (aifc ? 22 : 18) + " needed)");
                }
                comm = comm(src.read(body, aifc ? 22 : 18).order(ByteOrder.BIG_ENDIAN), aifc, file, limitLength);
            } else if (id.equals("SSND")) {
                ssnd = body;
                ssndLen = Math.min(len, size - body);   // checked against COMM's frame count below
            }
            long next = body + len + (len & 1);
            if (next > size) {
                break;
            }
            pos = next;
        }
        if (comm == null) {
            throw new AudioDecodeException(file, "no COMM chunk");
        }
        if (ssnd < 0 || ssndLen < 8) {
            throw new AudioDecodeException(file, ssnd < 0 ? "no SSND chunk" : "truncated header: SSND chunk of "
                    + ssndLen + " bytes");
        }
        long offset = src.read(ssnd, 4).order(ByteOrder.BIG_ENDIAN).getInt(0) & 0xFFFFFFFFL;
        long start = ssnd + 8 + offset;
        long need = comm.frames() * comm.frameBytes();
        if (start + need > ssnd + ssndLen) {
            throw new AudioDecodeException(file, "truncated data: COMM announces " + comm.frames() + " sample frames ("
                    + need + " bytes), the SSND chunk holds " + Math.max(0, ssnd + ssndLen - start));
        }
        if (comm.frames() == 0) {
            throw new AudioDecodeException(file, "zero-length audio (COMM announces no sample frames)");
        }
        if (comm.frames() > BlockWindow.MAX_FRAMES) {
            throw new AudioDecodeException(file, "bad COMM chunk: " + comm.frames() + " sample frames");
        }
        return new Layout(comm, start);
    }

    /**
     * {@code frames} interleaved frames from src's position 0 into planar out (channels, frames); {@code first}: the
     * first one's number in the file (for errors).
     */
    private static void convert(ByteBuffer src, int frames, long first, Comm comm, float[] out, Path file)
            throws AudioDecodeException {
        int ch = comm.channels();
        int bytes = comm.bytes();
        int frameBytes = comm.frameBytes();
        boolean little = comm.compression().equals("sowt");
        boolean isFloat = comm.compression().equalsIgnoreCase("fl32") || comm.compression().equalsIgnoreCase("fl64");
        ByteBuffer d = src.order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        double scale = 1.0 / (1L << (8 * bytes - 1));
        for (int i = 0; i < frames; i++) {
            int p = i * frameBytes;
            for (int c = 0; c < ch; c++, p += bytes) {
                double v;
                if (isFloat) {
                    v = bytes == 4 ? d.getFloat(p) : d.getDouble(p);
                    if (!Double.isFinite(v)) {
                        throw new AudioDecodeException(file, (Double.isNaN(v) ? "NaN" : "infinite")
                                + " sample at frame " + (first + i) + ", channel " + c);
                    }
                    out[c * frames + i] = (float) v;
                    continue;
                }
                long q = switch (bytes) {
                    case 1 -> d.get(p);
                    case 2 -> d.getShort(p);
                    case 3 -> little ? (d.get(p) & 0xFF) | (d.get(p + 1) & 0xFF) << 8 | d.get(p + 2) << 16
                            : d.get(p) << 16 | (d.get(p + 1) & 0xFF) << 8 | (d.get(p + 2) & 0xFF);
                    default -> d.getInt(p);
                };
                out[c * frames + i] = (float) (q * scale);
            }
        }
    }

    /**
     * An AIFF or AIFF-C file opened for reading sample frames by window, without loading it: the samples
     * {@link #decode} gives, read where they lie (as {@link WavReader.Window}). Its header is checked as a whole
     * decode checks it, but for the 30-minute bound. Not thread-safe; close it when done.
     */
    static final class Window implements AudioWindow {
        private final FileChannel ch;
        private final Path file;
        private final Layout layout;

        private Window(FileChannel ch, Path file, Layout layout) {
            this.ch = ch;
            this.file = file;
            this.layout = layout;
        }

        @Override
        public int channels() {
            return layout.comm().channels();
        }

        @Override
        public int sampleRate() {
            return layout.comm().rate();
        }

        @Override
        public int frames() {
            return (int) layout.comm().frames();
        }

        @Override
        public float[] read(int from, int count) throws IOException {
            if (from < 0 || count < 0 || (long) from + count > frames()) {
                throw new IllegalArgumentException(file + ": frames [" + from + ", " + ((long) from + count)
                        + ") outside [0, " + frames() + ")");
            }
            int fb = layout.comm().frameBytes();
            ByteBuffer bb = bytes(ch, file, layout.start() + (long) from * fb, count * fb, true);
            float[] out = new float[channels() * count];
            convert(bb, count, from, layout.comm(), out, file);
            return out;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** Open an AIFF or AIFF-C file for windowed reading ({@link Window}). */
    static Window open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file);
        try {
            long size = ch.size();
            return new Window(ch, file, layout((pos, n) -> bytes(ch, file, pos, n, false), size, file, false));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** n bytes of the file from pos (fewer at its end, unless {@code whole}: a file that ends first is refused). */
    private static ByteBuffer bytes(FileChannel ch, Path file, long pos, int n, boolean whole) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(n);
        while (bb.hasRemaining()) {
            if (ch.read(bb, pos + bb.position()) < 0) {
                if (whole) {
                    throw new AudioDecodeException(file, "truncated data: the file ended at byte " + (pos
                            + bb.position()));
                }
                break;
            }
        }
        return bb.flip();
    }

    private static Comm comm(ByteBuffer bb, boolean aifc, Path file, boolean limitLength)
            throws AudioDecodeException {
        int channels = bb.getShort(0);
        long frames = bb.getInt(2) & 0xFFFFFFFFL;
        int bits = bb.getShort(6);
        double rate = extended(bb, 8);
        String compression = aifc ? ascii(bb, 18) : "NONE";
        AudioLimits.checkFormat(file, rate, channels);
        if (limitLength) {
            AudioLimits.checkFrames(file, frames, (int) rate, channels);
        }
        boolean pcm = compression.equals("NONE") || compression.equals("twos") || compression.equals("sowt");
        boolean isFloat = compression.equalsIgnoreCase("fl32") || compression.equalsIgnoreCase("fl64");
        if (!pcm && !isFloat) {
            throw new AudioDecodeException(file, "unsupported codec: AIFF-C compression '" + printable(compression)
                    + "' (supported: NONE, twos, sowt, fl32, fl64)");
        }
        if (isFloat ? bits != (compression.equalsIgnoreCase("fl32") ? 32 : 64) && bits != 0
                : bits < 1 || bits > 32) {
            throw new AudioDecodeException(file, "unsupported codec: " + bits + "-bit samples with compression '"
                    + printable(compression) + "'");
        }
        if (isFloat) {
            bits = compression.equalsIgnoreCase("fl32") ? 32 : 64;   // some writers put 0 here
        }
        return new Comm(channels, frames, bits, (int) rate, compression);
    }

    /**
     * An 80-bit IEEE 754 extended float (sign, 15-bit exponent biased by 16383, 64-bit mantissa with an explicit
     * integer bit) as a double: mantissa * 2^(exponent - 16383 - 63). AIFF states its sample rate so.
     */
    static double extended(ByteBuffer bb, int p) {
        int se = bb.getShort(p) & 0xFFFF;
        long mant = bb.getLong(p + 2);
        int exp = (se & 0x7FFF) - 16383 - 63;
        double v = Math.scalb((double) (mant >>> 1) * 2 + (mant & 1), exp);   // unsigned 64-bit mantissa
        return (se & 0x8000) != 0 ? -v : v;
    }

    private static String ascii(ByteBuffer b, int at) {
        byte[] four = new byte[4];
        b.get(at, four);
        return new String(four, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        StringBuilder o = new StringBuilder();
        for (char c : s.toCharArray()) {
            o.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return o.toString();
    }
}
