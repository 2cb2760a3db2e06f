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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded fuzzing of every audio container the decoder reads (WAV, FLAC, MP3, Ogg, AIFF and AIFF-C, AU): valid seed
 * files (among them real LAME MP3s, libvorbis Ogg files and ffmpeg FLAC files, {@link CodecFilesTest},
 * {@link FlacReaderTest}, and a FLAC behind an ID3 tag)
 * are mutated (flipped bytes, cuts, hostile 16/32-bit header fields, inserted and appended bytes,
 * repeated regions), plus hand-made hostile headers (absurd rates and channel counts, chunks declaring
 * 4 GiB). Every case must either decode to audio within {@link AudioLimits} or throw an
 * {@link AudioDecodeException} whose message starts with the file name, within a few seconds and
 * without exhausting the test JVM's 3 GiB heap. Decoded cases also go through the front end
 * (resample + dB-mel) to catch overflows past the decoder.
 */
class AudioFuzzTest {

    /** The seed and mutants per seed file; a longer hunt: {@code -Dmtdtl.fuzz.seed=N -Dmtdtl.fuzz.mutants=M}. */
    static final long SEED = Long.getLong("mtdtl.fuzz.seed", 0x5EED_A0D1L);
    static final int MUTANTS_PER_SEED = Integer.getInteger("mtdtl.fuzz.mutants", 16);

    @TempDir
    Path dir;

