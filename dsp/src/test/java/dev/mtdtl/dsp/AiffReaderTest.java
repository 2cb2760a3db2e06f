package dev.mtdtl.dsp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AIFF and AIFF-C by {@link AiffReader}: every supported compression and sample size to the values they hold, the
 * JDK's own AIFF writer's files to the samples it was given, chunks in any order with pad bytes and an SSND offset,
 * and errors that name the cause. Before 2026-12-07 the JDK's reader decoded AIFF: AIFF-C files (macOS's {@code sowt}
 * and {@code fl32}, as ffmpeg writes them for {@code -f aiff} with little-endian or float samples) were "no decoder
 * accepts it".
 */
class AiffReaderTest {

    @TempDir
    Path dir;

    /** An 80-bit extended float of a whole rate: exponent 16383 + 63 - shift, mantissa rate << shift (top bit set). */
    static byte[] extended(int rate) {
        int shift = Long.numberOfLeadingZeros(rate);
        ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.BIG_ENDIAN);
        b.putShort((short) (16383 + 63 - shift)).putLong((long) rate << shift);
        return b.array();
    }

    static byte[] chunk(String id, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length + (body.length & 1)).order(ByteOrder.BIG_ENDIAN);
        b.put(id.getBytes(StandardCharsets.ISO_8859_1)).putInt(body.length).put(body);
        return b.array();
    }

    static byte[] comm(boolean aifc, int channels, long frames, int bits, int rate, String compression) {
        ByteBuffer b = ByteBuffer.allocate(aifc ? 18 + 4 + 2 : 18).order(ByteOrder.BIG_ENDIAN);
        b.putShort((short) channels).putInt((int) frames).putShort((short) bits).put(extended(rate));
        if (aifc) {
            b.put(compression.getBytes(StandardCharsets.ISO_8859_1)).put((byte) 0).put((byte) 0);   // empty pstring
        }
        return chunk("COMM", b.array());
    }

    static byte[] ssnd(int offset, byte[] frames) {
        ByteBuffer b = ByteBuffer.allocate(8 + offset + frames.length).order(ByteOrder.BIG_ENDIAN);
        b.putInt(offset).putInt(0).put(new byte[offset]).put(frames);
        return chunk("SSND", b.array());
    }

    static byte[] form(String type, byte[]... chunks) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] c : chunks) {
            o.writeBytes(c);
        }
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        h.put("FORM".getBytes(StandardCharsets.ISO_8859_1)).putInt(4 + o.size())
                .put(type.getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(h.array());
        f.writeBytes(o.toByteArray());
        return f.toByteArray();
    }

    /** The whole decode, checked against the window's reads of the same file (whole, and frame by frame). */
    private Audio decode(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        Audio a = AudioDecoder.decode(p);
        try (AudioWindow w = AudioDecoder.window(p)) {
            assertTrue(w instanceof AiffReader.Window, name);
            assertEquals(a.frames(), w.frames());
            assertEquals(a.channels(), w.channels());
            assertEquals(a.sampleRate(), w.sampleRate());
            assertArrayEquals(a.samples(), w.read(0, a.frames()), name + " by window");
            for (int from = 0; from < a.frames(); from += 7) {
                int count = Math.min(7 + from % 5, a.frames() - from);
                float[] got = w.read(from, count);
                for (int c = 0; c < a.channels(); c++) {
                    for (int i = 0; i < count; i++) {
                        assertEquals(a.samples()[c * a.frames() + from + i], got[c * count + i], name);
                    }
                }
            }
        }
        return a;
    }

    /** The whole decode and the window (at its opening, or on reading every frame) refuse the file alike. */
    private void assertBad(String name, byte[] bytes, String reason) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(p));
        assertEquals(p + ": " + reason, e.getMessage());
        AudioDecodeException w = assertThrows(AudioDecodeException.class, () -> {
            try (AudioWindow win = AudioDecoder.window(p)) {
                win.read(0, win.frames());
            }
        });
        assertEquals(p + ": " + reason, w.getMessage(), "by window");
    }

    @Test
    void theExtendedRateIsReadBack() {
        for (int rate : new int[]{8000, 11025, 22050, 44100, 48000, 96000, 192000, 384000}) {
            assertEquals(rate, AiffReader.extended(ByteBuffer.wrap(extended(rate)), 0), "rate " + rate);
        }
    }

    @Test
    void everyCompressionAndSizeGivesItsValues() throws IOException {
        // frames (L, R): (1/2, -1/4), (-1, 1 - 2^-(bits-1) or the float's own), little and big endian
        double[][] v = {{0.5, -0.25}, {-1.0, 0.75}};
        for (String c : new String[]{"NONE", "twos", "sowt", "fl32", "FL32", "fl64"}) {
            for (int bits : c.startsWith("fl") || c.startsWith("FL") ? new int[]{c.endsWith("32") ? 32 : 64}
                    : new int[]{8, 16, 24, 32}) {
                int bytes = bits / 8;
                ByteBuffer d = ByteBuffer.allocate(4 * bytes).order(c.equals("sowt") ? ByteOrder.LITTLE_ENDIAN
                        : ByteOrder.BIG_ENDIAN);
                for (double[] f : v) {
                    for (double x : f) {
                        if (c.equalsIgnoreCase("fl32")) {
                            d.putFloat((float) x);
                        } else if (c.equals("fl64")) {
                            d.putDouble(x);
                        } else {
                            long q = Math.round(x * (1L << (bits - 1)));
                            for (int k = 0; k < bytes; k++) {   // in the buffer's order, one byte at a time
                                int shift = d.order() == ByteOrder.BIG_ENDIAN ? 8 * (bytes - 1 - k) : 8 * k;
                                d.put((byte) (q >> shift));
                            }
                        }
                    }
                }
                boolean aifc = !c.equals("NONE");
                // COMM after SSND, an odd-length chunk (padded) first, and an SSND offset of 3 bytes
                byte[] f = form(aifc ? "AIFC" : "AIFF", chunk("NAME", "odd".getBytes(StandardCharsets.ISO_8859_1)),
                        ssnd(3, d.array()), comm(aifc, 2, 2, bits, 44100, c));
                Audio a = decode(c + bits + ".aif", f);
                assertEquals(44100, a.sampleRate());
                assertEquals(2, a.frames());
                assertArrayEquals(new float[]{0.5f, -1f, -0.25f, 0.75f}, a.samples(), c + " " + bits + "-bit");
            }
        }
    }

    /** What the JDK writes as AIFF (plain, big-endian), decoded to the very samples it was given. */
    @Test
    void theJdksAiffDecodesToItsSamples() throws IOException {
        int n = 3000;
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.BIG_ENDIAN);
        short[] s = new short[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            s[i] = (short) (i * 37 - 20000);
            b.putShort(s[i]);
        }
        AudioFormat fmt = new AudioFormat(22050, 16, 2, true, true);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(b.array()), fmt, n), AudioFileFormat.Type.AIFF,
                o);
        Audio a = decode("jdk.aiff", o.toByteArray());
        assertEquals(22050, a.sampleRate());
        assertEquals(n, a.frames());
        for (int i = 0; i < n; i++) {
            assertEquals(s[2 * i] / 32768f, a.samples()[i]);
            assertEquals(s[2 * i + 1] / 32768f, a.samples()[n + i]);
        }
    }

    @Test
    void badFilesNameTheCause() throws IOException {
        byte[] pcm = new byte[8];
        assertBad("ulaw.aifc", form("AIFC", comm(true, 1, 8, 16, 8000, "ulaw"), ssnd(0, pcm)),
                "unsupported codec: AIFF-C compression 'ulaw' (supported: NONE, twos, sowt, fl32, fl64)");
        assertBad("nocomm.aif", form("AIFF", ssnd(0, pcm)), "no COMM chunk");
        assertBad("nossnd.aif", form("AIFF", comm(false, 1, 4, 16, 8000, "NONE")), "no SSND chunk");
        assertBad("cut.aif", form("AIFF", comm(false, 1, 5, 16, 8000, "NONE"), ssnd(0, pcm)),
                "truncated data: COMM announces 5 sample frames (10 bytes), the SSND chunk holds 8");
        assertBad("empty.aif", form("AIFF", comm(false, 1, 0, 16, 8000, "NONE"), ssnd(0, pcm)),
                "zero-length audio (COMM announces no sample frames)");
        assertBad("rate.aif", form("AIFF", comm(false, 1, 4, 16, 1000, "NONE"), ssnd(0, pcm)),
                "unsupported sample rate 1000 Hz (accepted: 8000 to 384000 Hz)");
        assertBad("bits.aif", form("AIFF", comm(false, 1, 4, 40, 8000, "NONE"), ssnd(0, pcm)),
                "unsupported codec: 40-bit samples with compression 'NONE'");
        ByteBuffer nan = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(0.5f).putFloat(Float.NaN);
        assertBad("nan.aifc", form("AIFC", comm(true, 1, 2, 32, 8000, "fl32"), ssnd(0, nan.array())),
                "NaN sample at frame 1, channel 0");
        assertBad("8svx.iff", form("8SVX", ssnd(0, pcm)), "not an AIFF or AIFF-C file");
        assertBad("short.aif", "FORM".getBytes(StandardCharsets.ISO_8859_1),
                "truncated header: 4 bytes, an AIFF header needs 12");
    }
}
