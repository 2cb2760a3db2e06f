package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WAV decoding: the dsp_audio fixture bit-exactly, every PCM/float layout, and every bad input. */
class WavReaderTest {

    @TempDir
    Path dir;

    @Test
    void fixtureDecodesBitExactly() throws IOException {
        Audio a = AudioDecoder.decode(Fixtures.dir().resolve("dsp_audio/audio.wav"));
        assertEquals(2, a.channels());
        assertEquals(22050, a.sampleRate());
        assertEquals(66150, a.frames());
        Close.assertExact(Fixtures.f32("dsp_audio/audio.npy"), a.samples(), "decoded_audio");
    }

    /** A 100-sample stereo ramp within (-1, 1), representable at 8 bits so every depth round-trips. */
    private static double[] ramp(int channels, int n) {
        double[] x = new double[channels * n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                x[c * n + i] = ((i * 7 + c * 31) % 255 - 127) / 128.0;
            }
        }
        return x;
    }

    private Audio write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return AudioDecoder.decode(p);
    }

    @Test
    void everyEncodingRoundTrips() throws IOException {
        double[] x = ramp(2, 100);
        int[][] encodings = {{1, 8}, {1, 16}, {1, 24}, {1, 32}, {3, 32}, {3, 64}};
        for (int[] e : encodings) {
            boolean isFloat = e[0] == 3;
            for (boolean ext : new boolean[] {false, true}) {
                byte[] fmt = WavBytes.fmt(ext ? 0xFFFE : e[0], 2, 44100, e[1], e[0]);
                byte[] wav = WavBytes.riff(WavBytes.chunk("fmt ", fmt),
                        WavBytes.chunk("LIST", new byte[] {1, 2, 3}),   // odd-sized unknown chunk + pad byte
                        WavBytes.chunk("data", WavBytes.samples(x, 2, e[1], isFloat)));
                Audio a = write("enc" + e[0] + "_" + e[1] + ext + ".wav", wav);
                assertEquals(44100, a.sampleRate());
                assertEquals(100, a.frames());
                for (int i = 0; i < x.length; i++) {
                    assertEquals((float) x[i], a.samples()[i], 0f, "tag " + e[0] + " bits " + e[1] + " at " + i);
                }
            }
        }
    }

    @Test
    void monoIsDuplicatedAndSurroundKeepsTheFrontPair() throws IOException {
        double[] mono = ramp(1, 50);
        Audio a = write("mono.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 22050, 16, 1)),
                WavBytes.chunk("data", WavBytes.samples(mono, 1, 16, false))));
        Audio s = a.toStereo();
        assertEquals(2, s.channels());
        assertTrue(Arrays.equals(Arrays.copyOfRange(s.samples(), 0, 50), Arrays.copyOfRange(s.samples(), 50, 100)));
        double[] six = ramp(6, 40);
        Audio b = write("six.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 6, 22050, 16, 1)),
                WavBytes.chunk("data", WavBytes.samples(six, 6, 16, false)))).toStereo();
        assertEquals(2, b.channels());
        for (int i = 0; i < 80; i++) {
            assertEquals((float) six[i], b.samples()[i], 0f);
        }
    }

    private void assertBad(String name, byte[] bytes, String expected) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(p), name);
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        assertTrue(e.reason().contains(expected), "'" + e.reason() + "' should say '" + expected + "'");
        assertEquals(p, e.file());
    }

    @Test
    void badInputsGiveClearErrors() throws IOException {
        byte[] fmt16 = WavBytes.fmt(1, 2, 22050, 16, 1);
        byte[] data = WavBytes.samples(ramp(2, 100), 2, 16, false);
        byte[] good = WavBytes.riff(WavBytes.chunk("fmt ", fmt16), WavBytes.chunk("data", data));

        assertBad("empty.wav", new byte[0], "empty file");
        assertBad("short-riff.wav", Arrays.copyOf(good, 8), "truncated header");
        assertBad("cut-fmt.wav", Arrays.copyOf(good, 12 + 8 + 10), "truncated header");
        assertBad("no-data.wav", Arrays.copyOf(good, 12 + 8 + 16), "no data chunk");
        assertBad("cut-data-header.wav", Arrays.copyOf(good, 12 + 8 + 16 + 5), "truncated header");
        assertBad("cut-data.wav", Arrays.copyOf(good, good.length - 100), "truncated data");
        assertBad("half-frame.wav", WavBytes.riff(WavBytes.chunk("fmt ", fmt16),
                WavBytes.chunk("data", Arrays.copyOf(data, data.length - 2))), "truncated data");
        assertBad("zero.wav", WavBytes.riff(WavBytes.chunk("fmt ", fmt16), WavBytes.chunk("data", new byte[0])),
                "zero-length audio");
        assertBad("adpcm.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(2, 2, 22050, 4, 1)),
                WavBytes.chunk("data", data)), "unsupported codec: WAVE format tag 0x0002 (Microsoft ADPCM)");
        assertBad("mp3-in-wav.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(0x55, 2, 22050, 16, 1)),
                WavBytes.chunk("data", data)), "unsupported codec");
        assertBad("pcm12.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 22050, 12, 1)),
                WavBytes.chunk("data", data)), "unsupported codec: 12-bit");
        assertBad("text.wav", "hello, this is not audio at all".getBytes(),
                "not audio: a text file starting 'hello, this is not audio at all'");
        assertBad("riff-avi.wav", "RIFF\0\0\0\0AVI LIST".getBytes(), "not a RIFF/WAVE file");

        double[] withNan = ramp(2, 100);
        withNan[2 * 100 - 3] = Double.NaN;
        assertBad("nan.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(3, 2, 22050, 32, 3)),
                WavBytes.chunk("data", WavBytes.samples(withNan, 2, 32, true))), "NaN sample at frame 97, channel 1");
        double[] withInf = ramp(2, 100);
        withInf[5] = Double.POSITIVE_INFINITY;
        assertBad("inf.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(3, 2, 22050, 64, 3)),
                WavBytes.chunk("data", WavBytes.samples(withInf, 2, 64, true))), "infinite sample");
        AudioDecodeException e = assertThrows(AudioDecodeException.class,
                () -> AudioDecoder.decode(dir.resolve("missing.wav")));
        assertTrue(e.reason().contains("no such file"));
    }

    @Test
    void writerRoundTripsThroughTheReader() throws IOException {
        float[] fixture = Fixtures.f32("dsp_audio/audio.npy");
        Audio a = new Audio(fixture, 2, 66150, 22050);
        Path p16 = dir.resolve("rt16.wav");
        WavWriter.write(p16, a, WavWriter.Encoding.PCM16);
        Close.assertExact(fixture, AudioDecoder.decode(p16).samples(), "16-bit round trip of int16/32768 values");
        assertTrue(Arrays.equals(Files.readAllBytes(Fixtures.dir().resolve("dsp_audio/audio.wav")),
                Files.readAllBytes(p16)), "byte-identical to the fixture WAV");
        Audio odd = new Audio(new float[] {0.1f, -2f, Float.MIN_VALUE, 1.5f, -0.25f, 0.3333f}, 3, 2, 8000);
        Path pf = dir.resolve("rtf.wav");
        WavWriter.write(pf, odd, WavWriter.Encoding.FLOAT32);
        Audio back = AudioDecoder.decode(pf);
        assertEquals(3, back.channels());
        assertEquals(8000, back.sampleRate());
        Close.assertExact(odd.samples(), back.samples(), "float32 round trip");
    }

    @Test
    void sixteenBitPcmGivesEachShortOver32768WhereverItIsRead() throws IOException {
        // every short value, mono and 3 channels (the general loop's planar layout), decoded whole and in windows
        int n = 65536 + 11;
        for (int ch : new int[] {1, 3}) {
            short[] v = new short[n * ch];   // interleaved
            java.util.SplittableRandom r = new java.util.SplittableRandom(ch);
            for (int i = 0; i < v.length; i++) {
                v[i] = (short) (i < 65536 ? i - 32768 : r.nextInt(65536) - 32768);
            }
            java.nio.ByteBuffer data = java.nio.ByteBuffer.allocate(2 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            data.asShortBuffer().put(v);
            byte[] wav = WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, ch, 22050, 16, 1)),
                    WavBytes.chunk("data", data.array()));
            Path p = dir.resolve("pcm16_" + ch + ".wav");
            Files.write(p, wav);
            float[] whole = AudioDecoder.decode(p).samples();   // (ch, n); stereo keeps the front pair only
            try (WavReader.Window w = WavReader.open(p)) {
                int from = 8190;
                int count = 9000;                                  // across the 8192-frame blocks
                float[] part = w.read(from, count);                // (ch, count)
                for (int c = 0; c < ch; c++) {
                    for (int i = 0; i < n; i++) {
                        float want = v[i * ch + c] / 32768f;
                        if (ch == 1) {
                            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(whole[i]), "sample " + i);
                        }
                        if (i >= from && i < from + count) {
                            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(part[c * count + i - from]),
                                    "window: channel " + c + ", frame " + i);
                        }
                    }
                }
            }
        }
    }

    /**
     * ffmpeg writing WAV to a pipe ({@code ffmpeg -i x.mp3 -f wav - > x.wav}) cannot seek back to fill in the sizes:
     * it writes 0xFFFFFFFF for the RIFF and the data size (and a LIST chunk between fmt and data). The data runs to the
     * end of the file, whole and in windows; a stream cut inside a sample frame is truncated data. Such files used to
     * be refused ("data chunk declares 4294967295 bytes").
     */
    @Test
    void aPipedWavOfUnknownSizeRunsToTheEndOfTheFile() throws IOException {
        double[] x = new double[2 * 1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.5 * Math.sin(0.01 * i);
        }
        byte[] pcm = WavBytes.samples(x, 2, 16, false);
        byte[] fmt = WavBytes.chunk("fmt ", WavBytes.fmt(1, 2, 44100, 16, 1));
        byte[] list = WavBytes.chunk("LIST", "INFOISFT\r\0\0\0Lavf61.1.100\0".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1));
        Path sized = dir.resolve("sized.wav");
        Files.write(sized, WavBytes.riff(fmt, list, WavBytes.chunk("data", pcm)));
        byte[] piped = WavBytes.riff(fmt, list, WavBytes.chunk("data", pcm, 0xFFFFFFFFL));
        java.nio.ByteBuffer.wrap(piped).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(4, -1);   // RIFF size unknown too
        Path p = dir.resolve("piped.wav");
        Files.write(p, piped);
        Audio want = AudioDecoder.decode(sized);
        Audio got = AudioDecoder.decode(p);
        assertEquals(1000, got.frames());
        assertArrayEquals(want.samples(), got.samples());
        try (WavReader.Window w = WavReader.open(p)) {
            assertEquals(1000, w.frames());
            float[] part = w.read(10, 5);
            for (int i = 0; i < 5; i++) {
                assertEquals(want.samples()[10 + i], part[i]);
                assertEquals(want.samples()[1000 + 10 + i], part[5 + i]);
            }
        }
        assertBad("piped-cut.wav", java.util.Arrays.copyOf(piped, piped.length - 1),
                "truncated data: the data chunk of unknown size (0xFFFFFFFF, a streaming writer's) ends inside a sample "
                        + "frame (3999 bytes, 4-byte frames)");
    }

    @Test
    void twentyFourBitAndFloatWavAreReadInBulkToTheSameFloats() throws IOException {
        int n = 3 * 8192 + 5;   // three whole blocks and a short one
        for (int ch : new int[] {1, 2}) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(10 + ch);
            int[] s24 = new int[n * ch];
            float[] f32 = new float[n * ch];
            java.nio.ByteBuffer b24 = java.nio.ByteBuffer.allocate(3 * n * ch);
            java.nio.ByteBuffer b32 = java.nio.ByteBuffer.allocate(4 * n * ch).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n * ch; i++) {
                s24[i] = i == 0 ? -8388608 : i == 1 ? 8388607 : r.nextInt(1 << 24) - (1 << 23);
                b24.put((byte) s24[i]).put((byte) (s24[i] >> 8)).put((byte) (s24[i] >> 16));
                f32[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
                b32.putFloat(f32[i]);
            }
            Path p24 = dir.resolve("pcm24_" + ch + ".wav");
            Files.write(p24, WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, ch, 48000, 24, 1)),
                    WavBytes.chunk("data", b24.array())));
            Path p32 = dir.resolve("f32_" + ch + ".wav");
            Files.write(p32, WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(3, ch, 48000, 32, 3)),
                    WavBytes.chunk("data", b32.array())));
            try (WavReader.Window w24 = WavReader.open(p24); WavReader.Window w32 = WavReader.open(p32)) {
                int from = 8000;
                int count = 9000;   // across a block border
                float[] whole24 = w24.read(0, n);
                float[] part24 = w24.read(from, count);
                float[] whole32 = w32.read(0, n);
                float[] part32 = w32.read(from, count);
                for (int c = 0; c < ch; c++) {
                    for (int i = 0; i < n; i++) {
                        float want24 = s24[i * ch + c] / 8388608f;
                        float want32 = f32[i * ch + c];
                        String at = "channel " + c + ", frame " + i;
                        assertEquals(Float.floatToIntBits(want24), Float.floatToIntBits(whole24[c * n + i]), "24-bit " + at);
                        assertEquals(Float.floatToIntBits(want32), Float.floatToIntBits(whole32[c * n + i]), "float " + at);
                        if (i >= from && i < from + count) {
                            assertEquals(Float.floatToIntBits(want24), Float.floatToIntBits(part24[c * count + i - from]),
                                    "24-bit window: " + at);
                            assertEquals(Float.floatToIntBits(want32), Float.floatToIntBits(part32[c * count + i - from]),
                                    "float window: " + at);
                        }
                    }
                }
            }
        }
    }
}
