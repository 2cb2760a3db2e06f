package dev.mtdtl.dsp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ogg pages taken apart and made, for tests (RFC 3533, section 6): "OggS", version 0, header type (0x01 continued
 * packet, 0x02 beginning of stream, 0x04 end of stream), granule position (int64), serial number, page sequence number,
 * CRC-32, segment count and table, then the body. The CRC is the Ogg one: polynomial 0x04C11DB7, most significant bit
 * first, initial value 0, no final inversion, over the whole page with its CRC field zero.
 */
final class OggPages {

    private OggPages() {}

    /** The pages of a valid Ogg file, each a copy of its bytes. */
    static List<byte[]> split(byte[] file) {
        List<byte[]> pages = new ArrayList<>();
        int at = 0;
        while (at < file.length) {
            if (file[at] != 'O' || file[at + 1] != 'g' || file[at + 2] != 'g' || file[at + 3] != 'S') {
                throw new IllegalArgumentException("no page at byte " + at);
            }
            int segs = file[at + 26] & 0xFF;
            int len = 27 + segs;
            for (int i = 0; i < segs; i++) {
                len += file[at + 27 + i] & 0xFF;
            }
            pages.add(Arrays.copyOfRange(file, at, at + len));
            at += len;
        }
        return pages;
    }

    static byte[] join(List<byte[]> pages) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        pages.forEach(b::writeBytes);
        return b.toByteArray();
    }

    /** Every page of {@code file} with serial number {@code serial}, their CRCs made again. */
    static byte[] withSerial(byte[] file, int serial) {
        List<byte[]> pages = split(file);
        for (byte[] p : pages) {
            ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(14, serial);
            crc(p);
        }
        return join(pages);
    }

    /** The packets a page's segments end (a packet continued from the page before, or to the next, is not split out). */
    static List<byte[]> packets(byte[] page) {
        List<byte[]> out = new ArrayList<>();
        int segs = page[26] & 0xFF;
        int at = 27 + segs;
        int start = at;
        for (int i = 0; i < segs; i++) {
            int len = page[27 + i] & 0xFF;
            at += len;
            if (len < 255) {
                out.add(Arrays.copyOfRange(page, start, at));
                start = at;
            }
        }
        return out;
    }

    /** A page holding whole packets (header type, granule position, serial and sequence number as given). */
    static byte[] page(int type, long granule, int serial, int sequence, List<byte[]> packets) {
        ByteArrayOutputStream lacing = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            for (int left = p.length; ; left -= 255) {
                lacing.write(Math.min(255, left));
                if (left < 255) {
                    break;
                }
            }
            body.writeBytes(p);
        }
        if (lacing.size() > 255) {
            throw new IllegalArgumentException(lacing.size() + " segments");
        }
        ByteBuffer b = ByteBuffer.allocate(27 + lacing.size() + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put("OggS".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).put((byte) 0).put((byte) type)
                .putLong(granule).putInt(serial).putInt(sequence).putInt(0).put((byte) lacing.size())
                .put(lacing.toByteArray()).put(body.toByteArray());
        byte[] page = b.array();
        crc(page);
        return page;
    }

    /** A page holding one whole packet of at most 254 bytes. */
    static byte[] page(int type, long granule, int serial, int sequence, byte[] packet) {
        if (packet.length > 254) {
            throw new IllegalArgumentException("one segment only");
        }
        byte[] p = new byte[28 + packet.length];
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        b.put("OggS".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).put((byte) 0).put((byte) type)
                .putLong(granule).putInt(serial).putInt(sequence).putInt(0).put((byte) 1).put((byte) packet.length)
                .put(packet);
        crc(p);
        return p;
    }

    /** Writes the page's CRC-32 into bytes 22-25. */
    static void crc(byte[] p) {
        Arrays.fill(p, 22, 26, (byte) 0);
        int c = 0;
        for (byte x : p) {
            c ^= (x & 0xFF) << 24;
            for (int k = 0; k < 8; k++) {
                c = c < 0 ? c << 1 ^ 0x04C11DB7 : c << 1;
            }
        }
        ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(22, c);
    }

    /**
     * The granule position of the file's last page when that page ends the stream (header type flag 0x04) and holds a
     * valid one (>= 0), else -1: where the pre-2026-12-07 readers cut a file (read from its tail, CRC unchecked).
     */
    static long finalGranule(Path file) throws IOException {
        byte[] a = Files.readAllBytes(file);
        for (int i = a.length - 27; i >= 0; i--) {   // the last "OggS" with a version-0 page header after it
            if (a[i] == 'O' && a[i + 1] == 'g' && a[i + 2] == 'g' && a[i + 3] == 'S' && a[i + 4] == 0) {
                boolean ends = (a[i + 5] & 0x04) != 0;
                long granule = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).getLong(i + 6);
                return ends && granule >= 0 ? granule : -1;
            }
        }
        return -1;
    }
}