    private static double[] tone(int channels, int n) {
        double[] x = new double[channels * n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                x[c * n + i] = 0.5 * Math.sin(0.03 * i * (c + 1));
            }
        }
        return x;
    }

    private static byte[] wav(int tag, int ch, int rate, int bits, boolean isFloat, int n) {
        return WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(tag, ch, rate, bits, isFloat ? 3 : 1)),
                WavBytes.chunk("data", WavBytes.samples(tone(ch, n), ch, bits, isFloat)));
    }

    private static byte[] javaSound(AudioFileFormat.Type type, boolean bigEndian) throws IOException {
        int n = 3000;
        double[] x = tone(2, n);
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putShort((short) (x[i] * 32767)).putShort((short) (x[n + i] * 32767));
        }
        AudioFormat f = new AudioFormat(22050, 16, 2, true, bigEndian);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(b.array()), f, n), type, o);
        return o.toByteArray();
    }

    private static short[] shorts(int n) {
        short[] v = new short[n];
        for (int i = 0; i < n; i++) {
            v[i] = (short) (12000 * Math.sin(0.02 * i));
        }
        return v;
    }

    private static byte[] silentMp3(int frames) {
        byte[] b = new byte[frames * 417];
        for (int f = 0; f < frames; f++) {
            b[f * 417] = (byte) 0xFF;
            b[f * 417 + 1] = (byte) 0xFB;
            b[f * 417 + 2] = (byte) 0x90;
        }
        return b;
    }

    private static byte[] ogg(Random r) {
        byte[] b = new byte[3000];
        r.nextBytes(b);
        System.arraycopy("OggS".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, b, 0, 4);
        b[4] = 0;
        b[5] = 2;   // beginning of stream
        return b;
    }

    /** One seeded mutation of {@code b}; {@code what} receives its description. */
    static byte[] mutate(byte[] b, Random r, StringBuilder what) {
        int kind = r.nextInt(7);
        byte[] m;
        switch (kind) {
            case 0 -> {
                m = b.clone();
                int k = 1 + r.nextInt(8);
                for (int i = 0; i < k; i++) {
                    int p = r.nextInt(m.length);
                    m[p] ^= (byte) (1 + r.nextInt(255));
                }
                what.append("flip ").append(k).append(" bytes");
            }
            case 1 -> {
                int len = r.nextInt(b.length);
                m = Arrays.copyOf(b, len);
                what.append("cut at ").append(len);
            }
            case 2 -> {
                m = b.clone();
                int p = r.nextInt(Math.max(1, Math.min(m.length - 4, 64)));
                int[] hostile = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x40000000, r.nextInt()};
                int v = hostile[r.nextInt(hostile.length)];
                ByteBuffer.wrap(m).order(r.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).putInt(p, v);
                what.append("int32 ").append(v).append(" at ").append(p);
            }
            case 3 -> {
                m = b.clone();
                int p = r.nextInt(Math.max(1, Math.min(m.length - 2, 64)));
                short[] hostile = {0, 1, -1, Short.MAX_VALUE, Short.MIN_VALUE, 3, 64};
                short v = hostile[r.nextInt(hostile.length)];
                ByteBuffer.wrap(m).order(r.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).putShort(p, v);
                what.append("int16 ").append(v).append(" at ").append(p);
            }
            case 4 -> {
                int p = r.nextInt(b.length);
                byte[] ins = new byte[1 + r.nextInt(64)];
                r.nextBytes(ins);
                m = insert(b, p, ins);
                what.append("insert ").append(ins.length).append(" at ").append(p);
            }
            case 5 -> {
                byte[] tail = new byte[1 + r.nextInt(4096)];
                r.nextBytes(tail);
                m = Arrays.copyOf(b, b.length + tail.length);
                System.arraycopy(tail, 0, m, b.length, tail.length);
                what.append("append ").append(tail.length);
            }
            default -> {
                int from = r.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + r.nextInt(512));
                m = new byte[b.length + len];
                System.arraycopy(b, 0, m, 0, from + len);
                System.arraycopy(b, from, m, from + len, b.length - from);
                what.append("repeat ").append(len).append(" at ").append(from);
            }
        }
        return m;
    }

    /** The seed files, by name (the extension is only for humans: the decoder sniffs the bytes). */
    static Map<String, byte[]> seeds(Random r) throws IOException {
        Map<String, byte[]> s = new LinkedHashMap<>();
        s.put("pcm16.wav", wav(1, 2, 22050, 16, false, 2000));
        s.put("pcm24-mono.wav", wav(1, 1, 44100, 24, false, 1500));
        s.put("float32.wav", wav(3, 2, 48000, 32, true, 1200));
        s.put("ext.wav", wav(0xFFFE, 2, 16000, 16, false, 1000));
        int[] q = new int[2 * 4000];
        for (int i = 0; i < q.length; i++) {
            q[i] = (int) (20000 * Math.sin(0.01 * i));
        }
        s.put("a.flac", FlacBytes.encode(q, 2, 22050, 16, 1024));
        byte[] flac = s.get("a.flac");   // behind an ID3v2.4 tag of 20 bytes (a tagger's)
        byte[] tagged = new byte[30 + flac.length];
        System.arraycopy(new byte[]{'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20, 'T', 'I', 'T', '2', 0, 0, 0, 2, 0, 0, 3, 'x'},
                0, tagged, 0, 22);
        System.arraycopy(flac, 0, tagged, 30, flac.length);
        s.put("id3.flac", tagged);
        s.put("a.mp3", silentMp3(12));
        s.put("a.ogg", ogg(r));
        // real encoder output (CodecFilesTest): what jlayer and jorbis decode in earnest
        s.put("lame.mp3", Files.readAllBytes(CodecFilesTest.resource("lame-44k-stereo.mp3")));
        s.put("lame-mono.mp3", Files.readAllBytes(CodecFilesTest.resource("lame-22k-mono.mp3")));
        s.put("vorbis.ogg", Files.readAllBytes(CodecFilesTest.resource("vorbis-44k-stereo.ogg")));
        s.put("vorbis-8k.ogg", Files.readAllBytes(CodecFilesTest.resource("vorbis-8k-mono.ogg")));
        // ffmpeg's FLAC (FlacReaderTest): LPC, mid/side, Rice2 and 24-bit, what FlacReader decodes in earnest
        s.put("ms.flac", Files.readAllBytes(CodecFilesTest.resource("ffmpeg-44k-mid-side.flac")));
        s.put("24.flac", Files.readAllBytes(CodecFilesTest.resource("ffmpeg-96k-24bit.flac")));
        s.put("a.aiff", javaSound(AudioFileFormat.Type.AIFF, true));
        byte[] sowt = new byte[4 * 1500];   // AIFF-C, little-endian 16-bit stereo, as macOS tools write it
        ByteBuffer.wrap(sowt).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(shorts(3000));
        s.put("sowt.aifc", AiffReaderTest.form("AIFC", AiffReaderTest.comm(true, 2, 1500, 16, 44100, "sowt"),
                AiffReaderTest.ssnd(0, sowt)));
        s.put("a.au", javaSound(AudioFileFormat.Type.AU, true));
        return s;
    }

    /** Hand-made hostile headers: what a mutation would rarely hit. */
    static Map<String, byte[]> hostile() {
        Map<String, byte[]> h = new LinkedHashMap<>();
        byte[] pcm = WavBytes.samples(tone(1, 400), 1, 16, false);
        h.put("rate-2147483647.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, Integer.MAX_VALUE, 16, 0)),
                WavBytes.chunk("data", pcm)));
        h.put("rate-1.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 1, 16, 0)),
                WavBytes.chunk("data", pcm)));
        h.put("rate-7999.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 7999, 16, 0)),
                WavBytes.chunk("data", pcm)));
        h.put("rate-384001.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 384001, 16, 0)),
                WavBytes.chunk("data", pcm)));
        h.put("channels-0.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 0, 22050, 16, 0)),
                WavBytes.chunk("data", pcm)));
        h.put("channels-200.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 200, 22050, 16, 0)),
                WavBytes.chunk("data", new byte[400 * 200])));
        h.put("data-4GiB.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 22050, 16, 0)),
                WavBytes.chunk("data", pcm, 0xFFFFFFFEL)));
        h.put("fmt-4GiB.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 22050, 16, 0), 0xFFFFFFF0L),
                WavBytes.chunk("data", pcm)));
        h.put("list-4GiB.wav", WavBytes.riff(WavBytes.chunk("fmt ", WavBytes.fmt(1, 1, 22050, 16, 0)),
                WavBytes.chunk("LIST", new byte[8], 0x7FFFFFFFL), WavBytes.chunk("data", pcm)));
        return h;
    }

    private void check(String name, byte[] bytes, String what, List<String> failures, int[] tally) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        long t0 = System.nanoTime();
        try {
            Audio a = AudioDecoder.decode(p);
            assertTrue(a.channels() >= 1 && a.channels() <= AudioLimits.MAX_CHANNELS, "channels " + a.channels());
            assertTrue(a.sampleRate() >= AudioLimits.MIN_RATE && a.sampleRate() <= AudioLimits.MAX_RATE,
                    "rate " + a.sampleRate());
            assertTrue(a.frames() >= 1 && a.frames() <= AudioLimits.maxFrames(a.sampleRate(), a.channels()));
            Features.Mel m = Features.dbMel(p, MelConfig.paper());
            assertEquals(2, m.channels());
            streamed(p, m, what, failures);
            tally[0]++;
        } catch (AudioDecodeException e) {
            if (!e.getMessage().startsWith(p + ": ") || e.reason().isBlank()) {
                failures.add(what + ": message does not name the file: " + e.getMessage());
            }
            streamed(p, null, what, failures);
            tally[1]++;
        } catch (Throwable e) {
            failures.add(what + ": " + e);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        if (sec > 10) {
            failures.add(what + ": took " + sec + " s");
        }
        Files.delete(p);
    }

    /**
     * The streamed dB-mel ({@link DbMelStream}, nothing kept: a window's decoder runs again on going back) of a file
     * whose whole dB-mel is {@code whole}: the same bits; of a file the whole decode refused (whole null): refused too,
     * naming the file, or not streamable.
     */
    private static void streamed(Path p, Features.Mel whole, String what, List<String> failures) {
        MelConfig cfg = MelConfig.paper();
        try (DbMelStream s = DbMelStream.open(p, cfg, 0, 0)) {
            if (s == null) {
                return;
            }
            float[] got = new float[2 * s.frames() * cfg.nMels()];
            s.read(0, s.frames(), got);
            if (whole == null) {
                failures.add(what + ": streamed, " + s.frames() + " frames, where the whole decode was refused");
            } else if (!Arrays.equals(whole.data(), got)) {
                failures.add(what + ": streamed dB-mel differs from the whole decode's");
            }
        } catch (AudioDecodeException e) {
            if (whole != null) {
                failures.add(what + ": streaming refused what the whole decode read: " + e.getMessage());
            } else if (!e.getMessage().startsWith(p + ": ")) {
                failures.add(what + ": streaming's message does not name the file: " + e.getMessage());
            }
        } catch (Throwable e) {
            failures.add(what + ": streaming: " + e);
        }
    }

    @Test
    void everyMutatedOrHostileFileDecodesOrFailsNamingTheFile() throws IOException {
        Random r = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int[] tally = new int[2];   // decoded, refused
        int cases = 0;
        for (Map.Entry<String, byte[]> e : seeds(r).entrySet()) {
            check(e.getKey(), e.getValue(), e.getKey() + " (unmodified)", failures, tally);
            cases++;
            for (int i = 0; i < MUTANTS_PER_SEED; i++) {
                StringBuilder what = new StringBuilder(e.getKey() + " #" + i + ": ");
                byte[] m = mutate(e.getValue(), r, what);
                check(i + "-" + e.getKey(), m, what.toString(), failures, tally);
                cases++;
            }
        }
        for (Map.Entry<String, byte[]> e : hostile().entrySet()) {
            int before = tally[1];
            check(e.getKey(), e.getValue(), e.getKey(), failures, tally);
            cases++;
            if (tally[1] == before) {
                failures.add(e.getKey() + ": a hostile header was accepted");
            }
        }
        System.out.printf("audio fuzz: %d cases, %d decoded, %d refused with the file named, %d failures%n", cases,
                tally[0], tally[1], failures.size());
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases + " cases failed:\n" + String.join("\n", failures));
        }
        assertTrue(cases >= 14 * (MUTANTS_PER_SEED + 1));
    }

    @Test
    void theSampleRateBoundsAreInclusive() throws IOException {
        for (int rate : new int[] {AudioLimits.MIN_RATE, AudioLimits.MAX_RATE}) {
            Path p = dir.resolve("r" + rate + ".wav");
            Files.write(p, wav(1, 1, rate, 16, false, 500));
            assertEquals(rate, AudioDecoder.decode(p).sampleRate());
        }
        Path big = dir.resolve("big.wav");
        Files.write(big, hostile().get("rate-2147483647.wav"));
        AudioDecodeException e = org.junit.jupiter.api.Assertions.assertThrows(AudioDecodeException.class,
                () -> Features.dbMel(big, MelConfig.paper()));
        assertEquals(big + ": unsupported sample rate 2147483647 Hz (accepted: 8000 to 384000 Hz)", e.getMessage());
    }

    /** b with ins inserted at byte p. */
    static byte[] insert(byte[] b, int p, byte[] ins) {
        byte[] m = new byte[b.length + ins.length];
        System.arraycopy(b, 0, m, 0, p);
        System.arraycopy(ins, 0, m, p, ins.length);
        System.arraycopy(b, p, m, p + ins.length, b.length - p);
        return m;
    }
}
