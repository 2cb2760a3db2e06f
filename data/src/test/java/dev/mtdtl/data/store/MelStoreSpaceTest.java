package dev.mtdtl.data.store;

import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.WavWriter;
import dev.mtdtl.tensor.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store that will not fit on its disk stops after its first batch with the projected and the free bytes, not at the
 * write that finds the disk full half an hour later; the run that follows resumes and writes the same bytes.
 */
class MelStoreSpaceTest {

    @TempDir
    Path tmp;

    @AfterEach
    void restore() {
        MelStoreWriter.usableSpace = dev.mtdtl.data.DiskSpace::usable;
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void theProjectionComparesTheAverageTrackWithTheFreeBytes() {
        Path data = Path.of("/x/train.mel.part");
        // 4 tracks took 8 MB: 6 left need 12 MB
        assertNull(MelStoreWriter.shortOfSpace(data, MelStore.DType.F32, 8_000_000, 4, 6, 4, 12_000_000));
        String m = MelStoreWriter.shortOfSpace(data, MelStore.DType.F32, 8_000_000, 4, 6, 4, 11_999_999);
        assertTrue(m.startsWith(data + ": the store needs about 0.01 GB more (6 tracks left at 2.00 MB each, "
                + "the average of the 4 computed so far)"), m);
        assertTrue(m.contains("--dtype float16") && m.endsWith("it goes on after track 4"), m);
        assertFalse(MelStoreWriter.shortOfSpace(data, MelStore.DType.F16, 8_000_000, 4, 6, 4, 1).contains("float16"));
        // nothing computed yet, nothing left, or a file system that cannot tell its free space (0): no verdict
        assertNull(MelStoreWriter.shortOfSpace(data, MelStore.DType.F32, 0, 0, 6, 0, 1));
        assertNull(MelStoreWriter.shortOfSpace(data, MelStore.DType.F32, 8_000_000, 4, 0, 10, 1));
        assertNull(MelStoreWriter.shortOfSpace(data, MelStore.DType.F32, 8_000_000, 4, 6, 4, 0));
    }

    @Test
    void aStoreThatWillNotFitStopsEarlyAndResumesToTheSameBytes() throws IOException {
        Parallel.setThreads(2);   // batches of 4 tracks
        List<MelStoreWriter.Track> tracks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path wav = tmp.resolve("audio/t" + i + ".wav");
            Files.createDirectories(wav.getParent());
            WavWriter.write(wav, noise(i), WavWriter.Encoding.PCM16);
            tracks.add(new MelStoreWriter.Track("t" + i, wav));
        }
        MelStoreWriter.build(tmp.resolve("ref"), "s", tracks, MelConfig.paper(), MelStore.DType.F32, s -> { }, -1);

        Path dir = tmp.resolve("small");
        MelStoreWriter.usableSpace = d -> 1000;
        IOException e = assertThrows(IOException.class, () -> MelStoreWriter.build(dir, "s", tracks, MelConfig.paper(),
                MelStore.DType.F32, s -> { }, -1));
        assertTrue(e.getMessage().startsWith(dir.resolve("s.mel.part") + ": the store needs about")
                && e.getMessage().contains("6 tracks left") && e.getMessage().contains("after track 4"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("s.json")), "nothing that looks complete");

        MelStoreWriter.usableSpace = d -> Long.MAX_VALUE;
        List<String> log = new ArrayList<>();
        MelStoreWriter.Result r = MelStoreWriter.build(dir, "s", tracks, MelConfig.paper(), MelStore.DType.F32,
                log::add, -1);
        assertEquals(6, r.computed(), "the 4 tracks of the stopped run are kept");
        assertTrue(log.contains("s: resuming after 4/10 tracks"), log.toString());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("ref/s.mel")), Files.readAllBytes(dir.resolve("s.mel")));
        assertEquals(Files.readString(tmp.resolve("ref/s.index.tsv")), Files.readString(dir.resolve("s.index.tsv")));
    }

    /** 0.5 s of stereo noise at 22,050 Hz. */
    private static Audio noise(int seed) {
        int frames = 11025;
        float[] x = new float[2 * frames];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * (r.nextDouble() - 0.5));
        }
        return new Audio(x, 2, frames, 22050);
    }
}
