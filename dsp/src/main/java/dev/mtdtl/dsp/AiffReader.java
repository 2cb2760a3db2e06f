package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private record Comm(int channels, long frames, int bits, int rate, String compression) {}

    static Audio decode(byte[] b, Path file) throws AudioDecodeException {
        if (b.length < 12) {
            throw new AudioDecodeException(file, "truncated header: " + b.length + " bytes, an AIFF header needs 12");
        }
        String form = ascii(b, 0);
        String type = ascii(b, 8);
        if (!form.equals("FORM") || !(type.equals("AIFF") || type.equals("AIFC"))) {
            throw new AudioDecodeException(file, "not an AIFF or AIFF-C file");
        }
        boolean aifc = type.equals("AIFC");
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        Comm comm = null;
        int ssnd = -1;
        long ssndLen = 0;
        int pos = 12;
        while (pos + 8 <= b.length) {
            String id = ascii(b, pos);
            long len = bb.getInt(pos + 4) & 0xFFFFFFFFL;
            int body = pos + 8;
            if (id.equals("COMM")) {
                if (len < 18 || body + len > b.length || (aifc && len < 22)) {
                    throw new AudioDecodeException(file, "truncated header: COMM chunk of " + len + " bytes, "
                            + Math.max(0, b.length - body) + " present (" + (aifc ? 22 : 18) + " needed)");
                }
                comm = comm(bb, body, aifc, file);
            } else if (id.equals("SSND")) {
                ssnd = body;
                ssndLen = Math.min(len, b.length - body);   // checked against COMM's frame count below
            }
            long next = body + len + (len & 1);
            if (next > b.length) {
                break;
            }
            pos = (int) next;
        }
        if (comm == null) {
            throw new AudioDecodeException(file, "no COMM chunk");
        }
        if (ssnd < 0 || ssndLen < 8) {
            throw new AudioDecodeException(file, ssnd < 0 ? "no SSND chunk" : "truncated header: SSND chunk of "
                    + ssndLen + " bytes");
        }
        long offset = bb.getInt(ssnd) & 0xFFFFFFFFL;
        int bytes = (comm.bits() + 7) / 8;
        long frameBytes = (long) bytes * comm.channels();
        long start = ssnd + 8 + offset;
        long need = comm.frames() * frameBytes;
        if (start + need > ssnd + ssndLen) {
            throw new AudioDecodeException(file, "truncated data: COMM announces " + comm.frames() + " sample frames ("
                    + need + " bytes), the SSND chunk holds " + Math.max(0, ssnd + ssndLen - start));
        }
        if (comm.frames() == 0) {
            throw new AudioDecodeException(file, "zero-length audio (COMM announces no sample frames)");
        }
        int frames = (int) comm.frames();
        int ch = comm.channels();
        float[] out = new float[ch * frames];
        boolean little = comm.compression().equals("sowt");
        boolean isFloat = comm.compression().equalsIgnoreCase("fl32") || comm.compression().equalsIgnoreCase("fl64");
        ByteBuffer d = ByteBuffer.wrap(b).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        double scale = 1.0 / (1L << (8 * bytes - 1));
        for (int i = 0; i < frames; i++) {
            int p = (int) (start + i * frameBytes);
            for (int c = 0; c < ch; c++, p += bytes) {
                double v;
                if (isFloat) {
                    v = bytes == 4 ? d.getFloat(p) : d.getDouble(p);
                    if (!Double.isFinite(v)) {
                        throw new AudioDecodeException(file, (Double.isNaN(v) ? "NaN" : "infinite")
                                + " sample at frame " + i + ", channel " + c);
                    }
                    out[c * frames + i] = (float) v;
                    continue;
                }
                long q = switch (bytes) {
                    case 1 -> b[p];
                    case 2 -> d.getShort(p);
                    case 3 -> little ? (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | b[p + 2] << 16
                            : b[p] << 16 | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF);
                    default -> d.getInt(p);
                };
                out[c * frames + i] = (float) (q * scale);
            }
        }
        return new Audio(out, ch, frames, comm.rate());
    }

    private static Comm comm(ByteBuffer bb, int p, boolean aifc, Path file) throws AudioDecodeException {
        int channels = bb.getShort(p);
        long frames = bb.getInt(p + 2) & 0xFFFFFFFFL;
        int bits = bb.getShort(p + 6);
        double rate = extended(bb, p + 8);
        String compression = aifc ? ascii(bb.array(), p + 18) : "NONE";
        AudioLimits.checkFormat(file, rate, channels);
        AudioLimits.checkFrames(file, frames, (int) rate, channels);
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

    private static String ascii(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        StringBuilder o = new StringBuilder();
        for (char c : s.toCharArray()) {
            o.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return o.toString();
    }
}
