package dev.mtdtl.embed;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A folder's embedding skips a file it cannot decode and keeps what it finished, and the same command, the file
 * mended, goes on from there to the vectors a fresh run computes, bit for bit; a changed file or another model is
 * not reused.
 */
class EmbedResumeTest {

    @TempDir
    static Path tmp;
    static Path model;
    /** The vectors of files a..e embedded in one uninterrupted run. */
    static float[] fresh;

    /**
     * Files a..e: a, b, c 30 s (12 slices each), d 6 s, e 10 s. Batches hold 32 slices, so the first runs when c's
     * slices arrive: a and b are finished, c is not, when d stops a run.
     */
    @BeforeAll
    static void setUp() throws IOException {
        model = TinyModel.write(tmp);
        Path all = tmp.resolve("all");
        Files.createDirectories(all);
        for (int k = 0; k < 5; k++) {
            tone(all.resolve((char) ('a' + k) + ".wav"), k);
        }
        Path out = tmp.resolve("fresh.npy");
        EmbedMain.embedAll(Embedder.load(model), all, out, quiet());
        fresh = Npy.read(out).toFloat();
        assertFalse(Files.exists(tmp.resolve("fresh.npy.part")), "a finished run leaves no part files");
        assertFalse(Files.exists(tmp.resolve("fresh.npy.part.json")));
    }

