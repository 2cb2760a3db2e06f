package dev.mtdtl.dsp;

import java.io.ByteArrayOutputStream;

/**
 * A minimal FLAC encoder for tests (no encoder is on the class path or the machine): STREAMINFO,
 * then fixed-size frames whose subframes are VERBATIM (raw samples), with the CRC-8 header and
 * CRC-16 frame checksums the format requires. Follows https://xiph.org/flac/format.html.
 */
final class FlacBytes {

    private FlacBytes() {}

    /** FLAC bytes of planar integer samples q (C, n) at {@code bits} per sample. */
    static byte[] encode(int[] q, int channels, int rate, int bits, int block) {
        int n = q.length / channels;
        Bits w = new Bits();
        w.put('f', 8).put('L', 8).put('a', 8).put('C', 8);
        w.put(1, 1).put(0, 7).put(34, 24);                 // last metadata block, STREAMINFO, 34 bytes
        w.put(block, 16).put(block, 16).put(0, 24).put(0, 24);
        w.put(rate, 20).put(channels - 1, 3).put(bits - 1, 5).putLong(n, 36);
        for (int i = 0; i < 16; i++) {
            w.put(0, 8);                                   // MD5 unknown
        }
        int frame = 0;
        for (int s = 0; s < n; s += block, frame++) {
            int len = Math.min(block, n - s);
            int start = w.size();
            w.put(0x3FFE, 14).put(0, 1).put(0, 1);         // sync, reserved, fixed blocksize
            w.put(0b0111, 4).put(0, 4);                    // blocksize: 16-bit at end of header; rate: STREAMINFO
            w.put(channels - 1, 4).put(0, 3).put(0, 1);    // independent channels; sample size: STREAMINFO
            if (frame >= 128) {
                throw new IllegalArgumentException("keep tests under 128 frames (1-byte UTF-8 frame numbers)");
            }
            w.put(frame, 8);
            w.put(len - 1, 16);
            w.put(crc8(w.bytes(), start, w.size()), 8);
            for (int c = 0; c < channels; c++) {
                w.put(0, 1).put(0b000001, 6).put(0, 1);    // VERBATIM, no wasted bits
                for (int i = 0; i < len; i++) {
                    w.put(q[c * n + s + i] & ((1 << bits) - 1), bits);
                }
            }
            w.align();
            w.put(crc16(w.bytes(), start, w.size()), 16);
        }
        return w.bytes();
    }

    private static int crc8(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
            }
        }
        return crc;
    }

    private static int crc16(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (b[i] & 0xFF) << 8;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }
        return crc;
    }

    /** MSB-first bit writer. */
    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int acc;
        private int nbits;

        Bits put(int v, int n) {
            return putLong(v & 0xFFFFFFFFL, n);
        }

        Bits putLong(long v, int n) {
            for (int i = n - 1; i >= 0; i--) {
                acc = (acc << 1) | (int) ((v >>> i) & 1);
                if (++nbits == 8) {
                    out.write(acc);
                    acc = 0;
                    nbits = 0;
                }
            }
            return this;
        }

        void align() {
            while (nbits != 0) {
                putLong(0, 1);
            }
        }

        /** Bytes complete so far (call at byte boundaries). */
        byte[] bytes() {
            return out.toByteArray();
        }

        int size() {
            return out.size();
        }
    }
}
