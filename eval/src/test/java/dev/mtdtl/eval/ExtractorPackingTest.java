package dev.mtdtl.eval;

import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.data.store.MelStoreWriter;
import dev.mtdtl.dsp.Audio;
import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.WavWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Extractor#extract} packs the slices of consecutive tracks into shared batches of
 * {@link Extractor#MAX_BATCH}; each track's vector must still be, bit for bit, what {@link Extractor#trackVector}
 * gives that track alone (one network call per at most 32 of its own slices). Track lengths are chosen so that
 * batches hold several tracks, a track spans two batches, one track is longer than a batch, and the last batch
 * is partial.
 */
class ExtractorPackingTest {

    @TempDir
    Path tmp;

    @Test
    void packedBatchesGiveEachTrackItsOwnVector() throws IOException {
        double[] seconds = {1.0, 6.0, 30.0, 2.0, 85.0, 3.0, 12.0, 0.5};   // 1, 3, 12, 1, 34, 2, 5, 1 slices
        Random r = new Random(7);
        List<MelStoreWriter.Track> tracks = new ArrayList<>();
        for (int t = 0; t < seconds.length; t++) {
            int frames = (int) (seconds[t] * 22050);
            float[] s = new float[2 * frames];
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) (0.3 * r.nextGaussian() * (1 + Math.sin(i / 4000.0 + t)));
            }
            Path wav = tmp.resolve("t" + t + ".wav");
            WavWriter.write(wav, new Audio(s, 2, frames, 22050), WavWriter.Encoding.FLOAT32);
            tracks.add(new MelStoreWriter.Track("t" + t, wav));
        }
        MelStoreWriter.build(tmp.resolve("store"), "all", tracks, MelConfig.paper(), MelStore.DType.F32, s -> { }, -1);
        BandStats stats = new BandStats(128);
        float[] rows = new float[10 * 128];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) (-40 + 15 * r.nextGaussian());
        }
        stats.add(rows, 0, 10);
        Extractor ex = Extractor.rand(3);
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        try (MelStore store = MelStore.open(tmp.resolve("store"), "all", stats)) {
            int slices = 0;
            for (int t = 0; t < store.size(); t++) {
                slices += store.sliceCount(t, Extractor.SLICE);
            }
            assertEquals(59, slices, "the lengths above: batches of 32 then 27, tracks across both");
            float[] packed = ex.extract(store, new PrintStream(logBytes, true, StandardCharsets.UTF_8));
            int d = ex.dims();
            assertEquals(store.size() * d, packed.length);
            for (int t = 0; t < store.size(); t++) {
                int s = store.sliceCount(t, Extractor.SLICE);
                float[] x = new float[s * 2 * Extractor.SLICE * store.mels()];
                store.slices(t, Extractor.SLICE, x, 0);
                assertArrayEquals(ex.trackVector(x, s), Arrays.copyOfRange(packed, t * d, (t + 1) * d), 0f,
                        "track " + t + " (" + s + " slices)");
            }
        }
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("rand: 8/8 tracks") && log.contains("slices/s"), log);
    }
}
