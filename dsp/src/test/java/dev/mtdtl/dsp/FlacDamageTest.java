package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged FLAC frames ({@link FlacReader.Blocks#skipDamaged}): a frame that fails its CRCs becomes silence of its
 * length, every other frame decodes to the undamaged file's samples at the same place, the stream says so once
 * ({@link AudioDamage}), a streamed read gives the whole decode's samples, and a file mostly damaged is refused.
 */
class FlacDamageTest {

    private static final int RATE = 44100;
    private static final int BLOCK = 4096;
    /** 3.3 MB of VERBATIM frames (past the streamed window's first 1 MB), numbered in 1 and 2 bytes (from 128 on). */
    private static final int FRAMES = 200;

    @TempDir
    Path dir;

    private static String diff(byte[] a, byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                s.append(i).append(':').append(a[i] & 0xFF).append("->").append(b[i] & 0xFF).append(' ');
            }
        }
        return s.toString();
    }

    /** Byte offsets of the frames, checked to end at the file's end. */
    private static int[] frameStarts(byte[] f, int frames) {
        int[] at = TestAudio.frameStarts(f, frames, RATE);
        assertEquals(f.length, at[frames]);
        return at;
    }

    private record Decoded(Audio audio, List<AudioDamage.Note> notes) {}

    private static Decoded decode(Path p) throws IOException {
        try (AudioDamage.Watch w = AudioDamage.watch()) {
            Audio a = AudioDecoder.decode(p);
            return new Decoded(a, w.notes());
        }
    }

    /** The streamed read of the whole file ({@link BlockWindow}), planar. */
    private static float[] streamed(Path p) throws IOException {
        try (AudioWindow w = AudioDecoder.window(p)) {
            assertTrue(w instanceof BlockWindow);
            return w.read(0, w.frames());
        }
    }

    /** Blocks of {@code got} that are not {@code want}'s; each such block must be silence. */
    private static List<Integer> silencedBlocks(Audio want, Audio got, int block) {
        assertEquals(want.frames(), got.frames(), "the damaged file keeps its length");
        List<Integer> out = new ArrayList<>();
        int n = want.frames();
        for (int b = 0; b * block < n; b++) {
            int from = b * block, to = Math.min(n, from + block);
            boolean same = true;
            boolean zero = true;
            for (int c = 0; c < want.channels(); c++) {
                for (int i = from; i < to; i++) {
                    float g = got.samples()[c * n + i];
                    same &= g == want.samples()[c * n + i];
                    zero &= g == 0f;
                }
            }
            if (!same) {
                assertTrue(zero, "block " + b + " is neither the undamaged samples nor silence");
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void damagedFramesBecomeSilenceOfTheirLength() throws Exception {
        int n = FRAMES * BLOCK - 1000;   // a short last frame
        byte[] good = FlacBytes.encode(TestAudio.signal(n, 7), 2, RATE, 16, BLOCK);
        int[] at = frameStarts(good, FRAMES);
        Path gp = dir.resolve("good.flac");
        Files.write(gp, good);
        Audio want = AudioDecoder.decode(gp);
        int[][] cases = {{10}, {70}, {0}, {FRAMES - 1}, {40, 41, 42}, {5, 63, 64, 65, 90}, {127}, {128, 129}, {150}};
        for (int[] hit : cases) {
            byte[] m = good.clone();
            for (int k : hit) {
                m[(at[k] + at[k + 1]) / 2] ^= 0x10;   // in the frame's samples
            }
            Path p = dir.resolve("d" + hit[0] + "-" + hit.length + ".flac");
            Files.write(p, m);
            Decoded d = decode(p);
            String what = "frames " + Arrays.toString(hit);
            assertEquals(Arrays.stream(hit).boxed().toList(), silencedBlocks(want, d.audio(), BLOCK), what);
            assertEquals(1, d.notes().size(), what);
            AudioDamage.Note note = d.notes().get(0);
            assertEquals(hit.length, note.count(), what);
            assertEquals(String.format(java.util.Locale.ROOT, "mtdtl: %s: %s (%sframe at byte %,d, about %.1f s in)", p,
                    hit.length == 1 ? "1 damaged FLAC frame replaced by silence" : hit.length
                            + " damaged FLAC frames replaced by silence", hit.length == 1 ? "" : "the first: ",
                    at[hit[0]] - 0L, hit[0] * (double) BLOCK / RATE), note.line(), what);
            assertArrayEquals(d.audio().samples(), streamed(p), what + ": streamed");
        }
    }

    @Test
    void aFileMostlyDamagedIsRefused() throws Exception {
        byte[] good = FlacBytes.encode(TestAudio.signal(40 * BLOCK, 8), 2, RATE, 16, BLOCK);
        int[] at = frameStarts(good, 40);
        byte[] m = good.clone();
        for (int k = 0; k < 40; k += 2) {   // every other frame
            m[(at[k] + at[k + 1]) / 2] ^= 1;
        }
        Path p = dir.resolve("most.flac");
        Files.write(p, m);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.decode(p));
        assertTrue(e.reason().startsWith("corrupt FLAC data: 9 of the first 17 frames are damaged (the last: the "
                + "frame at byte " + String.format(java.util.Locale.ROOT, "%,d", at[16])), e.reason());
        AudioDecodeException s = assertThrows(AudioDecodeException.class, () -> streamed(p));
        assertEquals(e.reason(), s.reason());
    }

    /**
     * An encoder's real file (ffmpeg's, mid-side stereo, several metadata blocks): random bit flips decode to its
     * samples with whole blocks silenced, or are refused by name when they hit the metadata or most frames; cut copies
     * are truncated data. Nothing else escapes and nothing hangs (jflac's frame loop could retry forever on some
     * headers). The streamed read gives the same samples.
     */
    @Test
    @Timeout(120)
    void damagedCopiesOfARealFile() throws IOException {
        Path src = CodecFilesTest.resource("ffmpeg-44k-mid-side.flac");
        byte[] good = Files.readAllBytes(src);
        int block = (good[10] & 0xFF) << 8 | good[11] & 0xFF;   // STREAMINFO's largest block size (its body at 8)
        Audio want = AudioDecoder.decode(src);
        Random r = new Random(49);
        int decoded = 0;
        int single = 0;   // copies with one flipped bit that decoded
        int silenced = 0;
        for (int k = 0; k < 300; k++) {
            byte[] m = good.clone();
            int first = 8 + 34;   // STREAMINFO's header and body: damage what follows
            boolean cut = k % 3 == 2;
            if (cut) {
                m = Arrays.copyOf(good, first + r.nextInt(good.length - first));
            } else {
                for (int j = 1 + r.nextInt(k % 3 == 0 ? 1 : 30); j > 0; j--) {
                    m[first + r.nextInt(m.length - first)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            Path p = dir.resolve("m" + k + ".flac");
            Files.write(p, m);
            try {
                Decoded d = decode(p);
                decoded++;
                single += k % 3 == 0 ? 1 : 0;
                List<Integer> blocks;
                try {
                    blocks = silencedBlocks(want, d.audio(), block);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ": " + diff(good, m) + d.notes(), e);
                }
                silenced += blocks.size();
                // a frame of silence damaged is silence still: the note may count more frames than differ
                assertTrue(d.notes().size() <= 1 && (blocks.isEmpty() || d.notes().size() == 1), p.toString());
                if (!d.notes().isEmpty()) {
                    assertTrue(d.notes().get(0).count() >= blocks.size(), p.toString());
                }
                assertArrayEquals(d.audio().samples(), streamed(p), p + ": streamed");
            } catch (AudioDecodeException e) {
                String why = e.reason();
                assertTrue(why.startsWith("truncated data") || why.matches("corrupt FLAC data: .* frames are damaged.*")
                        || why.matches("corrupt FLAC data: the frame at byte .* no whole frame follows it.*")
                        || why.startsWith("corrupt FLAC header") || why.startsWith("truncated header"), why);
                assertTrue(cut || !why.startsWith("truncated data"), why + " " + diff(good, m));
            }
        }
        // a file of three frames: up to 30 flips damage all of them in many copies; one flip, one frame at most
        assertEquals(100, single, "copies with one flipped bit decoded");
        assertTrue(decoded >= 120, decoded + " of 200 flipped copies decoded");
        assertTrue(silenced >= 100, silenced + " blocks silenced");
    }
    /**
     * Random damage to long files (300 frames, VERBATIM and FIXED-coded; bit flips, overwritten spans up to 300 KB, cuts,
     * up to 2 MB of junk inserted, up to 200 KB deleted): the whole decode and the streamed read agree on every one (the
     * same samples, or the same refusal), whatever the scan for the next whole frame has to read past the window.
     * The session that wrote the resynchronisation ran 1,800 such files; these 60 keep it honest.
     */
    @Test
    @Timeout(120)
    void wholeAndStreamedAgreeOnRandomDamage() throws IOException {
        byte[][] goods = {
            FlacBytes.encode(TestAudio.signal(300 * BLOCK - 77, 1), 2, RATE, 16, BLOCK),
            FlacBytes.encode(TestAudio.signal(300 * 1152, 2), 2, RATE, 16, 1152, 2, false, false),
        };
        Random r = new Random(54);
        int decoded = 0;
        for (int k = 0; k < 60; k++) {
            byte[] m = goods[k % 2].clone();
            int kind = k / 2 % 5;
            if (kind == 0) {
                for (int j = 1 + r.nextInt(40); j > 0; j--) {
                    m[42 + r.nextInt(m.length - 42)] ^= (byte) (1 << r.nextInt(8));
                }
            } else if (kind == 1) {
                int len = 1 + r.nextInt(r.nextBoolean() ? 3000 : 300_000);
                int at = 42 + r.nextInt(m.length - 42 - len);
                for (int i = at; i < at + len; i++) {
                    m[i] = (byte) r.nextInt(256);
                }
            } else if (kind == 2) {
                m = Arrays.copyOf(m, 42 + r.nextInt(m.length - 42));
            } else {
                int at = 42 + r.nextInt(m.length - 42);
                byte[] junk = new byte[kind == 3 ? 1 + r.nextInt(r.nextBoolean() ? 100 : 2_000_000) : 0];
                r.nextBytes(junk);
                int cut = kind == 4 ? Math.min(m.length - at, 1 + r.nextInt(200_000)) : 0;
                byte[] n = new byte[m.length + junk.length - cut];
                System.arraycopy(m, 0, n, 0, at);
                System.arraycopy(junk, 0, n, at, junk.length);
                System.arraycopy(m, at + cut, n, at + junk.length, m.length - at - cut);
                m = n;
            }
            Path p = dir.resolve("r" + k + ".flac");
            Files.write(p, m);
            String whole;
            float[] samples = null;
            try (AudioDamage.Watch w = AudioDamage.watch(false)) {
                samples = AudioDecoder.decode(p).samples();
                whole = "decoded";
            } catch (AudioDecodeException e) {
                whole = e.reason();
            }
            String streamed;
            float[] got = null;
            try (AudioDamage.Watch w = AudioDamage.watch(false)) {
                got = streamed(p);
                streamed = "decoded";
            } catch (AudioDecodeException e) {
                streamed = e.reason();
            }
            assertEquals(whole, streamed, p + " (kind " + kind + ")");
            if (samples != null) {
                assertArrayEquals(samples, got, p + " (kind " + kind + ")");
                decoded++;
            }
            Files.delete(p);
        }
        assertTrue(decoded >= 30, decoded + " of 60 decoded");
    }

    /**
     * A variable-blocksize stream (each frame's coded number its first sample's, up to 4-byte codes here): frames of
     * 1 to 8,192 samples decode to the signal, and a damaged frame becomes silence of exactly its own length, which
     * only the next whole frame's sample number tells (its neighbours' sizes differ). Runs of damaged frames are
     * counted from STREAMINFO's largest block size, so the note's count is then a lower bound.
     */
    @Test
    void variableBlockSizesDecodeAndADamagedFrameIsSilencedToItsOwnLength() throws Exception {
        Random r = new Random(91);
        int frames = 300;
        int[] sizes = new int[frames];
        int[] first = new int[frames + 1];   // sample numbers: frame k is [first[k], first[k + 1])
        for (int k = 0; k < frames; k++) {
            sizes[k] = k % 37 == 5 ? 1 + r.nextInt(16) : 192 + r.nextInt(8001);
            first[k + 1] = first[k] + sizes[k];
        }
        int n = first[frames];
        assertTrue(n > 1 << 20, "sample numbers of 4-byte codes: " + n);
        int[] q = TestAudio.signal(n, 12);
        byte[] good = FlacBytes.encodeVariable(q, 2, RATE, 16, sizes, 2);
        int[] at = frameStarts(good, frames);
        Path gp = dir.resolve("variable.flac");
        Files.write(gp, good);
        Audio want = AudioDecoder.decode(gp);
        assertEquals(n, want.frames());
        for (int i = 0; i < q.length; i++) {
            assertEquals(q[i] / 32768f, want.samples()[i], 0f, "sample " + i);
        }
        assertArrayEquals(want.samples(), streamed(gp), "streamed");
        int[][] cases = {{0}, {5}, {6}, {120}, {frames - 1}, {200, 201}, {41, 42, 43}, {10, 230}};
        for (int[] hit : cases) {
            byte[] m = good.clone();
            float[] expect = want.samples().clone();
            for (int k : hit) {
                m[(at[k] + at[k + 1]) / 2] ^= 0x04;
                for (int c = 0; c < 2; c++) {
                    Arrays.fill(expect, c * n + first[k], c * n + first[k + 1], 0f);
                }
            }
            Path p = dir.resolve("v" + hit[0] + "-" + hit.length + ".flac");
            Files.write(p, m);
            Decoded d = decode(p);
            String what = "frames " + Arrays.toString(hit);
            assertArrayEquals(expect, d.audio().samples(), what);
            assertEquals(1, d.notes().size(), what);
            AudioDamage.Note note = d.notes().get(0);
            assertTrue(note.count() >= 1 + (hit.length > 1 && hit[1] != hit[0] + 1 ? 1 : 0)
                    && note.count() <= hit.length, what + ": " + note.line());
            assertTrue(note.line().contains(String.format(java.util.Locale.ROOT, "frame at byte %,d, about %.1f s in",
                    at[hit[0]] - 0L, first[hit[0]] / (double) RATE)), what + ": " + note.line());
            assertArrayEquals(d.audio().samples(), streamed(p), what + ": streamed");
        }
    }
}
