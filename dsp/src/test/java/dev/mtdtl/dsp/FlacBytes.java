package dev.mtdtl.dsp;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A minimal FLAC encoder for tests: STREAMINFO, then frames of a fixed size (or of the sizes given, a
 * variable-blocksize stream) whose subframes are VERBATIM (raw samples) or, on request, CONSTANT and FIXED with
 * Rice-coded or escaped residuals and wasted bits, with the CRC-8 header and CRC-16 frame checksums the format
 * requires. Follows https://xiph.org/flac/format.html (RFC 9639).
 */
final class FlacBytes {

    private FlacBytes() {}

    /** FLAC bytes of planar integer samples q (C, n) at {@code bits} per sample. */
    static byte[] encode(int[] q, int channels, int rate, int bits, int block) {
        return encode(q, channels, rate, bits, block, -1, false, false);
    }

    /**
     * As {@link #encode(int[], int, int, int, int)}, with subframes of another kind: {@code fixedOrder} 0-4 a FIXED
     * predictor of that order whose residual is one Rice partition (or, with {@code escape}, an escaped partition of
     * raw residuals), -1 VERBATIM; {@code wasted}: the block's common trailing zero bits shifted out and signalled
     * (RFC 9639, 9.2.2); a block of one repeated value is CONSTANT whatever the kind (with fixedOrder >= 0).
     */
    static byte[] encode(int[] q, int channels, int rate, int bits, int block, int fixedOrder, boolean escape,
                         boolean wasted) {
        int n = q.length / channels;
        int[] sizes = new int[(n + block - 1) / block];
        for (int k = 0; k < sizes.length; k++) {
            sizes[k] = Math.min(block, n - k * block);
        }
        return frames(q, channels, rate, bits, sizes, false, fixedOrder);
    }

    /**
     * A variable-blocksize stream (RFC 9639, 9.1.1: blocking strategy 1) of frames of the given sizes, which sum to
     * the samples' length: each frame's coded number is its first sample's number, not the frame's. FIXED subframes
     * of {@code fixedOrder} (-1: VERBATIM). STREAMINFO's least and largest block sizes are the sizes' (the last
     * frame's left out of the least, as the format allows).
     */
    static byte[] encodeVariable(int[] q, int channels, int rate, int bits, int[] sizes, int fixedOrder) {
        return frames(q, channels, rate, bits, sizes, true, fixedOrder);
    }

    private static byte[] frames(int[] q, int channels, int rate, int bits, int[] sizes, boolean variable,
                                 int fixedOrder) {
        int n = q.length / channels;
        if (java.util.stream.IntStream.of(sizes).asLongStream().sum() != n) {
            throw new IllegalArgumentException("frame sizes do not sum to the " + n + " samples");
        }
        int least = Integer.MAX_VALUE, most = 0;
        for (int k = 0; k < sizes.length; k++) {
            least = k < sizes.length - 1 || sizes.length == 1 ? Math.min(least, sizes[k]) : least;
            most = Math.max(most, sizes[k]);
        }
        Bits w = new Bits();
        w.put('f', 8).put('L', 8).put('a', 8).put('C', 8);
        w.put(1, 1).put(0, 7).put(34, 24);                 // last metadata block, STREAMINFO, 34 bytes
        w.put(variable ? least : most, 16).put(most, 16).put(0, 24).put(0, 24);
        w.put(rate, 20).put(channels - 1, 3).put(bits - 1, 5).putLong(n, 36);
        for (int i = 0; i < 16; i++) {
            w.put(0, 8);                                   // MD5 unknown
        }
        long s = 0;
        for (int frame = 0; frame < sizes.length; s += sizes[frame], frame++) {
            int len = sizes[frame];
            int start = w.size();
            w.put(0x3FFE, 14).put(0, 1).put(variable ? 1 : 0, 1);   // sync, reserved, blocking strategy
            w.put(0b0111, 4).put(0, 4);                    // blocksize: 16-bit at end of header; rate: STREAMINFO
            w.put(channels - 1, 4).put(0, 3).put(0, 1);    // independent channels; sample size: STREAMINFO
            codedNumber(w, variable ? s : frame);
            w.put(len - 1, 16);
            w.put(crc8(w.bytes(), start, w.size()), 8);
            for (int c = 0; c < channels; c++) {
                int[] x = Arrays.copyOfRange(q, (int) (c * n + s), (int) (c * n + s) + len);
                subframe(w, x, bits, fixedOrder, false, false);
            }
            w.align();
            w.put(crc16(w.bytes(), start, w.size()), 16);
        }
        return w.bytes();
    }

