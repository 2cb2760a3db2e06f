package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javazoom.spi.mpeg.sampled.convert.MpegFormatConversionProvider;
import javazoom.spi.mpeg.sampled.file.MpegAudioFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Mp3Reader} drives jlayer frame by frame; until 2026-12-07 MP3 went through mp3spi's {@code javax.sound}
 * stream (kept here, test scope only, as the reference). The two must give the same samples bit for bit, on real LAME
 * files and on damaged copies of them, and fail on the same files.
 */
class Mp3ReaderTest {

    @TempDir
    Path dir;

    /** The pre-2026-12-07 path: mp3spi's reader and converter to 16-bit little-endian PCM, then {@code short / 32768}. */
    static Audio viaMp3spi(Path file) throws Exception {
        return viaMp3spi(file, false);
    }

    /**
     * {@link #viaMp3spi(Path)}; with {@code upToError}, what the stream gave before it failed (null if it failed before
     * any sample), the whole decode when it did not.
     */
    static Audio viaMp3spi(Path file, boolean upToError) throws Exception {
        try (AudioInputStream src = new MpegAudioFileReader().getAudioInputStream(file.toFile())) {
            AudioFormat sf = src.getFormat();
            int ch = sf.getChannels();
            AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, sf.getSampleRate(), 16, ch, 2 * ch,
                    sf.getSampleRate(), false);
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            try (AudioInputStream in = new MpegFormatConversionProvider().getAudioInputStream(pcm, src)) {
                byte[] chunk = new byte[4096];
                for (int n; (n = in.read(chunk)) >= 0; ) {   // 0: a frame that gave nothing, not the end
                    b.write(chunk, 0, n);
                }
            } catch (Exception e) {
                if (!upToError) {
                    throw e;
                }
            }
            int frames = b.size() / (2 * ch);
            return upToError && frames == 0 ? null : WavBytes.planar16(Arrays.copyOf(b.toByteArray(), frames * 2 * ch),
                    ch, frames, (int) sf.getSampleRate());
        }
    }

    /** Files decoded although jlayer could not decode some of their frames (see assertSameAsMp3spi). */
    private static int damagedFramesDropped;

    /**
     * Either both paths fail, or both decode to the same shape and bits; returns whether they decoded. Except where
     * Mp3Reader dropped frames jlayer could not decode (mp3spi fails on those files): then what mp3spi gave before it
     * failed must be the start of Mp3Reader's samples, bit for bit.
     */
    private static boolean assertSameAsMp3spi(Path f) throws Exception {
        Audio now;
        int damaged;
        try (Mp3Reader.Blocks blocks = Mp3Reader.Blocks.open(f, 0, -1)) {
            while (blocks.next()) {
                // every frame
            }
            now = blocks.audio(f);
            damaged = blocks.damaged();
        } catch (IOException e) {
            assertTrue(e instanceof AudioDecodeException, f + ": " + e);
            now = null;
            damaged = 0;
        }
        if (damaged > 0) {
            damagedFramesDropped++;
            Audio start = viaMp3spi(f, true);
            assertThrows(Exception.class, () -> viaMp3spi(f), f + ": mp3spi fails where jlayer cannot decode a frame");
            if (start != null) {
                assertEquals(now.channels(), start.channels(), f.toString());
                assertTrue(start.frames() <= now.frames(), f.toString());
                for (int c = 0; c < now.channels(); c++) {
                    assertArrayEquals(Arrays.copyOfRange(start.samples(), c * start.frames(), (c + 1) * start.frames()),
                            Arrays.copyOfRange(now.samples(), c * now.frames(), c * now.frames() + start.frames()),
                            f + ": channel " + c + " before the damaged frame");
                }
            }
            return true;
        }
        Audio old;
        try {
            old = viaMp3spi(f);
        } catch (Exception e) {
            old = null;
        }
        if (old == null || old.frames() == 0) {
            assertEquals(null, now, f + ": mp3spi decoded nothing, Mp3Reader " + (now == null ? "" : now.frames()));
            return false;
        }
        assertTrue(now != null, f + ": mp3spi decoded " + old.frames() + " frames, Mp3Reader failed");
        assertEquals(old.channels(), now.channels(), f.toString());
        assertEquals(old.sampleRate(), now.sampleRate(), f.toString());
        assertEquals(old.frames(), now.frames(), f.toString());
        assertArrayEquals(old.samples(), now.samples(), f.toString());   // compares float bits (NaN-safe, -0 != 0)
        return true;
    }

    @Test
    void realFilesDecodeAsMp3spiDid() throws Exception {
        for (String name : new String[]{"lame-44k-stereo.mp3", "lame-22k-mono.mp3"}) {
            assertTrue(assertSameAsMp3spi(CodecFilesTest.resource(name)), name);
            assertEquals(Mp3Reader.read(CodecFilesTest.resource(name)).frames(),
                    AudioDecoder.decode(CodecFilesTest.resource(name)).frames(), "the decoder takes MP3 here");
        }
    }

    /**
     * Damaged copies (bytes overwritten, bits flipped, cut short, junk inserted, a span deleted), seeded: 400 such
     * files of 14 LAME encodings (MPEG-1, 2 and 2.5, CBR and VBR, mono, stereo and joint stereo, tags) were all the
     * same when this reader was written; these are the two test files' share of that sweep.
     */
    @Test
    @Timeout(180)
    void damagedFilesDecodeAsMp3spiDid() throws Exception {
        Random r = new Random(20261207);
        damagedFramesDropped = 0;
        int decoded = 0;
        int n = 0;
        for (String name : new String[]{"lame-44k-stereo.mp3", "lame-22k-mono.mp3"}) {
            byte[] seed = Files.readAllBytes(CodecFilesTest.resource(name));
            for (int k = 0; k < 40; k++) {
                byte[] m = mutate(seed, k % 5, r);
                Path f = dir.resolve(name + "." + k + ".mp3");
                Files.write(f, m);
                if (!"MP3".equals(AudioDecoder.sniff(m, Math.min(m.length, 4)))) {
                    continue;   // the decoder would not call either path
                }
                n++;
                decoded += assertSameAsMp3spi(f) ? 1 : 0;
            }
        }
        assertTrue(n >= 70 && decoded >= n / 2, n + " damaged MP3s, " + decoded + " decoded");
        assertTrue(damagedFramesDropped >= 1, "a file with a frame jlayer could not decode, decoded");
    }

    private static byte[] mutate(byte[] b, int op, Random r) {
        byte[] m = b.clone();
        switch (op) {
            case 0 -> {
                for (int i = 1 + r.nextInt(20); i > 0; i--) {
                    m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> m = Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> {
                int p = r.nextInt(b.length);
                byte[] junk = new byte[1 + r.nextInt(3000)];
                r.nextBytes(junk);
                m = AudioFuzzTest.insert(b, p, junk);
            }
            case 3 -> {
                int p = r.nextInt(b.length);
                int q = Math.min(b.length, p + 1 + r.nextInt(5000));
                m = new byte[b.length - (q - p)];
                System.arraycopy(b, 0, m, 0, p);
                System.arraycopy(b, q, m, p, b.length - q);
            }
            default -> {
                for (int i = 1 + r.nextInt(200); i > 0; i--) {
                    m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
        }
        return m;
    }

    /** mp3spi's clip (jlayer's {@code Obuffer.clip}), then the old byte path's {@code short / 32768}. */
    @Test
    void clipsAndScalesAsMp3spiDid() {
        PcmBuffer buf = new PcmBuffer(1, 1000);
        Mp3Reader.FloatOut out = new Mp3Reader.FloatOut(buf);
        float[] in = new float[32];
        float[] v = {32767.5f, 40000f, Float.POSITIVE_INFINITY, -32768.5f, -40000f, Float.NEGATIVE_INFINITY, Float.NaN,
            -0.7f, 0.7f, 12345.9f, -12345.9f, 32767f, -32768f, -0f, -32767.99f};
        float[] want = {32767, 32767, 32767, -32768, -32768, -32768, 0, 0, 0, 12345, -12345, 32767, -32768, 0, -32767};
        System.arraycopy(v, 0, in, 0, v.length);
        out.appendSamples(0, in);
        float[] got = buf.planar();
        assertEquals(32, got.length);
        for (int i = 0; i < v.length; i++) {
            assertEquals(want[i] / 32768f, got[i], 0f, "sample " + v[i]);
            assertEquals(Float.floatToRawIntBits(want[i] / 32768f), Float.floatToRawIntBits(got[i]), "+0, never -0: " + v[i]);
        }
        for (int k = 0; k < 5000; k++) {   // growth past the first capacity
            out.appendSamples(0, in);
        }
        assertEquals(32 * 5001, buf.end());
        float[] all = buf.planar();
        assertArrayEquals(got, Arrays.copyOfRange(all, 32 * 5000, 32 * 5001), "the samples survive the growth");
    }

    @Test
    void noFrameIsAClearError() throws IOException {
        byte[] b = new byte[4000];
        b[0] = 'I';
        b[1] = 'D';
        b[2] = '3';
        b[3] = 4;
        b[9] = 20;   // a 20-byte tag, then zeros: no frame sync anywhere
        Path f = dir.resolve("tag-only.mp3");
        Files.write(f, b);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(f));
        assertEquals(f + ": unsupported codec or corrupt MP3 file: no MPEG audio frame found", e.getMessage());
    }

    /** ISO/IEC 11172-3's frame sizes: 128 kbit/s at 44.1 kHz is 417 bytes (418 padded), and the reserved codes. */
    @Test
    void frameLengthsFollowTheStandard() {
        assertEquals(417, Mp3Reader.frameLength(new byte[]{(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0}, 0, 4));
        assertEquals(418, Mp3Reader.frameLength(new byte[]{(byte) 0xFF, (byte) 0xFB, (byte) 0x92, 0}, 0, 4));
        // MPEG-2 layer III, 64 kbit/s at 22.05 kHz: 72 * 64000 / 22050 = 208
        assertEquals(208, Mp3Reader.frameLength(new byte[]{(byte) 0xFF, (byte) 0xF3, (byte) 0x80, 0}, 0, 4));
        // MPEG-1 layer I, 384 kbit/s at 48 kHz: 12 * 384000 / 48000 = 96 slots of 4 bytes
        assertEquals(384, Mp3Reader.frameLength(new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xC4, 0}, 0, 4));
        // MPEG-1 layer II, 192 kbit/s at 32 kHz: 144 * 192000 / 32000 = 864
        assertEquals(864, Mp3Reader.frameLength(new byte[]{(byte) 0xFF, (byte) 0xFD, (byte) 0xA8, 0}, 0, 4));
        for (byte[] bad : new byte[][]{{(byte) 0xFF, (byte) 0xEB, (byte) 0x90, 0},   // version 01: reserved
            {(byte) 0xFF, (byte) 0xF9, (byte) 0x90, 0},                                // layer 00: reserved
            {(byte) 0xFF, (byte) 0xFB, (byte) 0x00, 0},                                // free format
            {(byte) 0xFF, (byte) 0xFB, (byte) 0xF0, 0},                                // bit-rate index 15
            {(byte) 0xFF, (byte) 0xFB, (byte) 0x9C, 0},                                // sample-rate index 3
            {(byte) 0xFE, (byte) 0xFB, (byte) 0x90, 0}}) {
            assertEquals(0, Mp3Reader.frameLength(bad, 0, 4));
        }
    }

    /**
     * Previews as scrapers leave them: behind junk bytes, behind a saved HTTP reply's headers (text longer than
     * the text check looks at), and cut inside a frame. Each decodes; the first two to the whole file's samples,
     * the cut one to the whole file's last samples once its first frames (without the bit reservoir's bytes and
     * the filters' history) are past. Before, each was "not a WAV, FLAC, ..." or "not audio: a text file".
     */
    @Test
    void framesBehindJunkAreFound() throws IOException {
        Path real = CodecFilesTest.resource("lame-44k-stereo.mp3");
        byte[] mp3 = Files.readAllBytes(real);
        Audio whole = AudioDecoder.decode(real);
        byte[] junk = new byte[1500];
        new Random(3).nextBytes(junk);
        junk[0] = 0x11;   // no format's magic
        String http = "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n" + "X-Cache: miss\r\n".repeat(30) + "\r\n";
        for (byte[] before : new byte[][]{junk, http.getBytes(java.nio.charset.StandardCharsets.US_ASCII)}) {
            byte[] b = new byte[before.length + mp3.length];
            System.arraycopy(before, 0, b, 0, before.length);
            System.arraycopy(mp3, 0, b, before.length, mp3.length);
            Path f = dir.resolve("junk.mp3");
            Files.write(f, b);
            Audio a = AudioDecoder.decode(f);
            assertEquals(whole.frames(), a.frames());
            assertArrayEquals(whole.samples(), a.samples());
        }
        int first = (int) AudioDecoder.id3v2Length(mp3, mp3.length);
        int cut = first + 417 * 3 + 100;   // inside the fourth frame
        Path f = dir.resolve("cut.mp3");
        Files.write(f, Arrays.copyOfRange(mp3, cut, mp3.length));
        Audio a = AudioDecoder.decode(f);
        assertEquals(2, a.channels());
        int lost = whole.frames() - a.frames();
        assertTrue(lost >= 4 * 1152 && lost % 1152 == 0, "frames lost: " + lost);
        int keep = a.frames() - 4 * 1152;
        for (int c = 0; c < 2; c++) {
            for (int i = a.frames() - keep; i < a.frames(); i++) {
                assertEquals(whole.samples()[c * whole.frames() + lost + i], a.samples()[c * a.frames() + i], 0f,
                        "channel " + c + " sample " + i);
            }
        }
    }

    /**
     * Channel 0's big_values set to 511 in granule {@code gr} (1: MPEG-1 only) of each of {@code frames} (counted from
     * the first after the ID3 tag): 1,022 Huffman-coded lines where a granule has 576, which jlayer reads past its
     * arrays (an index error, not a {@code DecoderException}). Side information (ISO/IEC 11172-3 2.4.1.7, 13818-3
     * 2.4.1.7): main_data_begin, private bits, scfsi (MPEG-1: 18 bits mono, 20 stereo; MPEG-2: 9 or 10), then per
     * granule and channel 59 bits (MPEG-1) starting with part2_3_length (12) and big_values (9): big_values of granule
     * 0 starts at bit 32 of MPEG-1 stereo, 30 of MPEG-1 mono, 22 of MPEG-2 stereo, 21 of MPEG-2 mono, after the
     * header and its CRC if any.
     */
    static byte[] overlongGranule(byte[] mp3, int gr, int... frames) {
        byte[] b = mp3.clone();
        int p = (int) AudioDecoder.id3v2Length(b, b.length);
        for (int k = 0, next = 0; next < frames.length; k++) {
            int len = Mp3Reader.frameLength(b, p, b.length);
            assertTrue(len > 0, "a frame at byte " + p);
            if (k == frames[next]) {
                boolean mpeg1 = (b[p + 1] >> 3 & 3) == 3, mono = (b[p + 3] & 0xC0) == 0xC0, crc = (b[p + 1] & 1) == 0;
                int bit = (p + 4 + (crc ? 2 : 0)) * 8 + 12 + (mpeg1 ? (mono ? 18 : 20) + gr * (mono ? 1 : 2) * 59
                        : (mono ? 9 : 10));
                for (int i = bit; i < bit + 9; i++) {
                    b[i >> 3] |= (byte) (0x80 >> (i & 7));
                }
                next++;
            }
            p += len;
        }
        return b;
    }

    /**
     * A frame jlayer cannot decode is dropped and the rest of the file decodes: the samples before it are the whole
     * file's, and 1,152 samples after it they are the whole file's again, one frame earlier (LAME's stereo file) or two
     * (the MPEG-2 mono one, whose next frame's main data began where the damaged frame had read past). Two such frames
     * in a row (the decoder starts afresh: the next frames whose main data began in bytes it never saw give nothing)
     * leave the whole file's last samples. A line on standard error names the file and the frame. A file where most
     * frames are damaged is refused, naming it and the count.
     */
    @Test
    void aFrameJlayerCannotDecodeIsDropped() throws Exception {
        for (String name : new String[]{"lame-44k-stereo.mp3", "lame-22k-mono.mp3"}) {
            Path real = CodecFilesTest.resource(name);
            byte[] mp3 = Files.readAllBytes(real);
            Audio whole = AudioDecoder.decode(real);
            int spf = whole.sampleRate() > 32000 ? 1152 : 576, ch = whole.channels();
            Path f = dir.resolve("one-" + name);
            // MPEG-1: also the second granule, after the first has written its samples (they are taken back)
            for (int gr = 0; gr < (spf == 1152 ? 2 : 1); gr++) {
                Files.write(f, overlongGranule(mp3, gr, 6));
                assertThrows(Exception.class, () -> viaMp3spi(f), "mp3spi failed on it");
                java.io.PrintStream err = System.err;
                java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
                System.setErr(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
                Audio a;
                try {
                    a = AudioDecoder.decode(f);
                } finally {
                    System.setErr(err);
                }
                assertEquals(String.format(java.util.Locale.ROOT, "mtdtl: %s: 1 damaged MP3 frame dropped (frame 7, "
                        + "about %.1f s in)%n", f, 6.0 * spf / whole.sampleRate()),
                        said.toString(java.nio.charset.StandardCharsets.UTF_8), "said once, on standard error");
                int lost1 = whole.frames() - a.frames();   // the damaged frame, and the next where it gives nothing
                assertTrue(lost1 == spf || lost1 == 2 * spf, name + ", granule " + gr + ": frames lost: " + lost1);
                for (int c = 0; c < ch; c++) {
                    for (int i = 0; i < a.frames(); i++) {
                        // up to 1,088 samples after it may still differ: the IMDCT's overlap (a granule, 576) and
                        // the synthesis filter's 512
                        if (i < 6 * spf || i >= 6 * spf + 1152) {
                            int w = i < 6 * spf ? i : i + lost1;
                            assertEquals(whole.samples()[c * whole.frames() + w], a.samples()[c * a.frames() + i], 0f,
                                    name + ", granule " + gr + ": channel " + c + " sample " + i);
                        }
                    }
                }
            }
            Files.write(f, overlongGranule(mp3, 0, 6, 7));
            Audio a = AudioDecoder.decode(f);
            int lost = whole.frames() - a.frames();
            assertTrue(lost >= 2 * spf && lost % spf == 0 && lost <= 6 * spf, name + ": frames lost: " + lost);
            for (int c = 0; c < ch; c++) {
                for (int i = 12 * spf; i < a.frames(); i++) {
                    assertEquals(whole.samples()[c * whole.frames() + i + lost], a.samples()[c * a.frames() + i], 0f,
                            name + ": two damaged, channel " + c + " sample " + i);
                }
            }
            try (AudioWindow w = AudioDecoder.window(f)) {
                assertEquals(a.frames(), w.frames(), name + ": the streamed reader drops the same frames");
                assertArrayEquals(a.samples(), w.read(0, a.frames()), name + ": the streamed reader's samples");
            }
            int[] all = new int[10];
            for (int k = 0; k < all.length; k++) {
                all[k] = 2 * k;   // every other frame: a fresh decoder never starts, the share passes one in eight
            }
            Files.write(f, overlongGranule(mp3, 0, all));
            AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(f));
            assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(f.toString())
                    + ": corrupt MP3 data: 9 of the first 17 frames could not be decoded \\(the last: frame 17, about "
                    + "[0-9.]+ s in: java.lang.ArrayIndexOutOfBoundsException.*\\)"), e.getMessage());
        }
    }

    /**
     * A streamed file read again from its start is decoded twice: the line for its dropped frame is said once, by the
     * first pass (each pass here runs to the stream's end); and the streamed dB-mel, its frames not kept (a second
     * pass for the reads), is the whole decode's.
     */
    @Test
    void aStreamSaysItsDroppedFramesOnce() throws IOException {
        Path f = dir.resolve("dropped.mp3");
        Files.write(f, overlongGranule(Files.readAllBytes(CodecFilesTest.resource("lame-44k-stereo.mp3")), 0, 6));
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
        try (AudioWindow w = AudioDecoder.window(f)) {
            int n = w.frames();                                     // the first pass, to the end
            assertEquals(10, w.read(0, 5).length);                  // back to the start: a second pass
            assertEquals(n, w.reach(5, Long.MAX_VALUE), "the second pass, to the end");
        } finally {
            System.setErr(err);
        }
        String line = "mtdtl: " + f + ": 1 damaged MP3 frame dropped (frame 7, about 0.2 s in)";
        assertEquals(line + System.lineSeparator(), said.toString(java.nio.charset.StandardCharsets.UTF_8));
        MelConfig cfg = MelConfig.paper();
        try (DbMelStream s = DbMelStream.open(f, cfg, 0, 0)) {
            int t = s.frames();
            float[] streamed = new float[2 * t * cfg.nMels()];
            s.read(0, t, streamed);
            assertArrayEquals(Features.dbMel(f, cfg).data(), streamed, "the streamed dB-mel is the whole decode's");
        }
    }

    /** Without three chained frames a file that no format claims is still refused, as before. */
    @Test
    void noChainNoMp3() throws IOException {
        byte[] junk = new byte[70_000];
        new Random(4).nextBytes(junk);
        junk[0] = 0x11;
        byte[] one = Arrays.copyOf(Files.readAllBytes(CodecFilesTest.resource("lame-44k-stereo.mp3")), 20_000);
        int at = (int) AudioDecoder.id3v2Length(one, one.length);
        System.arraycopy(one, at, junk, 1000, 417 * 2);   // two frames: not enough
        Path f = dir.resolve("two-frames.bin");
        Files.write(f, junk);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(f));
        assertEquals(f + ": unsupported codec: not a WAV, FLAC, Ogg Vorbis, MP3, AIFF or AU file", e.getMessage());
        assertEquals(-1, Mp3Reader.chainStart(junk, junk.length));
    }
}