    private static void tone(Path file, int k) throws IOException {
        Rng r = new Rng(40 + k);
        int n = (k < 3 ? 30 : k == 3 ? 6 : 10) * 22050;
        float[] pcm = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float v = (float) (0.3 * Math.sin(2 * Math.PI * (220 + 110 * k) * i / 22050.0) + 0.05 * r.nextGaussian());
            pcm[i] = v;
            pcm[n + i] = 0.7f * v;
        }
        WavWriter.write(file, new Audio(pcm, 2, n, 22050), WavWriter.Encoding.PCM16);
    }

    private static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    /** A copy of files a..e into a new folder, d.wav replaced by text. */
    private static Path withBrokenD(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (int k = 0; k < 5; k++) {
            String f = (char) ('a' + k) + ".wav";
            if (k == 3) {
                Files.writeString(dir.resolve(f), "not audio");
            } else {
                Files.copy(tmp.resolve("all").resolve(f), dir.resolve(f));
            }
        }
        return dir;
    }

    @Test
    void aFileThatIsNotAudioIsSkippedAndAfterItIsMendedOnlyItIsEmbedded() throws IOException {
        Path dir = withBrokenD("broken");
        Path out = tmp.resolve("b.npy");
        ByteArrayOutputStream log0 = new ByteArrayOutputStream();
        assertEquals(1, EmbedMain.embedAll(Embedder.load(model), dir, out, new PrintStream(log0, true,
                StandardCharsets.UTF_8)), "files skipped");
        String said0 = log0.toString(StandardCharsets.UTF_8);
        assertTrue(said0.contains("skipped " + dir.resolve("d.wav") + ": "), said0);
        assertTrue(said0.strip().endsWith("; 1 skipped: " + tmp.resolve("b.npy.skipped.txt") + " lists it and why (the "
                + "vectors stay in b.npy.part*: the same command embeds only the files mended since)"), said0);
        int d = fresh.length / 5;
        float[] four = new float[4 * d];   // a, b, c, e
        System.arraycopy(fresh, 0, four, 0, 3 * d);
        System.arraycopy(fresh, 4 * d, four, 3 * d, d);
        assertArrayEquals(four, Npy.read(out).toFloat(), 0f);
        assertEquals("a.wav\nb.wav\nc.wav\ne.wav\n", Files.readString(tmp.resolve("b.npy.tracks.txt")));
        String skipped = Files.readString(tmp.resolve("b.npy.skipped.txt"));
        assertTrue(skipped.startsWith("d.wav\t") && skipped.endsWith("\n") && skipped.lines().count() == 1, skipped);
        assertTrue(Files.exists(tmp.resolve("b.npy.part.json")), "the finished files' vectors are kept");

        Files.copy(tmp.resolve("all").resolve("d.wav"), dir.resolve("d.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, EmbedMain.embedAll(Embedder.load(model), dir, out, new PrintStream(log, true,
                StandardCharsets.UTF_8)));
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("resuming: 4 of 5 files embedded by an earlier run"), said);
        assertArrayEquals(fresh, Npy.read(out).toFloat(), 0f);
        assertEquals("a.wav\nb.wav\nc.wav\nd.wav\ne.wav\n", Files.readString(tmp.resolve("b.npy.tracks.txt")));
        assertFalse(Files.exists(tmp.resolve("b.npy.skipped.txt")), "nothing skipped: the earlier list is gone");
        assertFalse(Files.exists(tmp.resolve("b.npy.part")));
        assertFalse(Files.exists(tmp.resolve("b.npy.part.tracks")));
        assertFalse(Files.exists(tmp.resolve("b.npy.part.json")));
    }

    /** No file that decodes: an error, no output; one file given, its own error. */
    @Test
    void aFolderOfNothingDecodableIsAnError() throws IOException {
        Path dir = tmp.resolve("none");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("x.wav"), "not audio");
        Files.writeString(dir.resolve("y.mp3"), "not audio either");
        Path out = tmp.resolve("n.npy");
        IOException e = assertThrows(IOException.class, () -> EmbedMain.embedAll(Embedder.load(model), dir, out,
                quiet()));
        assertEquals(dir + ": none of the 2 audio files could be decoded (the lines above say why)", e.getMessage());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve("n.npy.part.json")), "nothing finished: no part files");
        IOException one = assertThrows(IOException.class, () -> EmbedMain.embedAll(Embedder.load(model),
                dir.resolve("x.wav"), out, quiet()));
        assertTrue(one instanceof dev.mtdtl.dsp.AudioDecodeException && one.getMessage().startsWith(dir.resolve("x.wav")
                + ": "), one.getMessage());
    }

    /**
     * A folder's subfolders are embedded too (a library is artist/album/track), named by their path under it: two
     * files of the same name in two folders are two rows, also when a stopped run resumes. Hidden files and
     * folders are not read.
     */
    @Test
    void subfoldersAreEmbeddedAndNamedByTheirPath() throws IOException {
        Path lib = tmp.resolve("library");
        Files.createDirectories(lib.resolve("x/one"));
        Files.createDirectories(lib.resolve("y"));
        Files.copy(tmp.resolve("all/a.wav"), lib.resolve("x/one/t.wav"));
        Files.copy(tmp.resolve("all/b.wav"), lib.resolve("y/t.wav"));
        Files.writeString(lib.resolve("y/u.wav"), "not audio");
        Files.copy(tmp.resolve("all/e.wav"), lib.resolve("z.wav"));
        Files.writeString(lib.resolve("notes.txt"), "not an audio file name: skipped");
        Files.writeString(lib.resolve("x/one/._t.wav"), "a Mac resource fork: hidden, skipped");
        Files.createDirectories(lib.resolve(".trash"));
        Files.writeString(lib.resolve(".trash/old.wav"), "in a hidden folder: skipped");
        Path out = tmp.resolve("lib.npy");
        assertEquals(1, EmbedMain.embedAll(Embedder.load(model), lib, out, quiet()));
        assertTrue(Files.readString(tmp.resolve("lib.npy.skipped.txt")).startsWith("y/u.wav\t"));
        Files.copy(tmp.resolve("all/d.wav"), lib.resolve("y/u.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        EmbedMain.embedAll(Embedder.load(model), lib, out, quiet());
        assertEquals("x/one/t.wav\ny/t.wav\ny/u.wav\nz.wav\n", Files.readString(tmp.resolve("lib.npy.tracks.txt")));
        float[] got = Npy.read(out).toFloat();
        int d = fresh.length / 5;
        int[] from = {0, 1, 3, 4};   // a, b, d, e
        for (int r = 0; r < from.length; r++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(fresh, from[r] * d, from[r] * d + d),
                    java.util.Arrays.copyOfRange(got, r * d, r * d + d), 0f, "row " + r);
        }
    }

    @Test
    void aChangedFileIsEmbeddedAgainAndAnotherModelStartsOver() throws IOException {
        Path dir = withBrokenD("changed");
        Path out = tmp.resolve("c.npy");
        assertEquals(1, EmbedMain.embedAll(Embedder.load(model), dir, out, quiet()));
        // a.wav replaced by e's audio (another size): its kept row must not be reused
        Files.copy(tmp.resolve("all").resolve("e.wav"), dir.resolve("a.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(tmp.resolve("all").resolve("d.wav"), dir.resolve("d.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        EmbedMain.embedAll(Embedder.load(model), dir, out, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming: 3 of 5 files"), log.toString());
        float[] got = Npy.read(out).toFloat();
        int d = fresh.length / 5;
        for (int k = 0; k < 5; k++) {
            int from = (k == 0 ? 4 : k) * d;   // row a is now e's vector
            assertArrayEquals(java.util.Arrays.copyOfRange(fresh, from, from + d),
                    java.util.Arrays.copyOfRange(got, k * d, k * d + d), 0f, "row " + k);
        }

        // a part left by another model is dropped, not mixed in
        Path dir2 = withBrokenD("other");
        Path out2 = tmp.resolve("o.npy");
        assertEquals(1, EmbedMain.embedAll(Embedder.load(model), dir2, out2, quiet()));
        Path json = tmp.resolve("o.npy.part.json");
        Files.writeString(json, Files.readString(json).replaceFirst("\"model_sha256\" *: *\"[0-9a-f]", "\"model_sha256\": \"x"));
        Files.copy(tmp.resolve("all").resolve("d.wav"), dir2.resolve("d.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        EmbedMain.embedAll(Embedder.load(model), dir2, out2, new PrintStream(log2, true, StandardCharsets.UTF_8));
        String said = log2.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("partial output of another model; starting over"), said);
        assertFalse(said.contains("resuming"), said);
        assertArrayEquals(fresh, Npy.read(out2).toFloat(), 0f);
    }

    @Test
    void theOutputFolderIsCreatedAndAnUnwritableOneNamed() throws IOException {
        Path out = tmp.resolve("new").resolve("folder").resolve("v.npy");
        EmbedMain.embedAll(Embedder.load(model), tmp.resolve("all").resolve("e.wav"), out, quiet());
        assertArrayEquals(java.util.Arrays.copyOfRange(fresh, 4 * fresh.length / 5, fresh.length),
                Npy.read(out).toFloat(), 0f);
        Path file = tmp.resolve("plain-file");
        Files.writeString(file, "not a folder");
        IOException e = assertThrows(IOException.class, () -> EmbedMain.embedAll(Embedder.load(model),
                tmp.resolve("all").resolve("e.wav"), file.resolve("v.npy"), quiet()));
        assertTrue(e.getMessage().contains(file + "/v.npy: cannot write")   // the lock comes first
                && e.getMessage().contains(file + "/.v.npy.lock"), e.getMessage());
    }

    /**
     * A kill: rows appended after the last checkpoint are not trusted. With a checkpoint after every file, a part left
     * open (never finished or checkpointed again) and half a row more written behind the progress file's back holds
     * exactly the checkpointed rows when it is opened again.
     */
    /** Notes on a damaged file, with the characters the part's line format must encode. */
    private static final String HURT = "2 damaged FLAC frames replaced by silence (the first: frame at byte 1,234,\t"
            + "about 0.5 s in)\n; 1 damaged Ogg page skipped (%, +)";

    @Test
    void aKilledRunKeepsWhatItsLastCheckpointRecorded() throws IOException {
        Path out = tmp.resolve("k.npy");
        Path dir = tmp.resolve("all");
        float[] v = new float[8];
        EmbedProgress p = EmbedProgress.open(out, "abc", 8, quiet(), 0);
        for (int k = 0; k < 3; k++) {
            java.util.Arrays.fill(v, k + 0.5f);
            assertEquals(k, p.add((char) ('a' + k) + ".wav", dir.resolve((char) ('a' + k) + ".wav"), v,
                    k == 1 ? HURT : null));
        }
        p.close();   // the kill: no finish, no final checkpoint
        Files.write(tmp.resolve("k.npy.part"), new byte[16], java.nio.file.StandardOpenOption.APPEND);
        try (EmbedProgress q = EmbedProgress.open(out, "abc", 8, quiet(), 0)) {
            assertEquals(3L * 8 * 4, Files.size(tmp.resolve("k.npy.part")), "the unrecorded tail is cut");
            assertEquals(3, q.rows());
            for (int k = 0; k < 3; k++) {
                assertEquals(k, q.rowOf((char) ('a' + k) + ".wav", dir.resolve((char) ('a' + k) + ".wav")));
            }
            assertEquals(-1, q.rowOf("d.wav", dir.resolve("d.wav")));
            assertEquals(HURT, q.damageOf(1), "a damaged file's notes are kept with its row");
            assertEquals(null, q.damageOf(0));
            java.io.ByteArrayOutputStream rows = new java.io.ByteArrayOutputStream();
            q.copyRows(new int[] {2, 0}, rows);
            java.nio.FloatBuffer f = java.nio.ByteBuffer.wrap(rows.toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer();
            assertEquals(16, f.remaining());
            assertEquals(2.5f, f.get(0), 0f);
            assertEquals(0.5f, f.get(8), 0f);
            assertEquals(3, q.add("d.wav", dir.resolve("d.wav"), v, null));   // appended after the truncated tail
        }
        assertEquals(4L * 8 * 4, Files.size(tmp.resolve("k.npy.part")));
    }

    /** A kept row whose bytes changed after its checkpoint: the part is dropped, and the output is a fresh run's. */
    @Test
    void aDamagedRowIsNotReused() throws IOException {
        Path dir = withBrokenD("row");
        Path out = tmp.resolve("r.npy");
        assertEquals(1, EmbedMain.embedAll(Embedder.load(model), dir, out, quiet()));
        Path part = tmp.resolve("r.npy.part");
        byte[] b = Files.readAllBytes(part);
        b[5] ^= 0x40;   // one bit of the first row's second float
        Files.write(part, b);
        Files.copy(tmp.resolve("all").resolve("d.wav"), dir.resolve("d.wav"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        EmbedMain.embedAll(Embedder.load(model), dir, out, new PrintStream(log, true, StandardCharsets.UTF_8));
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("does not match the checksum") && said.contains("starting over"), said);
        assertArrayEquals(fresh, Npy.read(out).toFloat(), 0f);
    }

    @Test
    void aDamagedProgressFileIsNamed() throws IOException {
        Path dir = withBrokenD("damaged");
        Path out = tmp.resolve("d.npy");
        assertEquals(1, EmbedMain.embedAll(Embedder.load(model), dir, out, quiet()));
        Path json = tmp.resolve("d.npy.part.json");
        Files.writeString(json, Files.readString(json).replaceFirst("\"rows\" *: *[0-9]+", "\"rows\": 7"));
        IOException e = assertThrows(IOException.class, () -> EmbedMain.embedAll(Embedder.load(model), dir, out,
                quiet()));
        assertTrue(e.getMessage().contains("d.npy.part.json") && e.getMessage().contains("damaged progress file"),
                e.getMessage());
    }
}