    /**
     * The frame header's coded number (RFC 9639, 9.1.5): UTF-8's scheme stretched to 36 bits, one byte below 2^7,
     * else a lead byte of as many 1 bits as the bytes in all, then bytes of 10 and six bits each.
     */
    static void codedNumber(Bits w, long v) {
        if (v < 0 || v >= 1L << 36) {
            throw new IllegalArgumentException("coded number " + v + " outside [0, 2^36)");
        }
        if (v < 0x80) {
            w.put((int) v, 8);
            return;
        }
        int bytes = 2;
        while (v >= 1L << (5 * bytes + 1) && bytes < 7) {   // a lead byte of b ones carries 7 - b bits: 5b + 1 in all
            bytes++;
        }
        int leadBits = 7 - bytes;                          // after the lead byte's `bytes` ones and a zero
        w.put(((1 << bytes) - 1) << 1, bytes + 1).put((int) (v >>> (6 * (bytes - 1))), leadBits);
        for (int k = bytes - 2; k >= 0; k--) {
            w.put(0b10, 2).put((int) (v >>> (6 * k)) & 0x3F, 6);
        }
    }

    private static void subframe(Bits w, int[] x, int bits, int order, boolean escape, boolean wasted) {
        int len = x.length;
        int or = 0;
        for (int v : x) {
            or |= v;
        }
        int shift = wasted && or != 0 ? Integer.numberOfTrailingZeros(or) : 0;
        boolean constant = order >= 0 && Arrays.stream(x).allMatch(v -> v == x[0]);
        int type = constant ? 0 : order < 0 || order >= len ? 1 : 8 + order;
        w.put(0, 1).put(type, 6);
        if (shift > 0) {
            w.put(1, 1);
            for (int i = 1; i < shift; i++) {
                w.put(0, 1);                               // unary shift - 1
            }
            w.put(1, 1);
        } else {
            w.put(0, 1);
        }
        int wb = bits - shift;
        int mask = wb == 32 ? -1 : (1 << wb) - 1;
        if (type == 0) {
            w.put((x[0] >> shift) & mask, wb);
            return;
        }
        int p = type == 1 ? len : order;
        for (int i = 0; i < p; i++) {
            w.put((x[i] >> shift) & mask, wb);              // VERBATIM samples, or the predictor's warm-up
        }
        if (type == 1) {
            return;
        }
        int[] r = new int[len - order];                    // residual of the FIXED predictor of this order
        for (int i = order; i < len; i++) {
            long pred = switch (order) {
                case 0 -> 0;
                case 1 -> (long) (x[i - 1] >> shift);
                case 2 -> 2L * (x[i - 1] >> shift) - (x[i - 2] >> shift);
                case 3 -> 3L * (x[i - 1] >> shift) - 3L * (x[i - 2] >> shift) + (x[i - 3] >> shift);
                default -> 4L * (x[i - 1] >> shift) - 6L * (x[i - 2] >> shift) + 4L * (x[i - 3] >> shift)
                        - (x[i - 4] >> shift);
            };
            r[i - order] = Math.toIntExact((x[i] >> shift) - pred);
        }
        w.put(0, 2).put(0, 4);                             // RICE, partition order 0
        if (escape) {
            int need = 1;
            for (int v : r) {
                need = Math.max(need, 33 - Integer.numberOfLeadingZeros(v ^ (v >> 31)));
            }
            w.put(15, 4).put(need, 5);
            for (int v : r) {
                w.put(v & (need == 32 ? -1 : (1 << need) - 1), need);
            }
            return;
        }
        long sum = 0;
        for (int v : r) {
            sum += ((long) v << 1) ^ (v >> 31);
        }
        int k = Math.min(14, Math.max(0, 63 - Long.numberOfLeadingZeros(Math.max(1, sum / Math.max(1, r.length)))));
        w.put(k, 4);
        for (int v : r) {
            long u = ((long) v << 1) ^ (v >> 31);          // folded: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ...
            for (long z = u >>> k; z > 0; z--) {
                w.put(0, 1);
            }
            w.put(1, 1).putLong(u & ((1L << k) - 1), k);
        }
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
