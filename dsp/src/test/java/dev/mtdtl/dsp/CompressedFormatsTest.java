package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FLAC through jflac (files made by {@link FlacBytes}); MP3 through jlayer ({@link Mp3Reader}) with frames of digital
 * silence made here; Ogg Vorbis: only the sniffing and the corrupt-stream errors. Real MP3 and Ogg files
 * with content, made by LAME and libvorbis, are {@link CodecFilesTest}'s.
 */
class CompressedFormatsTest {

    @TempDir
    Path dir;

    private static int[] ramp(int channels, int n, int bits) {
        int[] q = new int[channels * n];
        int max = (1 << (bits - 1)) - 1;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                q[c * n + i] = (int) Math.round(max * 0.9 * Math.sin(0.01 * i * (c + 1) + c));
            }
        }
        return q;
    }

    @Test
    void flacDecodesExactly() throws IOException {
        for (int bits : new int[] {16, 24}) {
            for (int ch : new int[] {1, 2}) {
                int n = 2500;
                int[] q = ramp(ch, n, bits);
                Path p = dir.resolve("t" + bits + "_" + ch + ".flac");
                Files.write(p, FlacBytes.encode(q, ch, 44100, bits, 1024));
                Audio a = AudioDecoder.decode(p);
                assertEquals(ch, a.channels());
                assertEquals(44100, a.sampleRate());
                assertEquals(n, a.frames());
                for (int i = 0; i < q.length; i++) {
                    assertEquals(q[i] / (float) (1 << (bits - 1)), a.samples()[i], 0f, bits + " bit, ch " + ch + " at " + i);
                }
            }
        }
    }

    @Test
    void flacToMelEndToEnd() throws IOException {
        int n = 44100;
        int[] q = ramp(1, n, 16);
        Path in = dir.resolve("mono.flac");
        Files.write(in, FlacBytes.encode(q, 1, 44100, 16, 4096));
        Path out = dir.resolve("mono.npy");
        int[] shape = Features.melToNpy(in, out, MelConfig.paper());
        assertEquals(2, shape[0]);
        assertEquals(1 + 22050 / 256, shape[1]);
        assertTrue(Files.size(out) > 4L * 2 * shape[1] * 128);
        float[] f = Features.mfccToNpy(in, dir.resolve("mono_mfcc.npy"), MelConfig.paper());
        assertEquals(120, f.length);
    }

    /**
     * MPEG-1 Layer III frames of digital silence: a valid header (128 kbit/s, 44.1 kHz, no CRC,
     * no padding: 417 bytes per frame) followed by all-zero side information and main data, which
     * decodes to 1152 zero samples per frame. An MP3 made without an encoder;
     * it checks the reader's plumbing (format, channels, rate, length), not the decoder's numerics.
     */
    private static byte[] silentMp3(int frames, boolean stereo) {
        byte[] b = new byte[frames * 417];
        for (int f = 0; f < frames; f++) {
            int o = f * 417;
            b[o] = (byte) 0xFF;
            b[o + 1] = (byte) 0xFB;   // sync, MPEG-1, layer III, no CRC
            b[o + 2] = (byte) 0x90;   // 128 kbit/s, 44100 Hz, no padding
            b[o + 3] = (byte) (stereo ? 0x00 : 0xC0);
        }
        return b;
    }

    @Test
    void mp3SilenceDecodesThroughTheSpi() throws IOException {
        for (boolean stereo : new boolean[] {true, false}) {
            Path p = dir.resolve(stereo ? "silence2.mp3" : "silence1.mp3");
            Files.write(p, silentMp3(40, stereo));
            Audio a = AudioDecoder.decode(p);
            assertEquals(stereo ? 2 : 1, a.channels());
            assertEquals(44100, a.sampleRate());
            assertTrue(a.frames() > 30 * 1152 && a.frames() <= 40 * 1152, "frames " + a.frames());
            for (float v : a.samples()) {
                assertEquals(0f, v, 0f);
            }
        }
    }

    private void assertBad(String name, byte[] bytes, String expected) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(p), name);
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.reason().contains(expected), "'" + e.reason() + "' should contain '" + expected + "'");
    }

    /**
     * An ID3v2 tag in front of a FLAC stream (taggers write them; ffmpeg and libFLAC read past them): the FLAC is
     * decoded, with and without the tag's footer; it used to go to the MP3 decoder ("no decoder accepts it").
     */
    @Test
    void flacBehindAnId3TagIsFlac() throws IOException {
        byte[] flac = FlacBytes.encode(ramp(2, 5000, 16), 2, 22050, 16, 1024);
        Path plain = dir.resolve("plain.flac");
        Files.write(plain, flac);
        Audio want = AudioDecoder.decode(plain);
        for (boolean footer : new boolean[]{false, true}) {
            int body = 300;   // a 6-byte TIT2 frame, then padding
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
            o.writeBytes(new byte[]{'I', 'D', '3', 4, 0, (byte) (footer ? 0x10 : 0), 0, 0, (byte) (body >> 7),
                (byte) (body & 0x7F)});
            byte[] frames = new byte[body];
            System.arraycopy(new byte[]{'T', 'I', 'T', '2', 0, 0, 0, 2, 0, 0, 3, 'x'}, 0, frames, 0, 12);
            o.writeBytes(frames);
            if (footer) {
                o.writeBytes(new byte[]{'3', 'D', 'I', 4, 0, 0x10, 0, 0, (byte) (body >> 7), (byte) (body & 0x7F)});
            }
            o.writeBytes(flac);
            byte[] tagged = o.toByteArray();
            assertEquals(10 + body + (footer ? 10 : 0), AudioDecoder.id3v2Length(tagged, tagged.length));
            Path p = dir.resolve("tagged-" + footer + ".flac");
            Files.write(p, tagged);
            Audio got = AudioDecoder.decode(p);
            assertEquals(want.frames(), got.frames());
            assertArrayEquals(want.samples(), got.samples(), "footer " + footer);
        }
        assertEquals(0, AudioDecoder.id3v2Length(new byte[]{'I', 'D', '3', 4, 0, 0, (byte) 0x80, 0, 0, 0}, 10),
                "a size byte with its top bit set is no ID3v2 header");
    }

    @Test
    void brokenCompressedFilesGiveClearErrors() throws IOException {
        byte[] flac = FlacBytes.encode(ramp(2, 5000, 16), 2, 22050, 16, 1024);
        assertBad("cut.flac", Arrays.copyOf(flac, flac.length - 3000), "truncated");
        assertBad("header-only.flac", Arrays.copyOf(flac, 20), "FLAC");
        byte[] garbage = new byte[4000];
        new java.util.Random(5).nextBytes(garbage);
        byte[] ogg = garbage.clone();
        ogg[0] = 'O';
        ogg[1] = 'g';
        ogg[2] = 'g';
        ogg[3] = 'S';
        assertBad("garbage.ogg", ogg, "Ogg");
        byte[] mp3 = garbage.clone();
        mp3[0] = 'I';
        mp3[1] = 'D';
        mp3[2] = '3';
        assertBad("garbage.mp3", mp3, "MP3");
        assertEquals("FLAC", AudioDecoder.sniff(flac, 4));
    }

    @Test
    void batchSkipsBadFilesAndReportsThem() throws IOException {
        Path good = dir.resolve("good.flac");
        Files.write(good, FlacBytes.encode(ramp(2, 3000, 16), 2, 22050, 16, 1024));
        Path empty = dir.resolve("empty.wav");
        Files.write(empty, new byte[0]);
        Path text = dir.resolve("notes.mp3");
        Files.writeString(text, "not audio");
        List<Features.Failure> failed = Features.melAll(List.of(empty, good, text),
                p -> dir.resolve(p.getFileName() + ".npy"), MelConfig.paper());
        assertEquals(2, failed.size());
        assertEquals(empty, failed.get(0).file());
        assertTrue(failed.get(0).reason().contains("empty"));
        assertEquals(text, failed.get(1).file());
        assertTrue(Files.exists(dir.resolve("good.flac.npy")));
        assertTrue(!Files.exists(dir.resolve("empty.wav.npy")) && !Files.exists(dir.resolve("notes.mp3.npy")));
    }
}
