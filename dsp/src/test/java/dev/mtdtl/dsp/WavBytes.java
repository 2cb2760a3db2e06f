package dev.mtdtl.dsp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds WAV files of any layout in memory, including broken ones, for the decoder tests. */
final class WavBytes {

    private WavBytes() {}

    /** fmt chunk body (16 bytes, or 40 for WAVE_FORMAT_EXTENSIBLE with the given sub-format tag). */
    static byte[] fmt(int tag, int channels, int rate, int bits, int extSubTag) {
        boolean ext = tag == 0xFFFE;
        ByteBuffer b = ByteBuffer.allocate(ext ? 40 : 16).order(ByteOrder.LITTLE_ENDIAN);
        int align = channels * bits / 8;
        b.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * align)
                .putShort((short) align).putShort((short) bits);
        if (ext) {
            b.putShort((short) 22).putShort((short) bits).putInt(channels == 2 ? 3 : 0);
            // sub-format GUID: tag, then 00000000-0010-8000-00AA00389B71
            b.putShort((short) extSubTag).putShort((short) 0).putShort((short) 0x0010).putShort((short) 0)
                    .put(new byte[] {(byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        return b.array();
    }

    static byte[] chunk(String id, byte[] body) {
        return chunk(id, body, body.length);
    }

    /** A chunk whose header declares {@code declared} bytes (may differ from the body, to break files). */
    static byte[] chunk(String id, byte[] body, long declared) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(id.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putInt((int) declared).put(body);
        return b.array();
    }

    static byte[] riff(byte[]... chunks) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int size = 4;
        for (byte[] c : chunks) {
            size += c.length;
        }
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putInt(size)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        o.writeBytes(h.array());
        for (byte[] c : chunks) {
            o.writeBytes(c);
        }
        return o.toByteArray();
    }

    /**
     * Interleaved sample bytes of planar {@code x} (C, n) in the given encoding. Integer PCM is
     * round(v * 2^(bits-1)) clipped (8-bit offset by 128); float is written as is.
     */
    static byte[] samples(double[] x, int channels, int bits, boolean isFloat) {
        int n = x.length / channels;
        ByteBuffer b = ByteBuffer.allocate(x.length * bits / 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                double v = x[c * n + i];
                if (isFloat) {
                    if (bits == 32) {
                        b.putFloat((float) v);
                    } else {
                        b.putDouble(v);
                    }
                    continue;
                }
                long q = Math.round(v * Math.pow(2, bits - 1));
                q = Math.max(-(1L << (bits - 1)), Math.min((1L << (bits - 1)) - 1, q));
                switch (bits) {
                    case 8 -> b.put((byte) (q + 128));
                    case 16 -> b.putShort((short) q);
                    case 24 -> b.put((byte) q).put((byte) (q >> 8)).put((byte) (q >> 16));
                    default -> b.putInt((int) q);
                }
            }
        }
        return b.array();
    }

    /**
     * The first {@code frames} frames of interleaved 16-bit little-endian PCM as planar floats, short / 32768: what the
     * decoders' old {@code javax.sound} paths returned (the references of Mp3ReaderTest and OggReaderTest).
     */
    static Audio planar16(byte[] pcm, int channels, int frames, int rate) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(pcm).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[channels * frames];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                out[c * frames + i] = bb.getShort((i * channels + c) * 2) / 32768f;
            }
        }
        return new Audio(out, channels, frames, rate);
    }
}
