package dev.mtdtl.embed;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.StateDict;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model file's round trip, the embedder on a file, and every kind of bad model file. */
class ModelFileTest {

    @TempDir
    static Path tmp;
    static Path model;
    static Path wav;

    /** A small MS-CR@2 model ({@link TinyModel}) and a 6 s stereo tone. */
    @BeforeAll
    static void makeModel() throws IOException {
        model = TinyModel.write(tmp);
        Rng r = new Rng(6);
        // 6 s of a 440 Hz tone with noise, stereo, 22.05 kHz: 3 slices, the last one padded
        int n = 6 * 22050;
        float[] pcm = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float v = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 22050.0) + 0.05 * r.nextGaussian());
            pcm[i] = v;
            pcm[n + i] = 0.5f * v;
        }
        wav = tmp.resolve("tone.wav");
        WavWriter.write(wav, new Audio(pcm, 2, n, 22050), WavWriter.Encoding.FLOAT32);
    }

    @Test
    void roundTripsAndEmbedsDeterministically() throws IOException {
        Embedder e = Embedder.load(model);
        assertEquals(2 * 2 * 8, e.dims());
        float[] v = e.embed(wav);
        assertEquals(e.dims(), v.length);
        assertArrayEquals(v, Embedder.load(model).embed(wav), 0f);
        boolean nonZeroStd = false;
        for (int j = e.sliceDims(); j < v.length; j++) {
            nonZeroStd |= v[j] > 0;
        }
        assertTrue(nonZeroStd, "three different slices must give a non-zero spread");
        Path out = tmp.resolve("v.npy");
        EmbedMain.embedAll(e, tmp, out, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        assertEquals("tone.wav\n", Files.readString(tmp.resolve("v.npy.tracks.txt")));
    }

    /**
     * Files embedded together share network batches (SliceBatcher): each file must still get, bit for bit, the
     * vector it gets alone. Lengths give 34, 1, 3, 34 and 2 slices: the first file's first 32 slices are a whole
     * batch while nothing waits (run from the stream's own array), the second long one's are packed behind other
     * files' slices; batches hold several files and files span two; a mono file goes through the same path.
     */
    @Test
    void filesEmbeddedTogetherGetTheirOwnVectors() throws IOException {
        Path dir = tmp.resolve("several");
        Files.createDirectories(dir);
        double[] seconds = {85.0, 1.0, 6.0, 85.0, 3.0};
        Rng r = new Rng(9);
        List<Path> files = new java.util.ArrayList<>();
        for (int f = 0; f < seconds.length; f++) {
            int n = (int) (seconds[f] * 22050);
            int ch = f == 4 ? 1 : 2;
            float[] pcm = new float[ch * n];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (float) (0.2 * Math.sin(i / (30.0 + f)) + 0.05 * r.nextGaussian());
            }
            Path p = dir.resolve("f" + f + ".wav");
            WavWriter.write(p, new Audio(pcm, ch, n, 22050), WavWriter.Encoding.PCM16);
            files.add(p);
        }
        Embedder e = Embedder.load(model);
        float[][] together = new float[files.size()][];
        List<Integer> order = new java.util.ArrayList<>();
        e.embedAll(files, (i, v) -> {
            together[i] = v;
            order.add(i);
        });
        assertEquals(List.of(0, 1, 2, 3, 4), order, "files finish in order");
        for (int f = 0; f < files.size(); f++) {
            assertArrayEquals(e.embed(files.get(f)), together[f], 0f, files.get(f).toString());
        }
    }

    /** {@code copies} of a test resource (made by LAME and libvorbis, see dsp's codecs/) joined end to end. */
    private static Path joined(String resource, int copies) throws IOException {
        byte[] one;
        try (java.io.InputStream in = ModelFileTest.class.getResourceAsStream(resource)) {
            one = in.readAllBytes();
        }
        Path p = tmp.resolve(copies + "x-" + resource);
        try (java.io.OutputStream out = Files.newOutputStream(p)) {
            for (int k = 0; k < copies; k++) {
                out.write(one);
            }
        }
        return p;
    }

    /**
     * MP3 and Ogg Vorbis are streamed ({@code DbMelStream} over {@code BlockWindow}; in a 3 GB test heap every one of
     * these is decoded once and its first pass kept, the eighth of the heap that {@code DbMelStream.KEEP_HEAP_SHARE}
     * allows: dsp's {@code BlockWindowTest} and {@code DbMelStreamTest} hold the decode-again path to the same bits):
     * short files, 100 half-second MP3s in a row, a chained Ogg file of 20 three-second links. Their vectors are the
     * whole decode's, bit for bit, alone and among other files.
     */
    @Test
    void mp3AndOggAreStreamedToTheWholeDecodesVectors() throws IOException {
        Embedder e = Embedder.load(model);
        List<Path> files = List.of(joined("lame-44k-stereo.mp3", 4), joined("lame-44k-stereo.mp3", 100), wav,
                joined("vorbis-8k-mono.ogg", 20));
        float[][] together = new float[files.size()][];
        e.embedAll(files, (i, v) -> together[i] = v);
        for (int f = 0; f < files.size(); f++) {
            Path p = files.get(f);
            dev.mtdtl.dsp.Features.Mel m = dev.mtdtl.dsp.Features.dbMel(p, dev.mtdtl.dsp.MelConfig.paper());
            float[] whole = e.embedDbMel(m.data(), m.frames());
            assertArrayEquals(whole, e.embed(p), 0f, p.toString());
            assertArrayEquals(whole, together[f], 0f, p + " among other files");
        }
    }

    /**
     * {@code embedAll} runs the first passes of a group of files at once, one a thread: the vectors are the same for 1,
     * 2 and 3 threads (groups of 1, 2, 3), in the files' order; a damaged file stops the run naming it, whatever group
     * it falls in, after every file before it and none after.
     */
    @Test
    void filesRunInGroupsGiveTheSameVectorsAtAnyThreadCount() throws IOException {
        Path bad = tmp.resolve("cut.mp3");
        byte[] mp3;
        try (java.io.InputStream in = ModelFileTest.class.getResourceAsStream("lame-44k-stereo.mp3")) {
            mp3 = in.readAllBytes();
        }
        Files.write(bad, java.util.Arrays.copyOf(mp3, 300));
        List<Path> files = List.of(joined("lame-44k-stereo.mp3", 6), wav, joined("vorbis-8k-mono.ogg", 3),
                joined("lame-44k-stereo.mp3", 30), wav);
        Embedder e = Embedder.load(model);
        int before = dev.mtdtl.tensor.Parallel.threads();
        try {
            float[][] first = null;
            for (int t : new int[] {1, 2, 3}) {
                dev.mtdtl.tensor.Parallel.setThreads(t);
                float[][] got = new float[files.size()][];
                List<Integer> order = new java.util.ArrayList<>();
                e.embedAll(files, (i, v) -> {
                    got[i] = v;
                    order.add(i);
                });
                assertEquals(List.of(0, 1, 2, 3, 4), order, t + " threads");
                if (first == null) {
                    first = got;
                }
                for (int f = 0; f < files.size(); f++) {
                    assertArrayEquals(first[f], got[f], 0f, files.get(f) + " at " + t + " threads");
                }
                for (int at = 0; at < 3; at++) {   // the damaged file first, second or third of its group
                    List<Path> withBad = new java.util.ArrayList<>(files.subList(0, at));
                    withBad.add(bad);
                    withBad.addAll(files.subList(at, files.size()));
                    List<Integer> seen = new java.util.ArrayList<>();
                    IOException x = assertThrows(IOException.class, () -> e.embedAll(withBad, (i, v) -> seen.add(i)));
                    assertTrue(x.getMessage().startsWith(bad.toString()), x.getMessage());
                    assertTrue(seen.stream().allMatch(i -> i < withBad.indexOf(bad)), seen + " at " + t + " threads");
                }
            }
        } finally {
            dev.mtdtl.tensor.Parallel.setThreads(before);
        }
    }

    private static String error(byte[] bytes, String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        IOException e = assertThrows(IOException.class, () -> ModelFile.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badFilesGetClearErrorsNamingTheFile() throws IOException {
        byte[] good = Files.readAllBytes(model);
        byte[] newer = good.clone();
        ByteBuffer.wrap(newer).order(ByteOrder.LITTLE_ENDIAN).putInt(8, ModelFile.VERSION + 1);
        assertTrue(error(newer, "newer.mtdtl").contains("version " + (ModelFile.VERSION + 1) + " is newer"));
        assertTrue(error(java.util.Arrays.copyOf(good, good.length - 1000), "cut.mtdtl").contains("truncated"));
        assertTrue(error(java.util.Arrays.copyOf(good, 30), "cut2.mtdtl").contains("truncated"));
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        assertTrue(error(flipped, "flipped.mtdtl").contains("checksum mismatch"));
        assertTrue(error("hello".getBytes(), "text.mtdtl").contains("not an mtdtl model file"));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 4);
        assertTrue(error(longer, "longer.mtdtl").contains("after the checksum"));
    }

    @Test
    void undecodableAudioNamesTheFile() throws IOException {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("broken.wav"), "not audio");
        IOException e = assertThrows(IOException.class, () -> EmbedMain.embedAll(Embedder.load(model), dir,
                tmp.resolve("b.npy"), System.out));
        assertTrue(e.getMessage().contains("broken.wav"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("b.npy.part")) && !Files.exists(tmp.resolve("b.npy.part.json")),
                "a run that finished no file leaves no part files");
    }
}
