package dev.mtdtl.dsp;

import java.io.IOException;
import java.io.InputStream;
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
 * <p>Errors name the file and, for a frame, its byte offset: not FLAC, no STREAMINFO, a frame header or subframe
 * that does not parse or uses a reserved code, a CRC that does not match (damaged data), the data ending inside a
 * frame or before STREAMINFO's sample count (truncated), zero samples, a rate, channel count or length outside
 * {@link AudioLimits}. Once STREAMINFO's count is reached, bytes that are not a whole valid frame (an ID3v1 tag,
 * padding) end the stream, and valid frames are still decoded (a count written wrong does not cut the audio); without
 * a count, only an ID3v1 tag may follow the last frame. Not done: MD5 verification (as ffmpeg and most players).
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
        long size = Files.size(file);
        if (size - skip > Integer.MAX_VALUE - 16) {
            throw new AudioDecodeException(file, "file of " + size + " bytes is too large");
        }
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(skip);
            b = in.readAllBytes();
        }
        return decode(b, file);
    }

    /** Stream parameters from STREAMINFO (section 8.2). */
    private record Info(int rate, int channels, int bits, long total) {}

    static Audio decode(byte[] b, Path file) throws AudioDecodeException {
        if (b.length < 4 || b[0] != 'f' || b[1] != 'L' || b[2] != 'a' || b[3] != 'C') {
            throw new AudioDecodeException(file, "not a FLAC stream (no fLaC marker)");
        }
        FlacBits in = new FlacBits(b, 4, b.length);
        Info info = null;
        int afterInfo = -1;   // the byte after STREAMINFO's block
        try {
            boolean last = false;
            while (!last) {   // metadata blocks: 1 bit last, 7 bits type, 24 bits length (section 8.1)
                last = in.bits(1) == 1;
                int type = in.bits(7);
                int len = in.bits(24);
                int body = in.bytePos();
                if (info == null && type != 0) {
                    throw new AudioDecodeException(file, "corrupt FLAC header: the first metadata block is of type "
                            + type + ", not STREAMINFO");
                }
                if (type == 0 && info == null) {
                    if (len < 34) {
                        throw new AudioDecodeException(file, "corrupt FLAC header: STREAMINFO of " + len + " bytes");
                    }
                    in.bits(16);
                    in.bits(16);   // min and max block size
                    in.bits(24);
                    in.bits(24);   // min and max frame size
                    int rate = in.bits(20);
                    int ch = in.bits(3) + 1;
                    int bits = in.bits(5) + 1;
                    long total = in.longBits(36);
                    info = new Info(rate, ch, bits, total);
                    afterInfo = body + len;
                } else if (type == 127) {
                    throw new AudioDecodeException(file, "corrupt FLAC header: metadata block type 127");
                }
                if ((long) body + len > b.length) {
                    throw new FlacBits.Truncated();
                }
                in.seek(body + len);
            }
        } catch (FlacBits.Truncated | AudioDecodeException e) {
            // A damaged block after STREAMINFO (a tagger's wrong length, a flipped "last block" bit) hides where the
            // frames start, not the frames: they are found by their sync code and CRCs, as jflac found them.
            int start = info == null ? -1 : firstFrame(b, afterInfo, info);
            if (start < 0) {
                throw e instanceof AudioDecodeException ade ? ade : new AudioDecodeException(file,
                        "truncated header: the FLAC metadata ends early" + (info == null ? " (no FLAC STREAMINFO block)"
                                : " and no frame follows it"));
            }
            in.seek(start);
        }
        if (info.bits < 4) {
            throw new AudioDecodeException(file, "unsupported codec: " + info.bits + "-bit FLAC (4 to 32 supported)");
        }
        AudioLimits.checkFormat(file, info.rate, info.channels);
        if (info.total > 0) {
            AudioLimits.checkFrames(file, info.total, info.rate, info.channels);
        }
        int start = in.bytePos();
        if (start + 1 < b.length && !((b[start] & 0xFF) == 0xFF && (b[start + 1] & 0xFE) == 0xF8)) {
            // the metadata parsed but does not end at a frame sync code (a block's length damaged): as above (a
            // frame that starts there but is damaged is the frame loop's to refuse)
            int found = firstFrame(b, afterInfo, info);
            start = found >= 0 ? found : start;   // none: the frame loop names what is wrong at start
        }
        return frames(b, start, info, file);
    }

    /**
     * The first byte from {@code from} on where a whole frame passes its CRCs, or -1 (a sync code at a byte that is no
     * frame passes the header's CRC-8 by chance once in 256 tries, and then fails the frame's CRC-16).
     */
    private static int firstFrame(byte[] b, int from, Info info) {
        FlacFrame f = new FlacFrame(b, info.rate, info.channels, info.bits);
        for (int p = Math.max(4, from); p + 1 < b.length; p++) {
            if ((b[p] & 0xFF) == 0xFF && (b[p + 1] & 0xFE) == 0xF8) {
                try {
                    f.decode(p);
                    return p;
                } catch (FlacBits.Truncated | FlacFrame.Bad e) {
                    // not a frame: go on
                }
            }
        }
        return -1;
    }

    private static Audio frames(byte[] b, int pos, Info info, Path file) throws AudioDecodeException {
        long max = AudioLimits.maxFrames(info.rate, info.channels);
        int ch = info.channels;
        // Room for STREAMINFO's count, but not past 4x what the bytes hold uncompressed: a damaged count must not
        // allocate a gigabyte up front (the arrays grow when real frames need more, as for silence coded CONSTANT).
        long raw = (long) (b.length - pos) * 8 / Math.max(1, info.bits * ch);
        long cap0 = Math.max(4608, info.total > 0 ? Math.min(info.total, 4 * raw) : 2 * raw);
        // The samples as floats, channel c at [c * cap, c * cap + n): with a right STREAMINFO count the array is
        // exactly the planar result and is returned as it is (no integer copy, no second float copy).
        int cap = (int) Math.min(max + 65536, cap0);
        float[] out = new float[ch * cap];   // (C, cap)
        float scale = (float) Math.scalb(1.0, -(info.bits - 1));
        long n = 0;
        FlacFrame f = new FlacFrame(b, info.rate, info.channels, info.bits);
        while (pos < b.length) {
            if (b.length - pos == 128 && b[pos] == 'T' && b[pos + 1] == 'A' && b[pos + 2] == 'G') {
                break;   // an ID3v1 tag at the end
            }
            // Past STREAMINFO's count, what follows is audio only if it is a whole frame that passes its CRCs (a
            // count written wrong, or damaged, must not cut the stream short); else it is a tag or padding.
            boolean past = info.total > 0 && n >= info.total;
            try {
                pos = f.decode(pos);
            } catch (FlacBits.Truncated e) {
                if (past) {
                    break;
                }
                throw new AudioDecodeException(file, "truncated data: the FLAC stream ends inside the frame at byte "
                        + pos + " (" + n + " samples decoded" + (info.total > 0 ? " of " + info.total : "") + ")");
            } catch (FlacFrame.Bad e) {
                if (past) {
                    break;
                }
                throw new AudioDecodeException(file, "corrupt FLAC data: the frame at byte " + pos + ": "
                        + e.getMessage());
            }
            int len = f.blockSize();
            if (n + len > max) {
                throw AudioLimits.tooLongStream(file, info.rate, ch);
            }
            if (n + len > cap) {
                int grown = (int) Math.min(max + 65536, 2 * (n + len));
                out = replan(out, ch, cap, (int) n, grown);
                cap = grown;
            }
            for (int c = 0; c < ch; c++) {
                int[] q = f.channel(c);
                int o = c * cap + (int) n;
                for (int i = 0; i < len; i++) {
                    out[o + i] = q[i] * scale;   // v / 2^(bits-1), exact up to 24 bits
                }
            }
            n += len;
        }
        if (info.total > 0 && n < info.total) {
            throw new AudioDecodeException(file, "truncated data: STREAMINFO announces " + info.total + " samples, "
                    + n + " decoded");
        }
        if (n == 0) {
            throw new AudioDecodeException(file, "zero-length audio (no FLAC frames)");
        }
        int frames = (int) n;   // a last block past STREAMINFO's count is kept whole, as jflac did
        return new Audio(frames == cap ? out : replan(out, ch, cap, frames, frames), ch, frames, info.rate);
    }

    /** The first {@code n} samples of each channel of a (C, cap) array, in a (C, to) one. */
    private static float[] replan(float[] a, int ch, int cap, int n, int to) {
        float[] b = new float[ch * to];
        for (int c = 0; c < ch; c++) {
            System.arraycopy(a, c * cap, b, c * to, n);
        }
        return b;
    }
}
