package dev.mtdtl.dsp;

/**
 * A big-endian bit reader over a byte array, for {@link FlacReader}: FLAC's fields are most significant bit first
 * (RFC 9639, section 5). Up to 64 bits are kept in a cache word whose unread bits are left-aligned, so a field is a
 * shift of the cache and a unary code (Rice quotients, wasted-bit counts) one {@link Long#numberOfLeadingZeros}.
 * Reading past the end of the data throws {@link Truncated}, which the reader turns into "truncated data".
 *
 * <p>Also the two checksums a frame carries (section 9.1.8 and 9.3): CRC-8 of the header (polynomial
 * x^8 + x^2 + x + 1, 0x07) and CRC-16 of the whole frame (x^16 + x^15 + x^2 + 1, 0x8005), both from 0, no
 * reflection, no final XOR; by table, one byte at a time.
 */
final class FlacBits {

    /** The data ended inside a field. */
    static final class Truncated extends RuntimeException {
        Truncated() {
            super("the data ends inside a frame", null, false, false);
        }
    }

    private final byte[] b;
    private final int end;
    private int next;        // index of the next byte to load into the cache
    private long cache;      // unread bits, left-aligned
    private int avail;       // unread bits in the cache, 0..64

    FlacBits(byte[] b, int from, int end) {
        this.b = b;
        this.end = end;
        this.next = from;
    }

    /** Byte offset of the next unread bit's byte (the reader is at a byte boundary when {@link #aligned}). */
    int bytePos() {
        return next - avail / 8;
    }

    boolean aligned() {
        return avail % 8 == 0;
    }

    /** Moves to byte {@code pos} (dropping the cache). */
    void seek(int pos) {
        next = pos;
        cache = 0;
        avail = 0;
    }

    /** Skips to the next byte boundary. */
    void align() {
        int r = avail % 8;
        cache <<= r;
        avail -= r;
    }

    private static final java.lang.invoke.VarHandle BE64 =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /**
     * Tops the cache up to at least 57 bits (fewer at the data's end): the whole bytes that fit, from one 8-byte
     * big-endian load where 8 bytes remain (byte by byte, the refill was a fifth of a decode's time). The load's
     * bits past the bytes taken are cleared, so that the next refill can OR its bytes in below.
     */
    private void fill() {
        if (avail > 56) {
            return;
        }
        if (next + 8 <= end) {
            int take = (64 - avail) >>> 3;                 // 1..8 whole bytes
            long word = (long) BE64.get(b, next);
            int now = avail + 8 * take;
            cache |= word >>> avail;
            if (now < 64) {
                cache &= -1L << (64 - now);
            }
            next += take;
            avail = now;
            return;
        }
        while (avail <= 56 && next < end) {
            cache |= (b[next++] & 0xFFL) << (56 - avail);
            avail += 8;
        }
    }

    /** An unsigned field of n bits, 0 <= n <= 32. */
    int bits(int n) {
        if (n == 0) {
            return 0;
        }
        if (avail < n) {
            fill();
            if (avail < n) {
                throw new Truncated();
            }
        }
        int v = (int) (cache >>> (64 - n));
        cache <<= n;
        avail -= n;
        return v;
    }

    /** A two's complement field of n bits, 1 <= n <= 32. */
    int signed(int n) {
        return bits(n) << (32 - n) >> (32 - n);
    }

    /** An unsigned field of n bits, 0 <= n <= 36 (STREAMINFO's sample count). */
    long longBits(int n) {
        return n <= 32 ? bits(n) & 0xFFFFFFFFL : (long) bits(n - 32) << 32 | bits(32) & 0xFFFFFFFFL;
    }

    /** The count of 0 bits before the next 1 bit, which is consumed too. */
    int unary() {
        int q = 0;
        while (true) {
            if (avail == 0) {
                fill();
                if (avail == 0) {
                    throw new Truncated();
                }
            }
            int z = Long.numberOfLeadingZeros(cache);
            if (z < avail) {
                cache = z == 63 ? 0 : cache << (z + 1);   // a shift by 64 would be a shift by 0 in Java
                avail -= z + 1;
                return q + z;
            }
            q += avail;
            cache = 0;
            avail = 0;
        }
    }

    /**
     * n Rice-coded residuals with parameter k (section 9.2.7.2): a unary quotient, k low bits, and the folded
     * value u mapped back to the signed residual (u >>> 1) ^ -(u & 1); written to r[at, at + n).
     */
    void rice(int[] r, int at, int n, int k) {
        for (int i = at; i < at + n; i++) {
            if (avail < 57) {
                fill();
            }
            // the common case in one step: quotient, stop bit and k low bits all in the cache
            int z = Long.numberOfLeadingZeros(cache);
            if (z + 1 + k <= avail) {
                long c = cache << z << 1;                   // two shifts: z + 1 may be 64
                int u = z << k | (k == 0 ? 0 : (int) (c >>> (64 - k)));
                cache = c << k;
                avail -= z + 1 + k;
                r[i] = (u >>> 1) ^ -(u & 1);
                continue;
            }
            int q = unary();
            int u = q << k | bits(k);
            r[i] = (u >>> 1) ^ -(u & 1);
        }
    }

    private static final int[] CRC8 = new int[256];
    /**
     * CRC16[k][v]: the CRC-16 of byte v followed by k zero bytes, from 0. The CRC is linear, so the CRC of 8 bytes
     * from state c is the XOR of CRC16[7 - j][m_j] over the bytes m_j, with c's two bytes XORed into m_0 and m_1
     * first ("slicing by 8"): 8 independent table reads instead of a chain of 8 dependent ones (byte by byte, the
     * frame checksum was a sixth of a decode's time).
     */
    private static final int[][] CRC16 = new int[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x80) != 0 ? (c << 1 ^ 0x07) & 0xFF : c << 1 & 0xFF;
            }
            CRC8[i] = c;
            c = i << 8;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x8000) != 0 ? (c << 1 ^ 0x8005) & 0xFFFF : c << 1 & 0xFFFF;
            }
            CRC16[0][i] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                int c = CRC16[k - 1][i];
                CRC16[k][i] = (c << 8 & 0xFFFF) ^ CRC16[0][c >>> 8];   // one more zero byte
            }
        }
    }

    static int crc8(byte[] b, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            c = CRC8[c ^ b[i] & 0xFF];
        }
        return c;
    }

    static int crc16(byte[] b, int from, int to) {
        int c = 0;
        int i = from;
        int[] t0 = CRC16[0], t1 = CRC16[1], t2 = CRC16[2], t3 = CRC16[3];
        int[] t4 = CRC16[4], t5 = CRC16[5], t6 = CRC16[6], t7 = CRC16[7];
        for (; i + 8 <= to; i += 8) {
            c = t7[(c >>> 8) ^ (b[i] & 0xFF)] ^ t6[(c & 0xFF) ^ (b[i + 1] & 0xFF)] ^ t5[b[i + 2] & 0xFF]
                    ^ t4[b[i + 3] & 0xFF] ^ t3[b[i + 4] & 0xFF] ^ t2[b[i + 5] & 0xFF] ^ t1[b[i + 6] & 0xFF]
                    ^ t0[b[i + 7] & 0xFF];
        }
        for (; i < to; i++) {
            c = (c << 8 & 0xFFFF) ^ t0[(c >>> 8) ^ (b[i] & 0xFF)];
        }
        return c;
    }
}
